// The emulator through the real snowflake-sdk: logins of every kind and who may change a user's keys.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { connect, failure } from './helpers.js';
import { control, emulator, keyA, keyB, keyC, login, useEmulator } from './fixture.js';

useEmulator();

function signJwt(payload: Record<string, unknown>, key: KeyObject, kid?: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', ...(kid ? { kid } : {}) })).toString(
    'base64url',
  );
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = createSign('RSA-SHA256').update(`${header}.${body}`).sign(key).toString('base64url');
  return `${header}.${body}.${signature}`;
}

async function rawLogin(
  data: Record<string, unknown>,
  query = '',
): Promise<{ success: boolean; code: string | null; message: string | null }> {
  const response = await fetch(`${emulator.url}/session/v1/login-request${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ data }),
  });
  return (await response.json()) as { success: boolean; code: string | null; message: string | null };
}

describe('key-pair login', () => {
  beforeAll(async () => {
    await control.sql(`CREATE USER kp_user TYPE = SERVICE RSA_PUBLIC_KEY = '${keyA.publicBody}'`);
  });

  it('logs in with the registered key and refuses an unregistered one with 390144', async () => {
    const session = await login('kp_user', keyA);
    expect(await session.query('SELECT CURRENT_USER(), CURRENT_ROLE()')).toEqual([
      { 'CURRENT_USER()': 'KP_USER', 'CURRENT_ROLE()': 'PUBLIC' },
    ]);
    await session.close();
    const refused = await failure(login('kp_user', keyB));
    expect(refused.code).toBe('390144');
    expect(refused.message).toMatch(/^JWT token is invalid\. \[[0-9a-f-]{36}\]$/);
  });

  it('accepts both slots after SET RSA_PUBLIC_KEY_2 and only the new one after UNSET of the first', async () => {
    await control.sql(`ALTER USER kp_user SET RSA_PUBLIC_KEY_2 = '${keyB.publicBody}'`);
    for (const key of [keyA, keyB]) {
      const session = await login('kp_user', key);
      await session.close();
    }
    await control.sql('ALTER USER kp_user UNSET RSA_PUBLIC_KEY');
    expect((await failure(login('kp_user', keyA))).code).toBe('390144');
    await (await login('kp_user', keyB)).close();
    await control.sql(`ALTER USER kp_user SET RSA_PUBLIC_KEY = '${keyA.publicBody}'`);
  });

  it('refuses an unknown user with the same 390144', async () => {
    expect((await failure(login('nobody_here', keyA))).code).toBe('390144');
  });

  it('refuses a disabled user with 390101', async () => {
    await control.sql(`CREATE USER kp_disabled DISABLED = TRUE RSA_PUBLIC_KEY = '${keyA.publicBody}'`);
    const refused = await failure(login('kp_disabled', keyA));
    expect(refused.code).toBe('390101');
    expect(refused.message).toBe('User access disabled. Contact your local system administrator.');
  });

  it('refuses a role in the connect string that is not granted with 390189, and uses a granted one', async () => {
    const refused = await failure(login('kp_user', keyA, { role: 'SYSADMIN' }));
    expect(refused.code).toBe('390189');
    expect(refused.message).toMatch(
      /^Role 'SYSADMIN' specified in the connect string is not granted to this user\./,
    );
    await control.sql('CREATE ROLE kp_role');
    await control.sql('GRANT ROLE kp_role TO USER kp_user');
    const session = await login('kp_user', keyA, { role: 'kp_role' });
    expect(await session.query('SELECT CURRENT_ROLE() AS r')).toEqual([{ R: 'KP_ROLE' }]);
    await session.close();
  });

  it('accepts iat/exp in seconds as other drivers send them, and checks expiry, account and fingerprint', async () => {
    const fp = (await control.sql('DESC USER kp_user')).find((r) => r.property === 'RSA_PUBLIC_KEY_FP')!
      .value as string;
    const now = Math.floor(Date.now() / 1000);
    const claims = (over: Record<string, unknown>) => ({
      iss: `TESTORG-TESTACCOUNT.KP_USER.${fp}`,
      sub: 'TESTORG-TESTACCOUNT.KP_USER',
      iat: now,
      exp: now + 60,
      ...over,
    });
    const data = (token: string) => ({ AUTHENTICATOR: 'SNOWFLAKE_JWT', LOGIN_NAME: 'kp_user', TOKEN: token });
    expect((await rawLogin(data(signJwt(claims({}), keyA.privateKey)))).success).toBe(true);
    const expired = await rawLogin(
      data(signJwt(claims({ iat: now - 600, exp: now - 300 }), keyA.privateKey)),
    );
    expect(expired.code).toBe('390144');
    const otherAccount = claims({ iss: `OTHER.KP_USER.${fp}`, sub: 'OTHER.KP_USER' });
    expect((await rawLogin(data(signJwt(otherAccount, keyA.privateKey)))).code).toBe('390144');
    // Right fingerprint, wrong private key: the signature does not verify.
    expect((await rawLogin(data(signJwt(claims({}), keyC.privateKey)))).code).toBe('390144');
  });
});

describe('ALTER USER access control', () => {
  beforeAll(async () => {
    await control.sql(`CREATE USER ac_admin RSA_PUBLIC_KEY = '${keyA.publicBody}'`);
    await control.sql(`CREATE USER ac_target TYPE = SERVICE RSA_PUBLIC_KEY = '${keyB.publicBody}'`);
    await control.sql('CREATE ROLE ac_plain');
    await control.sql('CREATE ROLE ac_rotator');
    await control.sql('GRANT ROLE ac_plain TO USER ac_admin');
    await control.sql('GRANT ROLE ac_rotator TO USER ac_admin');
  });

  it('refuses a role without ownership with 003001 / 42501', async () => {
    const session = await login('ac_admin', keyA, { role: 'AC_PLAIN' });
    const refused = await failure(
      session.query(`ALTER USER ac_target SET RSA_PUBLIC_KEY_2 = '${keyC.publicBody}'`),
    );
    expect(refused.code).toBe('003001');
    expect(refused.sqlState).toBe('42501');
    expect(refused.message).toBe(
      "SQL access control error:\nInsufficient privileges to operate on user 'AC_TARGET'",
    );
    await session.close();
  });

  it('lets a role with MODIFY PROGRAMMATIC AUTHENTICATION METHODS set keys but nothing else', async () => {
    await control.sql(
      'GRANT MODIFY PROGRAMMATIC AUTHENTICATION METHODS ON USER ac_target TO ROLE ac_rotator',
    );
    const session = await login('ac_admin', keyA, { role: 'AC_ROTATOR' });
    await session.query(`ALTER USER ac_target SET RSA_PUBLIC_KEY_2 = '${keyC.publicBody}'`);
    expect((await failure(session.query("ALTER USER ac_target SET COMMENT = 'x'"))).code).toBe('003001');
    // DESC of another user needs OWNERSHIP.
    expect((await failure(session.query('DESC USER ac_target'))).code).toBe('003001');
    await session.close();
    await (await login('ac_target', keyC)).close();
    const grants = await control.sql('SHOW GRANTS ON USER ac_target');
    expect(grants.map((g) => [g.privilege, g.grantee_name])).toEqual([
      ['OWNERSHIP', 'ACCOUNTADMIN'],
      ['MODIFY PROGRAMMATIC AUTHENTICATION METHODS', 'AC_ROTATOR'],
    ]);
  });

  it('lets a user set its own key, and describe itself', async () => {
    const session = await login('ac_target', keyB);
    await session.query(`ALTER USER ac_target SET RSA_PUBLIC_KEY = '${keyA.publicBody}'`);
    const rows = await session.query('DESC USER ac_target');
    expect(rows.find((r) => r.property === 'RSA_PUBLIC_KEY')?.value).toBe(keyA.publicBody);
    await session.close();
    await (await login('ac_target', keyA)).close();
  });

  it('lets the owner do everything, and USE ROLE switch to it; 003013 for a role not granted', async () => {
    await control.sql('GRANT OWNERSHIP ON USER ac_target TO ROLE ac_plain REVOKE CURRENT GRANTS');
    const session = await login('ac_admin', keyA, { role: 'AC_ROTATOR' });
    const refused = await failure(session.query('USE ROLE SECURITYADMIN'));
    expect(refused.code).toBe('003013');
    expect(refused.message).toBe(
      "SQL access control error:\nRequested role 'SECURITYADMIN' is not assigned to the executing user.  Specify another role to activate.",
    );
    await session.query('USE ROLE ac_plain');
    await session.query("ALTER USER ac_target SET COMMENT = 'rotated' DEFAULT_ROLE = ac_plain");
    const rows = await session.query('DESC USER ac_target');
    expect(rows.find((r) => r.property === 'COMMENT')?.value).toBe('rotated');
    // REVOKE CURRENT GRANTS removed the rotator's privilege.
    const rotator = await login('ac_admin', keyA, { role: 'AC_ROTATOR' });
    expect((await failure(rotator.query('ALTER USER ac_target UNSET RSA_PUBLIC_KEY_2'))).code).toBe('003001');
    await rotator.close();
    await session.close();
  });

  it('requires USERADMIN or CREATE USER to create users, and makes the creator the owner', async () => {
    const session = await login('ac_admin', keyA, { role: 'AC_PLAIN' });
    const refused = await failure(session.query('CREATE USER ac_new'));
    expect(refused.code).toBe('003001');
    await control.sql('GRANT CREATE USER ON ACCOUNT TO ROLE ac_plain');
    await session.query('CREATE USER ac_new TYPE = SERVICE');
    const shown = await session.query("SHOW USERS LIKE 'ac_new'");
    expect(shown[0]?.owner).toBe('AC_PLAIN');
    expect(shown[0]?.type).toBe('SERVICE');
    await session.close();
  });
});

describe('workload identity (OIDC)', () => {
  const issuer = 'https://token.actions.example.test';
  let jwks: Server;
  let signer: KeyObject;

  beforeAll(async () => {
    process.env.SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES = '127.0.0.1';
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    signer = pair.privateKey;
    const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' };
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', () => r()));
    await control.trustIssuer(issuer, `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`);
    await control.sql(
      `CREATE USER wif_user TYPE = SERVICE WORKLOAD_IDENTITY = (TYPE = OIDC ISSUER = '${issuer}' SUBJECT = 'repo:org/repo:environment:prod')`,
    );
    await control.sql(
      `CREATE USER wif_aud TYPE = SERVICE WORKLOAD_IDENTITY = (TYPE = OIDC ISSUER = '${issuer}' SUBJECT = 'repo:org/repo:ref:refs/heads/main' OIDC_AUDIENCE_LIST = ('custom-aud', 'other'))`,
    );
  });

  afterAll(async () => {
    delete process.env.SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES;
    await new Promise<void>((r) => jwks.close(() => r()));
  });

  const token = (over: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(
      {
        iss: issuer,
        sub: 'repo:org/repo:environment:prod',
        aud: 'snowflakecomputing.com',
        iat: now,
        nbf: now - 5,
        exp: now + 300,
        ...over,
      },
      signer,
      'k1',
    );
  };
  const wifLogin = (t: string) =>
    connect({
      accessUrl: emulator.url,
      account: emulator.account,
      authenticator: 'WORKLOAD_IDENTITY',
      workloadIdentityProvider: 'OIDC',
      token: t,
    });

  it('logs in the user whose issuer and subject match', async () => {
    const session = await wifLogin(token({}));
    expect(await session.query('SELECT CURRENT_USER()')).toEqual([{ 'CURRENT_USER()': 'WIF_USER' }]);
    await session.close();
    const entry = (await control.log()).filter((e) => e.kind === 'login').pop();
    expect(entry).toMatchObject({ user: 'WIF_USER', authenticator: 'WORKLOAD_IDENTITY', ok: true });
  });

  it('refuses another subject, a wrong audience, an expired token and a foreign signature', async () => {
    for (const t of [
      token({ sub: 'repo:org/repo:environment:dev' }),
      token({ aud: 'sts.amazonaws.com' }),
      token({ exp: Math.floor(Date.now() / 1000) - 10 }),
      signJwt(
        {
          iss: issuer,
          sub: 'repo:org/repo:environment:prod',
          aud: 'snowflakecomputing.com',
          exp: Math.floor(Date.now() / 1000) + 60,
        },
        keyA.privateKey,
        'k1',
      ),
    ]) {
      expect((await failure(wifLogin(t))).code).toBe('390100');
    }
  });

  it("is held to the user's network policy like every other login (390422)", async () => {
    await control.sql(
      "CREATE NETWORK POLICY wif_runners ALLOWED_IP_LIST = ('203.0.113.0/24')",
      'SECURITYADMIN',
    );
    await control.sql('ALTER USER wif_user SET NETWORK_POLICY = wif_runners');
    try {
      expect((await failure(wifLogin(token({})))).code).toBe('390422');
      await control.clientIp('203.0.113.7');
      await (await wifLogin(token({}))).close();
    } finally {
      await control.clientIp(null);
      await control.sql('ALTER USER wif_user UNSET NETWORK_POLICY');
    }
  });

  it('uses OIDC_AUDIENCE_LIST instead of the default audience when set', async () => {
    const sub = 'repo:org/repo:ref:refs/heads/main';
    expect((await failure(wifLogin(token({ sub })))).code).toBe('390100');
    const session = await wifLogin(token({ sub, aud: ['x', 'custom-aud'] }));
    await session.close();
  });
});

describe('OAuth and programmatic access tokens', () => {
  beforeAll(async () => {
    await control.sql('CREATE USER tok_user');
    await control.sql('CREATE ROLE tok_role');
    await control.sql('GRANT ROLE tok_role TO USER tok_user');
    await control.registerToken({ type: 'oauth', token: 'oauth-good', user: 'TOK_USER', role: 'TOK_ROLE' });
    await control.registerToken({
      type: 'oauth',
      token: 'oauth-old',
      user: 'TOK_USER',
      expiresAt: '2000-01-01T00:00:00Z',
    });
    // No network policy exists in this account: the PAT stands for one issued under an authentication
    // policy that does not require one (see 'network policies' below for the default, 390432).
    await control.registerToken({
      type: 'pat',
      token: 'pat-good',
      user: 'tok_user',
      networkPolicyRequired: false,
    });
  });

  const tokenLogin = (authenticator: string, t: string) =>
    connect({
      accessUrl: emulator.url,
      account: emulator.account,
      username: 'tok_user',
      authenticator,
      token: t,
    });

  it('logs in with a registered OAuth token in its scoped role; 390303 unknown, 390318 expired', async () => {
    const session = await tokenLogin('OAUTH', 'oauth-good');
    expect(await session.query('SELECT CURRENT_ROLE()')).toEqual([{ 'CURRENT_ROLE()': 'TOK_ROLE' }]);
    await session.close();
    expect((await failure(tokenLogin('OAUTH', 'oauth-bad'))).code).toBe('390303');
    expect((await failure(tokenLogin('OAUTH', 'oauth-old'))).code).toBe('390318');
  });

  it('logs in with a registered PAT; 394400 otherwise', async () => {
    const session = await tokenLogin('PROGRAMMATIC_ACCESS_TOKEN', 'pat-good');
    expect(await session.query('SELECT CURRENT_USER()')).toEqual([{ 'CURRENT_USER()': 'TOK_USER' }]);
    await session.close();
    expect((await failure(tokenLogin('PROGRAMMATIC_ACCESS_TOKEN', 'pat-bad'))).code).toBe('394400');
  });
});
