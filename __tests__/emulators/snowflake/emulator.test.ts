// The emulator through the real snowflake-sdk: logins of every kind, statements, access control.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { startSnowflakeEmulator, type SnowflakeEmulator } from './server.js';
import { SnowflakeControl } from './control.js';
import { connect, connectWithKey, failure, makeKey, type TestKey } from './helpers.js';

let emulator: SnowflakeEmulator;
let control: SnowflakeControl;
let keyA: TestKey;
let keyB: TestKey;
let keyC: TestKey;

beforeAll(async () => {
  keyA = makeKey();
  keyB = makeKey();
  keyC = makeKey();
  emulator = await startSnowflakeEmulator();
  control = new SnowflakeControl(emulator.url);
});

afterAll(async () => {
  await emulator.close();
});

const login = (user: string, key: TestKey, extra: Record<string, unknown> = {}) =>
  connectWithKey(emulator.url, emulator.account, user, key, extra);

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

describe('statements and result shapes', () => {
  let session: Awaited<ReturnType<typeof login>>;

  beforeAll(async () => {
    await control.sql(
      `CREATE USER shape_admin RSA_PUBLIC_KEY = '${keyA.publicBody}' DEFAULT_ROLE = ACCOUNTADMIN`,
    );
    await control.sql('GRANT ROLE ACCOUNTADMIN TO USER shape_admin');
    session = await login('shape_admin', keyA);
  });

  afterAll(async () => {
    await session.close();
  });

  it('DESC USER returns property/value/default/description with the documented properties', async () => {
    await session.query("ALTER SESSION SET TIMEZONE = 'UTC'");
    await session.query(
      `CREATE USER shape_user TYPE = SERVICE RSA_PUBLIC_KEY = '${keyB.publicBody}' COMMENT = 'it''s'`,
    );
    const rows = await session.query('DESCRIBE USER shape_user');
    expect(Object.keys(rows[0]!)).toEqual(['property', 'value', 'default', 'description']);
    const props = Object.fromEntries(rows.map((r) => [r.property, r.value]));
    for (const p of [
      'NAME',
      'TYPE',
      'LOGIN_NAME',
      'DISABLED',
      'DEFAULT_ROLE',
      'DEFAULT_WAREHOUSE',
      'DEFAULT_NAMESPACE',
      'PASSWORD_LAST_SET_TIME',
      'RSA_PUBLIC_KEY',
      'RSA_PUBLIC_KEY_FP',
      'RSA_PUBLIC_KEY_LAST_SET_TIME',
      'RSA_PUBLIC_KEY_2',
      'RSA_PUBLIC_KEY_2_FP',
      'RSA_PUBLIC_KEY_2_LAST_SET_TIME',
      'HAS_MFA',
      'HAS_WORKLOAD_IDENTITY',
      'HAS_PAT',
    ]) {
      expect(props).toHaveProperty(p);
    }
    expect(props.TYPE).toBe('SERVICE');
    expect(props.COMMENT).toBe("it's");
    expect(props.RSA_PUBLIC_KEY_2).toBe('null');
    expect(props.DEFAULT_ROLE).toBe('null');
    expect(props.RSA_PUBLIC_KEY_FP).toMatch(/^SHA256:[A-Za-z0-9+/]{43}=$/);
    expect(props.RSA_PUBLIC_KEY_LAST_SET_TIME).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{1,3}$/);
    const setAt = Date.parse(`${(props.RSA_PUBLIC_KEY_LAST_SET_TIME as string).replace(' ', 'T')}Z`);
    expect(Math.abs(setAt - Date.now())).toBeLessThan(60_000);
  });

  it('SHOW USERS returns the documented columns, timestamps decoded by the SDK', async () => {
    const rows = await session.query("SHOW USERS LIKE 'SHAPE\\_%'");
    expect(rows.map((r) => r.name)).toEqual(['SHAPE_ADMIN', 'SHAPE_USER']);
    const row = rows[1]!;
    for (const c of [
      'name',
      'created_on',
      'login_name',
      'disabled',
      'default_warehouse',
      'default_namespace',
      'default_role',
      'owner',
      'has_password',
      'has_rsa_public_key',
      'type',
      'has_mfa',
      'has_workload_identity',
    ]) {
      expect(row).toHaveProperty(c);
    }
    expect(row).toMatchObject({
      has_rsa_public_key: 'true',
      has_password: 'false',
      disabled: 'false',
      owner: 'ACCOUNTADMIN',
    });
    expect(row.created_on).toBeInstanceOf(Date);
    expect(Math.abs((row.created_on as Date).getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('SHOW GRANTS TO USER, TO ROLE and OF ROLE return the documented columns', async () => {
    await session.query('CREATE ROLE shape_role');
    await session.query('GRANT ROLE shape_role TO USER shape_user');
    await session.query('GRANT ROLE shape_role TO ROLE SYSADMIN');
    const toUser = await session.query('SHOW GRANTS TO USER shape_user');
    expect(Object.keys(toUser[0]!)).toEqual([
      'created_on',
      'privilege',
      'granted_on',
      'name',
      'role',
      'granted_to',
      'grantee_name',
      'grant_option',
      'granted_by',
    ]);
    expect(toUser.map((r) => r.role)).toEqual(['SHAPE_ROLE']);
    const toRole = await session.query('SHOW GRANTS TO ROLE sysadmin');
    expect(Object.keys(toRole[0]!)).toEqual([
      'created_on',
      'privilege',
      'granted_on',
      'name',
      'granted_to',
      'grantee_name',
      'grant_option',
      'granted_by',
    ]);
    expect(toRole).toContainEqual(
      expect.objectContaining({ privilege: 'USAGE', granted_on: 'ROLE', name: 'SHAPE_ROLE' }),
    );
    expect(toRole).toContainEqual(
      expect.objectContaining({ privilege: 'CREATE DATABASE', granted_on: 'ACCOUNT' }),
    );
    const ofRole = await session.query('SHOW GRANTS OF ROLE shape_role');
    expect(Object.keys(ofRole[0]!)).toEqual([
      'created_on',
      'role',
      'granted_to',
      'grantee_name',
      'granted_by',
    ]);
    expect(ofRole.map((r) => [r.granted_to, r.grantee_name])).toEqual([
      ['USER', 'SHAPE_USER'],
      ['ROLE', 'SYSADMIN'],
    ]);
    const owned = await session.query('SHOW GRANTS TO ROLE accountadmin');
    expect(owned).toContainEqual(
      expect.objectContaining({
        privilege: 'OWNERSHIP',
        granted_on: 'USER',
        name: 'SHAPE_USER',
        grant_option: 'true',
      }),
    );
  });

  it('answers 002003, 002002 and 001003 as Snowflake does', async () => {
    const missing = await failure(session.query('DESC USER "nobody"'));
    expect([missing.code, missing.sqlState, missing.message]).toEqual([
      '002003',
      '02000',
      'SQL compilation error:\nUser \'"nobody"\' does not exist or not authorized.',
    ]);
    const dup = await failure(session.query('CREATE USER shape_user'));
    expect([dup.code, dup.sqlState]).toEqual(['002002', '42710']);
    expect(dup.message).toBe("SQL compilation error:\nObject 'SHAPE_USER' already exists.");
    expect((await session.query('CREATE USER IF NOT EXISTS shape_user'))[0]).toEqual({
      status: 'SHAPE_USER already exists, statement succeeded.',
    });
    const syntax = await failure(session.query('ALTER USER shape_user SETT COMMENT = 1'));
    expect([syntax.code, syntax.sqlState, syntax.message]).toEqual([
      '001003',
      '42000',
      "SQL compilation error:\nsyntax error line 1 at position 22 unexpected 'SETT'.",
    ]);
    const multi = await failure(session.query('SELECT 1; SELECT 2;'));
    expect(multi.code).toBe('000008');
    expect((await session.query('SELECT CURRENT_ACCOUNT();'))[0]).toEqual({
      'CURRENT_ACCOUNT()': 'TESTORG-TESTACCOUNT',
    });
  });

  it('keeps quoted identifiers exactly and upper-cases unquoted ones', async () => {
    await session.query('CREATE USER "mixedCase" LOGIN_NAME = \'MixedLogin\'');
    await session.query('CREATE USER mixedcase');
    const names = (await session.query("SHOW USERS LIKE 'mixed%'")).map((r) => [r.name, r.login_name]);
    expect(names).toEqual([
      ['MIXEDCASE', 'MIXEDCASE'],
      ['mixedCase', 'MIXEDLOGIN'],
    ]);
    await session.query('ALTER USER "mixedCase" SET COMMENT = \'quoted\'');
    const desc = await session.query('DESC USER "mixedCase"');
    expect(desc.find((r) => r.property === 'COMMENT')?.value).toBe('quoted');
    expect((await session.query('DESC USER MixedCase')).find((r) => r.property === 'COMMENT')?.value).toBe(
      'null',
    );
  });

  it('refuses a password on a service user and a workload identity on a person', async () => {
    expect((await failure(session.query("CREATE USER svc_pw TYPE = SERVICE PASSWORD = 'x'"))).code).toBe(
      '001008',
    );
    const wif = "WORKLOAD_IDENTITY = (TYPE = OIDC ISSUER = 'https://i' SUBJECT = 's')";
    expect((await failure(session.query(`CREATE USER person_wif ${wif}`))).code).toBe('001008');
    expect(
      (await failure(session.query("ALTER USER shape_user SET RSA_PUBLIC_KEY = 'not a key'"))).code,
    ).toBe('001008');
    expect((await failure(session.query("ALTER USER shape_user SET RSA_PUBLIC_KEY_FP = 'x'"))).message).toBe(
      "SQL compilation error:\ninvalid property 'RSA_PUBLIC_KEY_FP' for 'USER'",
    );
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

describe('databases, schemas and SECRET objects', () => {
  // SYSADMIN owns the database (it holds CREATE DATABASE); the writer role gets exactly what
  // Snowflake documents for CREATE SECRET, one grant at a time.
  beforeAll(async () => {
    await control.sql(`CREATE USER sec_user TYPE = SERVICE RSA_PUBLIC_KEY = '${keyA.publicBody}'`);
    await control.sql('GRANT ROLE SYSADMIN TO USER sec_user');
    for (const role of ['sec_writer', 'sec_reader', 'sec_fetcher', 'sec_other']) {
      await control.sql(`CREATE ROLE ${role}`);
      await control.sql(`GRANT ROLE ${role} TO USER sec_user`);
    }
    await control.sql('CREATE DATABASE sec_db', 'SYSADMIN');
    await control.sql('CREATE SCHEMA sec_db.keys', 'SYSADMIN');
  });

  const as = (role: string, extra: Record<string, unknown> = {}) =>
    login('sec_user', keyA, { role, ...extra });
  const create = "CREATE SECRET sec_db.keys.deploy_key TYPE = GENERIC_STRING SECRET_STRING = 'v1'";

  it('CREATE DATABASE makes PUBLIC and INFORMATION_SCHEMA, owned by the creator; SHOW DATABASES/SCHEMAS', async () => {
    const session = await as('SYSADMIN');
    const dbs = await session.query("SHOW DATABASES LIKE 'sec_%'");
    expect(Object.keys(dbs[0]!)).toEqual([
      'created_on',
      'name',
      'is_default',
      'is_current',
      'origin',
      'owner',
      'comment',
      'options',
      'retention_time',
      'kind',
      'budget',
      'owner_role_type',
    ]);
    expect(dbs.map((d) => [d.name, d.owner, d.kind])).toEqual([['SEC_DB', 'SYSADMIN', 'STANDARD']]);
    const schemas = await session.query('SHOW SCHEMAS IN DATABASE sec_db');
    expect(Object.keys(schemas[0]!)).toEqual([
      'created_on',
      'name',
      'is_default',
      'is_current',
      'database_name',
      'owner',
      'comment',
      'options',
      'retention_time',
      'owner_role_type',
    ]);
    expect(schemas.map((s) => [s.name, s.database_name, s.owner])).toEqual([
      ['INFORMATION_SCHEMA', 'SEC_DB', ''],
      ['KEYS', 'SEC_DB', 'SYSADMIN'],
      ['PUBLIC', 'SEC_DB', 'SYSADMIN'],
    ]);
    // A role without CREATE DATABASE on the account is refused; the account privilege can be granted.
    const writer = await as('SEC_WRITER');
    const refused = await failure(writer.query('CREATE DATABASE sec_writer_db'));
    expect(refused.code).toBe('003001');
    expect(refused.message).toMatch(
      /^SQL access control error:\nInsufficient privileges to operate on account /,
    );
    await control.sql('GRANT CREATE DATABASE ON ACCOUNT TO ROLE sec_other');
    const other = await as('SEC_OTHER');
    expect(await other.query('CREATE DATABASE sec_other_db')).toEqual([
      { status: 'Database SEC_OTHER_DB successfully created.' },
    ]);
    // Creating a database makes it and its PUBLIC schema current.
    expect(await other.query('SELECT CURRENT_DATABASE(), CURRENT_SCHEMA()')).toEqual([
      { 'CURRENT_DATABASE()': 'SEC_OTHER_DB', 'CURRENT_SCHEMA()': 'PUBLIC' },
    ]);
    expect((await other.query('CREATE DATABASE IF NOT EXISTS sec_other_db'))[0]).toEqual({
      status: 'SEC_OTHER_DB already exists, statement succeeded.',
    });
    // SYSADMIN has no privilege on SEC_OTHER's database: it does not exist for SYSADMIN.
    expect(await session.query("SHOW DATABASES LIKE 'sec_other%'")).toEqual([]);
    const hidden = await failure(session.query('USE DATABASE sec_other_db'));
    expect([hidden.code, hidden.sqlState, hidden.message]).toEqual([
      '002003',
      '02000',
      "SQL compilation error:\nDatabase 'SEC_OTHER_DB' does not exist or not authorized.",
    ]);
    await Promise.all([session.close(), writer.close(), other.close()]);
  });

  it('CREATE SECRET needs USAGE on the database, USAGE on the schema and CREATE SECRET on the schema', async () => {
    const session = await as('SEC_WRITER');
    const noDb = await failure(session.query(create));
    expect([noDb.code, noDb.message]).toEqual([
      '002003',
      "SQL compilation error:\nDatabase 'SEC_DB' does not exist or not authorized.",
    ]);
    await control.sql('GRANT USAGE ON DATABASE sec_db TO ROLE sec_writer', 'SYSADMIN');
    const noSchema = await failure(session.query(create));
    expect([noSchema.code, noSchema.message]).toEqual([
      '002003',
      "SQL compilation error:\nSchema 'SEC_DB.KEYS' does not exist or not authorized.",
    ]);
    await control.sql('GRANT USAGE ON SCHEMA sec_db.keys TO ROLE sec_writer', 'SYSADMIN');
    const noCreate = await failure(session.query(create));
    expect([noCreate.code, noCreate.sqlState, noCreate.message]).toEqual([
      '003001',
      '42501',
      "SQL access control error:\nInsufficient privileges to operate on schema 'KEYS'",
    ]);
    // SECURITYADMIN (MANAGE GRANTS) may grant on an object it cannot use; the grantor is the owner.
    await control.sql('GRANT CREATE SECRET ON SCHEMA sec_db.keys TO ROLE sec_writer', 'SECURITYADMIN');
    expect(await session.query(`${create} COMMENT = 'rotated by CI'`)).toEqual([
      { status: 'Secret DEPLOY_KEY successfully created.' },
    ]);
    expect(await control.secrets()).toContainEqual(
      expect.objectContaining({
        fullName: 'SEC_DB.KEYS.DEPLOY_KEY',
        type: 'GENERIC_STRING',
        secretString: 'v1',
        owner: 'SEC_WRITER',
      }),
    );
    const grants = await session.query('SHOW GRANTS TO ROLE sec_writer');
    expect(grants.map((g) => [g.privilege, g.granted_on, g.name, g.granted_by])).toEqual([
      ['USAGE', 'DATABASE', 'SEC_DB', 'SYSADMIN'],
      ['USAGE', 'SCHEMA', 'SEC_DB.KEYS', 'SYSADMIN'],
      ['CREATE SECRET', 'SCHEMA', 'SEC_DB.KEYS', 'SYSADMIN'],
      ['OWNERSHIP', 'SECRET', 'SEC_DB.KEYS.DEPLOY_KEY', 'SEC_WRITER'],
    ]);
    await session.close();
  });

  it('DESC SECRET never shows the value; SHOW SECRETS has the documented columns', async () => {
    const session = await as('SEC_WRITER');
    const desc = await session.query('DESCRIBE SECRET sec_db.keys.deploy_key');
    expect(desc).toHaveLength(1);
    expect(Object.keys(desc[0]!)).toEqual([
      'created_on',
      'name',
      'schema_name',
      'database_name',
      'owner',
      'comment',
      'secret_type',
      'username',
      'oauth_access_token_expiry_time',
      'oauth_refresh_token_expiry_time',
      'oauth_scopes',
      'integration_name',
    ]);
    expect(desc[0]).toMatchObject({
      name: 'DEPLOY_KEY',
      schema_name: 'KEYS',
      database_name: 'SEC_DB',
      owner: 'SEC_WRITER',
      comment: 'rotated by CI',
      secret_type: 'GENERIC_STRING',
      username: null,
    });
    expect(JSON.stringify(desc)).not.toContain('v1');
    const shown = await session.query('SHOW SECRETS IN SCHEMA sec_db.keys');
    expect(Object.keys(shown[0]!)).toEqual([
      'created_on',
      'name',
      'schema_name',
      'database_name',
      'owner',
      'comment',
      'secret_type',
      'oauth_scopes',
      'owner_role_type',
    ]);
    expect(shown.map((s) => [s.name, s.secret_type, s.owner, s.owner_role_type])).toEqual([
      ['DEPLOY_KEY', 'GENERIC_STRING', 'SEC_WRITER', 'ROLE'],
    ]);
    expect(await session.query("SHOW SECRETS LIKE 'deploy%' IN DATABASE sec_db")).toHaveLength(1);
    expect(await session.query("SHOW SECRETS LIKE 'nothing%' IN ACCOUNT")).toEqual([]);
    const ownership = await session.query('SHOW GRANTS ON SECRET sec_db.keys.deploy_key');
    expect(ownership.map((g) => [g.privilege, g.granted_on, g.name, g.grantee_name, g.grant_option])).toEqual(
      [['OWNERSHIP', 'SECRET', 'SEC_DB.KEYS.DEPLOY_KEY', 'SEC_WRITER', 'true']],
    );
    await session.close();
  });

  it('ALTER SECRET needs OWNERSHIP; DESC needs USAGE (READ is not enough); an invisible secret is 002003', async () => {
    for (const role of ['sec_reader', 'sec_fetcher', 'sec_other']) {
      await control.sql(`GRANT USAGE ON DATABASE sec_db TO ROLE ${role}`, 'SYSADMIN');
      await control.sql(`GRANT USAGE ON SCHEMA sec_db.keys TO ROLE ${role}`, 'SYSADMIN');
    }
    const writer = await as('SEC_WRITER');
    await writer.query('GRANT USAGE ON SECRET sec_db.keys.deploy_key TO ROLE sec_reader');
    await writer.query('GRANT READ ON SECRET sec_db.keys.deploy_key TO ROLE sec_fetcher');
    const badPrivilege = await failure(
      writer.query('GRANT MODIFY ON SECRET sec_db.keys.deploy_key TO ROLE sec_reader'),
    );
    expect(badPrivilege.code).toBe('001008');

    const reader = await as('SEC_READER');
    expect((await reader.query('DESC SECRET sec_db.keys.deploy_key'))[0]?.secret_type).toBe('GENERIC_STRING');
    const alter = await failure(reader.query("ALTER SECRET sec_db.keys.deploy_key SET SECRET_STRING = 'x'"));
    expect([alter.code, alter.sqlState, alter.message]).toEqual([
      '003001',
      '42501',
      "SQL access control error:\nInsufficient privileges to operate on secret 'DEPLOY_KEY'",
    ]);
    expect((await failure(reader.query('DROP SECRET sec_db.keys.deploy_key'))).code).toBe('003001');

    const fetcher = await as('SEC_FETCHER');
    expect((await failure(fetcher.query('DESC SECRET sec_db.keys.deploy_key'))).code).toBe('003001');
    expect((await fetcher.query('SHOW SECRETS IN SCHEMA sec_db.keys')).map((s) => s.name)).toEqual([
      'DEPLOY_KEY',
    ]);

    const other = await as('SEC_OTHER');
    const invisible = await failure(other.query('DESC SECRET sec_db.keys.deploy_key'));
    expect([invisible.code, invisible.message]).toEqual([
      '002003',
      "SQL compilation error:\nSecret 'SEC_DB.KEYS.DEPLOY_KEY' does not exist or not authorized.",
    ]);
    expect(await other.query('SHOW SECRETS IN SCHEMA sec_db.keys')).toEqual([]);
    expect(await other.query("ALTER SECRET IF EXISTS sec_db.keys.deploy_key SET COMMENT = 'x'")).toEqual([
      { status: 'Statement executed successfully.' },
    ]);

    await writer.query("ALTER SECRET sec_db.keys.deploy_key SET SECRET_STRING = 'v2' COMMENT = 'second'");
    expect((await control.secrets()).find((s) => s.name === 'DEPLOY_KEY')).toMatchObject({
      secretString: 'v2',
      comment: 'second',
    });
    await writer.query('ALTER SECRET sec_db.keys.deploy_key UNSET COMMENT');
    expect((await writer.query('DESC SECRET sec_db.keys.deploy_key'))[0]?.comment).toBeNull();
    // USERNAME belongs to TYPE = PASSWORD; a failing ALTER changes nothing.
    expect(
      (
        await failure(
          writer.query("ALTER SECRET sec_db.keys.deploy_key SET SECRET_STRING = 'v3' USERNAME = 'u'"),
        )
      ).code,
    ).toBe('001008');
    expect((await control.secrets()).find((s) => s.name === 'DEPLOY_KEY')?.secretString).toBe('v2');
    await Promise.all([writer.close(), reader.close(), fetcher.close(), other.close()]);
  });

  it('resolves unqualified names against USE DATABASE / USE SCHEMA, and says so when there is none', async () => {
    const session = await as('SEC_WRITER');
    const noDb = await failure(
      session.query("CREATE SECRET loose TYPE = GENERIC_STRING SECRET_STRING = 'x'"),
    );
    expect([noDb.code, noDb.sqlState, noDb.message]).toEqual([
      '090105',
      '22000',
      "Cannot perform CREATE SECRET. This session does not have a current database. Call 'USE DATABASE', or use a qualified name.",
    ]);
    await session.query('USE DATABASE sec_db');
    expect(await session.query('SELECT CURRENT_DATABASE(), CURRENT_SCHEMA()')).toEqual([
      { 'CURRENT_DATABASE()': 'SEC_DB', 'CURRENT_SCHEMA()': 'PUBLIC' },
    ]);
    // PUBLIC belongs to SYSADMIN and the writer has no USAGE on it.
    expect((await failure(session.query('DESC SECRET deploy_key'))).message).toBe(
      "SQL compilation error:\nSchema 'SEC_DB.PUBLIC' does not exist or not authorized.",
    );
    expect((await session.query('DESC SECRET keys.deploy_key'))[0]?.name).toBe('DEPLOY_KEY');
    await session.query('USE SCHEMA keys');
    await session.query("CREATE SECRET loose TYPE = GENERIC_STRING SECRET_STRING = 'x'");
    expect((await session.query('SHOW SECRETS')).map((s) => s.name)).toEqual(['DEPLOY_KEY', 'LOOSE']);
    expect(await session.query('DROP SECRET loose')).toEqual([{ status: 'LOOSE successfully dropped.' }]);
    expect(await session.query('DROP SECRET IF EXISTS loose')).toEqual([
      { status: 'Drop statement executed successfully (LOOSE already dropped).' },
    ]);
    await session.close();
    // The connect string's database and schema start the session there.
    const placed = await as('SEC_WRITER', { database: 'sec_db', schema: 'keys' });
    expect(await placed.query('SELECT CURRENT_SCHEMA() AS s')).toEqual([{ S: 'KEYS' }]);
    expect((await placed.query('DESC SECRET deploy_key'))[0]?.name).toBe('DEPLOY_KEY');
    await placed.close();
  });

  it('CREATE [OR REPLACE] / IF NOT EXISTS, TYPE = PASSWORD, and quoted names', async () => {
    const session = await as('SEC_WRITER');
    const dup = await failure(session.query(create));
    expect([dup.code, dup.message]).toEqual([
      '002002',
      "SQL compilation error:\nObject 'DEPLOY_KEY' already exists.",
    ]);
    expect(await session.query(create.replace('CREATE SECRET', 'CREATE SECRET IF NOT EXISTS'))).toEqual([
      { status: 'DEPLOY_KEY already exists, statement succeeded.' },
    ]);
    await session.query(create.replace('CREATE', 'CREATE OR REPLACE').replace("'v1'", "'v3'"));
    expect((await control.secrets()).find((s) => s.name === 'DEPLOY_KEY')?.secretString).toBe('v3');
    // The replaced secret's grants went with it.
    expect(
      (await session.query('SHOW GRANTS ON SECRET sec_db.keys.deploy_key')).map((g) => g.privilege),
    ).toEqual(['OWNERSHIP']);

    await session.query(
      "CREATE SECRET sec_db.keys.\"basic Auth\" TYPE = PASSWORD USERNAME = 'svc' PASSWORD = 'pw'",
    );
    const desc = await session.query('DESC SECRET sec_db.keys."basic Auth"');
    expect(desc[0]).toMatchObject({ name: 'basic Auth', secret_type: 'PASSWORD', username: 'svc' });
    expect(JSON.stringify(desc)).not.toContain('pw');
    expect((await session.query('SHOW GRANTS ON SECRET sec_db.keys."basic Auth"'))[0]?.name).toBe(
      'SEC_DB.KEYS."basic Auth"',
    );
    expect((await control.secrets()).find((s) => s.name === 'basic Auth')).toMatchObject({
      type: 'PASSWORD',
      username: 'svc',
      password: 'pw',
      secretString: null,
    });
    expect((await failure(session.query('DESC SECRET sec_db.keys."basic auth"'))).message).toBe(
      'SQL compilation error:\nSecret \'SEC_DB.KEYS."basic auth"\' does not exist or not authorized.',
    );
    await session.close();
  });

  it('GRANT OWNERSHIP ON SECRET / SCHEMA / DATABASE with COPY or REVOKE CURRENT GRANTS; CREATE SCHEMA', async () => {
    const writer = await as('SEC_WRITER');
    // Once the reader holds USAGE on the secret, a transfer without COPY or REVOKE is refused.
    await writer.query('GRANT USAGE ON SECRET sec_db.keys.deploy_key TO ROLE sec_reader');
    expect(
      (await failure(writer.query('GRANT OWNERSHIP ON SECRET sec_db.keys.deploy_key TO ROLE sec_other')))
        .code,
    ).toBe('003032');
    await writer.query(
      'GRANT OWNERSHIP ON SECRET sec_db.keys.deploy_key TO ROLE sec_other COPY CURRENT GRANTS',
    );
    // The writer has no privilege left on it: the secret no longer exists for it.
    expect(
      (await failure(writer.query("ALTER SECRET sec_db.keys.deploy_key SET SECRET_STRING = 'x'"))).code,
    ).toBe('002003');
    const grants = await control.sql('SHOW GRANTS ON SECRET sec_db.keys.deploy_key', 'SECURITYADMIN');
    expect(grants.map((g) => [g.privilege, g.grantee_name, g.granted_by])).toEqual([
      ['USAGE', 'SEC_READER', 'SEC_OTHER'],
      ['OWNERSHIP', 'SEC_OTHER', 'SEC_OTHER'],
    ]);

    // CREATE SCHEMA needs CREATE SCHEMA on the database.
    const refused = await failure(writer.query('CREATE SCHEMA sec_db.more'));
    expect(refused.message).toBe(
      "SQL access control error:\nInsufficient privileges to operate on database 'SEC_DB'",
    );
    await control.sql('GRANT CREATE SCHEMA ON DATABASE sec_db TO ROLE sec_writer', 'SYSADMIN');
    expect(await writer.query('CREATE SCHEMA sec_db.more')).toEqual([
      { status: 'Schema MORE successfully created.' },
    ]);
    expect(await writer.query('SELECT CURRENT_SCHEMA() AS s')).toEqual([{ S: 'MORE' }]);
    await writer.query('GRANT OWNERSHIP ON SCHEMA sec_db.more TO ROLE sec_reader');
    expect((await control.sql('SHOW GRANTS ON SCHEMA sec_db.more', 'SECURITYADMIN'))[0]).toMatchObject({
      privilege: 'OWNERSHIP',
      granted_on: 'SCHEMA',
      name: 'SEC_DB.MORE',
      grantee_name: 'SEC_READER',
    });
    // SYSADMIN owns the database; other roles' grants on it block the transfer unless revoked.
    expect(
      (await failure(control.sql('GRANT OWNERSHIP ON DATABASE sec_db TO ROLE sec_other', 'SYSADMIN'))).code,
    ).toBe('003032');
    await control.sql(
      'GRANT OWNERSHIP ON DATABASE sec_db TO ROLE sysadmin REVOKE CURRENT GRANTS',
      'SYSADMIN',
    );
    expect(
      (await control.sql('SHOW GRANTS ON DATABASE sec_db', 'SECURITYADMIN')).map((g) => [
        g.privilege,
        g.grantee_name,
      ]),
    ).toEqual([['OWNERSHIP', 'SYSADMIN']]);
    await writer.close();
  });
});

describe('network policies', () => {
  // Every test leaves no account policy and no client-ip override behind: other blocks log in from
  // 127.0.0.1 with no policy in force.
  afterEach(async () => {
    await control.clientIp(null);
    await control.sql('ALTER ACCOUNT UNSET NETWORK_POLICY');
  });

  beforeAll(async () => {
    await control.sql(`CREATE USER np_user TYPE = SERVICE RSA_PUBLIC_KEY = '${keyA.publicBody}'`);
    await control.sql("CREATE USER np_person PASSWORD = 'pw-1' TYPE = PERSON");
    await control.sql('GRANT ROLE SECURITYADMIN TO USER np_user');
    for (const [name, allowed, blocked] of [
      ['np_runners', "'203.0.113.0/24'", "'203.0.113.66'"],
      ['np_local', "'127.0.0.1'", null],
      ['np_open', "'0.0.0.0/0'", null],
    ] as const) {
      const blockedList = blocked ? ` BLOCKED_IP_LIST = (${blocked})` : '';
      await control.sql(
        `CREATE NETWORK POLICY ${name} ALLOWED_IP_LIST = (${allowed})${blockedList}`,
        'SECURITYADMIN',
      );
    }
  });

  const keyLogin = (extra: Record<string, unknown> = {}) => login('np_user', keyA, extra);

  it('CREATE / DESC / SHOW / ALTER / DROP NETWORK POLICY with the documented shapes', async () => {
    const session = await keyLogin({ role: 'SECURITYADMIN' });
    expect(
      await session.query(
        "CREATE NETWORK POLICY np_shape ALLOWED_IP_LIST = ('192.168.0.0/24', '10.0.0.1') BLOCKED_IP_LIST = ('192.168.0.99') COMMENT = 'ci'",
      ),
    ).toEqual([{ status: 'Statement executed successfully.' }]);
    expect(await session.query('DESC NETWORK POLICY np_shape')).toEqual([
      { name: 'ALLOWED_IP_LIST', value: '192.168.0.0/24,10.0.0.1' },
      { name: 'BLOCKED_IP_LIST', value: '192.168.0.99' },
    ]);
    const shown = await session.query("SHOW NETWORK POLICIES LIKE 'np_shape'");
    expect(Object.keys(shown[0]!)).toEqual([
      'created_on',
      'name',
      'comment',
      'entries_in_allowed_ip_list',
      'entries_in_blocked_ip_list',
      'entries_in_allowed_network_rules',
      'entries_in_blocked_network_rules',
    ]);
    expect(shown[0]).toMatchObject({
      name: 'NP_SHAPE',
      comment: 'ci',
      entries_in_allowed_ip_list: 2,
      entries_in_blocked_ip_list: 1,
      entries_in_allowed_network_rules: 0,
    });
    expect(shown[0]!.created_on).toBeInstanceOf(Date);

    await session.query("ALTER NETWORK POLICY np_shape SET BLOCKED_IP_LIST = () COMMENT = 'changed'");
    expect(await session.query('DESC NETWORK POLICY np_shape')).toEqual([
      { name: 'ALLOWED_IP_LIST', value: '192.168.0.0/24,10.0.0.1' },
    ]);
    await session.query('ALTER NETWORK POLICY np_shape UNSET COMMENT');
    expect((await session.query("SHOW NETWORK POLICIES LIKE 'NP_SHAPE'"))[0]).toMatchObject({ comment: '' });

    expect(
      (await failure(session.query("CREATE NETWORK POLICY np_shape ALLOWED_IP_LIST = ('1.2.3.4')"))).code,
    ).toBe('002002');
    expect(
      await session.query("CREATE NETWORK POLICY IF NOT EXISTS np_shape ALLOWED_IP_LIST = ('1.2.3.4')"),
    ).toEqual([{ status: 'NP_SHAPE already exists, statement succeeded.' }]);
    await session.query("CREATE OR REPLACE NETWORK POLICY np_shape ALLOWED_IP_LIST = ('1.2.3.4')");
    expect(await session.query('DESC NETWORK POLICY np_shape')).toEqual([
      { name: 'ALLOWED_IP_LIST', value: '1.2.3.4' },
    ]);
    for (const bad of ["'1.2.3'", "'1.2.3.4/33'", "'::1'", "'300.1.1.1'"]) {
      expect(
        (await failure(session.query(`CREATE NETWORK POLICY np_bad ALLOWED_IP_LIST = (${bad})`))).code,
      ).toBe('001008');
    }
    expect(await session.query('DROP NETWORK POLICY np_shape')).toEqual([
      { status: 'NP_SHAPE successfully dropped.' },
    ]);
    expect(await session.query('DROP NETWORK POLICY IF EXISTS np_shape')).toEqual([
      { status: 'Drop statement executed successfully (NP_SHAPE already dropped).' },
    ]);
    const gone = await failure(session.query('DESC NETWORK POLICY np_shape'));
    expect([gone.code, gone.message]).toEqual([
      '002003',
      "SQL compilation error:\nNetwork policy 'NP_SHAPE' does not exist or not authorized.",
    ]);
    await session.close();
  });

  it('needs CREATE NETWORK POLICY to create, OWNERSHIP to describe, alter or drop; GRANT OWNERSHIP moves it', async () => {
    // USERADMIN has neither CREATE NETWORK POLICY nor MANAGE GRANTS.
    const refused = await failure(
      control.sql("CREATE NETWORK POLICY np_ua ALLOWED_IP_LIST = ('1.2.3.4')", 'USERADMIN'),
    );
    expect(refused.code).toBe('003001');
    expect(refused.message).toMatch(
      /^SQL access control error:\nInsufficient privileges to operate on account /,
    );
    // A role without any privilege on a policy does not see it.
    expect((await failure(control.sql('DESC NETWORK POLICY np_runners', 'USERADMIN'))).code).toBe('002003');
    expect(await control.sql('SHOW NETWORK POLICIES', 'USERADMIN')).toEqual([]);
    // ACCOUNTADMIN is above the owner (SECURITYADMIN).
    expect(await control.sql('DESC NETWORK POLICY np_runners')).toEqual([
      { name: 'ALLOWED_IP_LIST', value: '203.0.113.0/24' },
      { name: 'BLOCKED_IP_LIST', value: '203.0.113.66' },
    ]);

    await control.sql('CREATE ROLE np_admin');
    await control.sql('GRANT CREATE NETWORK POLICY ON ACCOUNT TO ROLE np_admin');
    await control.sql("CREATE NETWORK POLICY np_owned ALLOWED_IP_LIST = ('1.2.3.4')", 'NP_ADMIN');
    expect(
      (await control.sql('SHOW GRANTS ON NETWORK POLICY np_owned')).map((g) => [
        g.privilege,
        g.granted_on,
        g.grantee_name,
      ]),
    ).toEqual([['OWNERSHIP', 'NETWORK_POLICY', 'NP_ADMIN']]);
    await control.sql('GRANT OWNERSHIP ON NETWORK POLICY np_owned TO ROLE USERADMIN', 'NP_ADMIN');
    expect((await failure(control.sql('DESC NETWORK POLICY np_owned', 'NP_ADMIN'))).code).toBe('002003');
    expect(await control.sql('DESC NETWORK POLICY np_owned', 'USERADMIN')).toHaveLength(1);
    await control.sql('DROP NETWORK POLICY np_owned', 'USERADMIN');
  });

  it('refuses a key-pair login from outside the account policy with 390422, and logs the code and address', async () => {
    await control.sql('ALTER ACCOUNT SET NETWORK_POLICY = np_runners');
    await control.clearLog();
    const refused = await failure(keyLogin());
    expect(refused.code).toBe('390422');
    expect(refused.message).toBe(
      'Incoming request with IP/Token 127.0.0.1 is not allowed to access Snowflake. Contact your account administrator.',
    );
    // Pretend to be a runner inside the allowed range.
    await control.clientIp('203.0.113.7');
    const session = await keyLogin();
    await session.close();
    // The blocked list wins over the allowed range it falls in.
    await control.clientIp('203.0.113.66');
    expect((await failure(keyLogin())).message).toMatch(/^Incoming request with IP\/Token 203\.0\.113\.66 /);
    const logins = (await control.log()).filter((e) => e.kind === 'login');
    expect(logins.map((e) => [e.user, e.ok, e.code, e.clientIp])).toEqual([
      ['np_user', false, '390422', '127.0.0.1'],
      ['NP_USER', true, null, '203.0.113.7'],
      ['np_user', false, '390422', '203.0.113.66'],
    ]);
    expect(logins[0]!.message).toBe('network policy NP_RUNNERS does not allow 127.0.0.1');
  });

  it("applies the user's policy instead of the account's, for every authenticator; 0.0.0.0/0 allows all", async () => {
    await control.sql('ALTER ACCOUNT SET NETWORK_POLICY = np_runners');
    await control.registerToken({ type: 'oauth', token: 'np-oauth', user: 'NP_PERSON' });
    const passwordLogin = () =>
      connect({
        accessUrl: emulator.url,
        account: emulator.account,
        username: 'np_person',
        password: 'pw-1',
      });
    const oauthLogin = () =>
      connect({
        accessUrl: emulator.url,
        account: emulator.account,
        username: 'np_person',
        authenticator: 'OAUTH',
        token: 'np-oauth',
      });
    for (const attempt of [keyLogin, passwordLogin, oauthLogin]) {
      expect((await failure(attempt())).code).toBe('390422');
    }
    // User-level policies override the account's, in both directions.
    await control.sql('ALTER USER np_user SET NETWORK_POLICY = np_local');
    await control.sql('ALTER USER np_person SET NETWORK_POLICY = np_open');
    for (const attempt of [keyLogin, passwordLogin, oauthLogin]) await (await attempt()).close();
    await control.clientIp('198.51.100.1');
    expect((await failure(keyLogin())).code).toBe('390422');
    await (await passwordLogin()).close();
    await control.sql('ALTER USER np_user UNSET NETWORK_POLICY');
    await control.sql('ALTER USER np_person UNSET NETWORK_POLICY');
    await control.sql('ALTER ACCOUNT UNSET NETWORK_POLICY');
    // No policy anywhere: every address is welcome again.
    await (await keyLogin()).close();
  });

  it('a PAT needs a network policy (390432) unless registered with networkPolicyRequired: false', async () => {
    await control.registerToken({ type: 'pat', token: 'np-pat-default', user: 'NP_USER' });
    await control.registerToken({
      type: 'pat',
      token: 'np-pat-relaxed',
      user: 'NP_USER',
      networkPolicyRequired: false,
    });
    await control.registerToken({
      type: 'pat',
      token: 'np-pat-not-enforced',
      user: 'NP_USER',
      networkPolicyEvaluation: 'NOT_ENFORCED',
    });
    const patLogin = (token: string) =>
      connect({
        accessUrl: emulator.url,
        account: emulator.account,
        username: 'np_user',
        authenticator: 'PROGRAMMATIC_ACCESS_TOKEN',
        token,
      });
    const refused = await failure(patLogin('np-pat-default'));
    expect([refused.code, refused.message]).toEqual(['390432', 'Fail : Network policy is required.']);
    await (await patLogin('np-pat-relaxed')).close();
    await (await patLogin('np-pat-not-enforced')).close();

    // With an account policy the default PAT works from inside it and is refused from outside.
    await control.sql('ALTER ACCOUNT SET NETWORK_POLICY = np_runners');
    expect((await failure(patLogin('np-pat-default'))).code).toBe('390422');
    expect((await failure(patLogin('np-pat-relaxed'))).code).toBe('390422');
    // NOT_ENFORCED: the policy is not evaluated for PAT logins at all.
    await (await patLogin('np-pat-not-enforced')).close();
    await control.clientIp('203.0.113.7');
    await (await patLogin('np-pat-default')).close();
    // The credential comes first: an unknown PAT is 394400 wherever it comes from.
    expect((await failure(patLogin('np-pat-unknown'))).code).toBe('394400');
  });

  it('ALTER USER SET NETWORK_POLICY needs OWNERSHIP of the user and of the policy', async () => {
    await control.sql('CREATE ROLE np_user_owner');
    await control.sql('CREATE USER np_owned_user', 'USERADMIN');
    await control.sql('GRANT OWNERSHIP ON USER np_owned_user TO ROLE np_user_owner');
    // Owns the user, not the policy.
    const noPolicy = await failure(
      control.sql('ALTER USER np_owned_user SET NETWORK_POLICY = np_local', 'NP_USER_OWNER'),
    );
    expect(noPolicy.code).toBe('002003');
    await control.sql('GRANT OWNERSHIP ON NETWORK POLICY np_local TO ROLE np_user_owner', 'SECURITYADMIN');
    await control.sql('ALTER USER np_owned_user SET NETWORK_POLICY = np_local', 'NP_USER_OWNER');
    // Owns the policy (through the hierarchy), not the user: SECURITYADMIN does not inherit NP_USER_OWNER.
    expect(
      (await failure(control.sql('ALTER USER np_owned_user UNSET NETWORK_POLICY', 'SECURITYADMIN'))).code,
    ).toBe('003001');
    // A policy in use cannot be dropped or replaced.
    const drop = await failure(control.sql('DROP NETWORK POLICY np_local', 'NP_USER_OWNER'));
    expect(drop.message).toMatch(/currently assigned to user NP_OWNED_USER/);
    await control.sql('ALTER USER np_owned_user UNSET NETWORK_POLICY', 'NP_USER_OWNER');
    await control.sql('GRANT OWNERSHIP ON NETWORK POLICY np_local TO ROLE SECURITYADMIN', 'NP_USER_OWNER');
    // A policy that does not exist.
    expect((await failure(control.sql('CREATE USER np_x NETWORK_POLICY = no_such_policy'))).message).toBe(
      "SQL compilation error:\nNetwork policy 'NO_SUCH_POLICY' does not exist or not authorized.",
    );
  });

  it('ALTER ACCOUNT SET NETWORK_POLICY needs SECURITYADMIN and refuses to lock out the requester', async () => {
    expect((await failure(control.sql('ALTER ACCOUNT SET NETWORK_POLICY = np_open', 'USERADMIN'))).code).toBe(
      '003001',
    );
    const session = await keyLogin({ role: 'SECURITYADMIN' });
    const lockout = await failure(session.query('ALTER ACCOUNT SET NETWORK_POLICY = np_runners'));
    expect(lockout.message).toMatch(
      /^Network policy NP_RUNNERS cannot be activated\. Requestor IP address\/Token, 127\.0\.0\.1, must be included/,
    );
    await session.query('ALTER ACCOUNT SET NETWORK_POLICY = np_local');
    // Assigned to the account: cannot be dropped.
    expect((await failure(session.query('DROP NETWORK POLICY np_local'))).message).toMatch(
      /currently assigned to the account/,
    );
    await session.query('ALTER ACCOUNT UNSET NETWORK_POLICY');
    await session.close();
  });
});

describe('warehouses', () => {
  // SYSADMIN holds CREATE WAREHOUSE by default; wh_role starts with nothing.
  beforeAll(async () => {
    await control.sql(`CREATE USER wh_user TYPE = SERVICE RSA_PUBLIC_KEY = '${keyA.publicBody}'`);
    await control.sql('CREATE ROLE wh_role');
    for (const role of ['SYSADMIN', 'wh_role']) await control.sql(`GRANT ROLE ${role} TO USER wh_user`);
  });

  const as = (role: string, extra: Record<string, unknown> = {}) =>
    login('wh_user', keyA, { role, ...extra });

  it("CREATE WAREHOUSE as Segment's guide writes it; SHOW WAREHOUSES with Snowflake's columns", async () => {
    const session = await as('SYSADMIN');
    expect(
      await session.query(`CREATE WAREHOUSE wh_seg
    WITH WAREHOUSE_SIZE = 'XSMALL'
      WAREHOUSE_TYPE = 'STANDARD'
      AUTO_SUSPEND = 600 -- 5 minutes
      AUTO_RESUME = TRUE;`),
    ).toEqual([{ status: 'Warehouse WH_SEG successfully created.' }]);
    // The new warehouse becomes the session's current one.
    expect(await session.query('SELECT CURRENT_WAREHOUSE()')).toEqual([{ 'CURRENT_WAREHOUSE()': 'WH_SEG' }]);
    const rows = await session.query("SHOW WAREHOUSES LIKE 'wh_seg'");
    expect(Object.keys(rows[0]!)).toEqual([
      'name',
      'state',
      'type',
      'size',
      'min_cluster_count',
      'max_cluster_count',
      'started_clusters',
      'running',
      'queued',
      'is_default',
      'is_current',
      'auto_suspend',
      'auto_resume',
      'available',
      'provisioning',
      'quiescing',
      'other',
      'created_on',
      'resumed_on',
      'updated_on',
      'owner',
      'comment',
      'enable_query_acceleration',
      'query_acceleration_max_scale_factor',
      'resource_monitor',
      'actives',
      'pendings',
      'failed',
      'suspended',
      'uuid',
      'scaling_policy',
      'budget',
      'owner_role_type',
      'warehouse_credit_limit',
      'target_statement_size',
      'disabled_reasons',
    ]);
    expect(rows[0]).toMatchObject({
      name: 'WH_SEG',
      state: 'STARTED',
      type: 'STANDARD',
      size: 'X-Small',
      min_cluster_count: 1,
      max_cluster_count: 1,
      is_current: 'Y',
      auto_suspend: 600,
      auto_resume: 'true',
      owner: 'SYSADMIN',
      comment: '',
      scaling_policy: 'STANDARD',
      owner_role_type: 'ROLE',
    });
    expect(rows[0]!.created_on).toBeInstanceOf(Date);

    expect(await session.query("CREATE WAREHOUSE IF NOT EXISTS wh_seg WAREHOUSE_SIZE = 'LARGE'")).toEqual([
      { status: 'WH_SEG already exists, statement succeeded.' },
    ]);
    expect((await session.query("SHOW WAREHOUSES LIKE 'WH_SEG'"))[0]!.size).toBe('X-Small');
    const dup = await failure(session.query('CREATE WAREHOUSE wh_seg'));
    expect([dup.code, dup.message]).toEqual([
      '002002',
      "SQL compilation error:\nObject 'WH_SEG' already exists.",
    ]);

    await session.query(
      "CREATE OR REPLACE WAREHOUSE wh_big WAREHOUSE_SIZE = '2X-Large' WAREHOUSE_TYPE = 'SNOWPARK-OPTIMIZED' AUTO_SUSPEND = NULL AUTO_RESUME = FALSE INITIALLY_SUSPENDED = TRUE COMMENT = 'big'",
    );
    expect((await session.query("SHOW WAREHOUSES LIKE 'wh_big'"))[0]).toMatchObject({
      name: 'WH_BIG',
      state: 'SUSPENDED',
      type: 'SNOWPARK-OPTIMIZED',
      size: '2X-Large',
      auto_suspend: null,
      auto_resume: 'false',
      is_current: 'Y',
      comment: 'big',
    });
    expect((await session.query('SHOW WAREHOUSES')).map((w) => w.name)).toEqual(['WH_BIG', 'WH_SEG']);
    await session.close();
  });

  it('accepts the documented size synonyms and types; refuses others', async () => {
    const session = await as('SYSADMIN');
    for (const [given, shown] of [
      ["'X-SMALL'", 'X-Small'],
      ['small', 'Small'],
      ['MEDIUM', 'Medium'],
      ["'x-large'", 'X-Large'],
      ['X2LARGE', '2X-Large'],
      ['XXXLARGE', '3X-Large'],
      ["'4X-LARGE'", '4X-Large'],
      ['X6LARGE', '6X-Large'],
    ]) {
      await session.query(`CREATE OR REPLACE WAREHOUSE wh_size WAREHOUSE_SIZE = ${given}`);
      expect((await session.query("SHOW WAREHOUSES LIKE 'wh_size'"))[0]!.size).toBe(shown);
    }
    // Defaults: X-Small, STANDARD, 600 seconds, auto-resume on.
    await session.query('CREATE OR REPLACE WAREHOUSE wh_size');
    expect((await session.query("SHOW WAREHOUSES LIKE 'wh_size'"))[0]).toMatchObject({
      size: 'X-Small',
      type: 'STANDARD',
      auto_suspend: 600,
      auto_resume: 'true',
      state: 'STARTED',
    });
    expect((await failure(session.query("CREATE WAREHOUSE wh_bad WAREHOUSE_SIZE = 'HUGE'"))).code).toBe(
      '001008',
    );
    expect((await failure(session.query("CREATE WAREHOUSE wh_bad WAREHOUSE_TYPE = 'GPU'"))).code).toBe(
      '001008',
    );
    expect((await failure(session.query('CREATE WAREHOUSE wh_bad COLOUR = 1'))).code).toBe('001008');
    // Hyphenated values must be quoted.
    expect((await failure(session.query('CREATE WAREHOUSE wh_bad WAREHOUSE_SIZE = X-SMALL'))).code).toBe(
      '001003',
    );
    expect(await session.query("SHOW WAREHOUSES LIKE 'wh_bad'")).toEqual([]);
    expect(await session.query('DROP WAREHOUSE wh_size')).toEqual([
      { status: 'WH_SIZE successfully dropped.' },
    ]);
    expect(await session.query('DROP WAREHOUSE IF EXISTS wh_size')).toEqual([
      { status: 'Drop statement executed successfully (WH_SIZE already dropped).' },
    ]);
    const gone = await failure(session.query('DROP WAREHOUSE wh_size'));
    expect([gone.code, gone.message]).toEqual([
      '002003',
      "SQL compilation error:\nWarehouse 'WH_SIZE' does not exist or not authorized.",
    ]);
    await session.close();
  });

  it('needs CREATE WAREHOUSE to create, a privilege to see, USAGE to use, OWNERSHIP to drop', async () => {
    const owner = await as('SYSADMIN');
    await owner.query('CREATE WAREHOUSE IF NOT EXISTS wh_seg');
    const session = await as('wh_role');
    const create = await failure(session.query('CREATE WAREHOUSE wh_mine'));
    expect([create.code, create.sqlState, create.message]).toEqual([
      '003001',
      '42501',
      "SQL access control error:\nInsufficient privileges to operate on account 'TESTORG-TESTACCOUNT'",
    ]);
    expect(await session.query('SHOW WAREHOUSES')).toEqual([]);
    const hidden = await failure(session.query('USE WAREHOUSE wh_seg'));
    expect([hidden.code, hidden.message]).toEqual([
      '002003',
      "SQL compilation error:\nWarehouse 'WH_SEG' does not exist or not authorized.",
    ]);
    expect((await failure(session.query('GRANT USAGE ON WAREHOUSE wh_seg TO ROLE wh_role'))).code).toBe(
      '002003',
    );

    await owner.query('GRANT USAGE ON WAREHOUSE wh_seg TO ROLE wh_role');
    expect((await session.query('SHOW WAREHOUSES')).map((w) => [w.name, w.owner])).toEqual([
      ['WH_SEG', 'SYSADMIN'],
    ]);
    await session.query('USE WAREHOUSE wh_seg');
    expect(await session.query('SELECT CURRENT_WAREHOUSE()')).toEqual([{ 'CURRENT_WAREHOUSE()': 'WH_SEG' }]);
    const drop = await failure(session.query('DROP WAREHOUSE wh_seg'));
    expect([drop.code, drop.message]).toEqual([
      '003001',
      "SQL access control error:\nInsufficient privileges to operate on warehouse 'WH_SEG'",
    ]);
    const regrant = await failure(session.query('GRANT OPERATE ON WAREHOUSE wh_seg TO ROLE wh_role'));
    expect([regrant.code, regrant.message]).toEqual([
      '003001',
      "SQL access control error:\nInsufficient privileges to operate on warehouse 'WH_SEG'",
    ]);
    expect((await failure(owner.query('GRANT CREATE SCHEMA ON WAREHOUSE wh_seg TO ROLE wh_role'))).code).toBe(
      '001008',
    );
    await owner.query('GRANT OPERATE, MONITOR, MODIFY ON WAREHOUSE wh_seg TO ROLE wh_role');
    const toRole = await session.query('SHOW GRANTS TO ROLE wh_role');
    expect(toRole.map((g) => [g.privilege, g.granted_on, g.name, g.grantee_name, g.granted_by])).toEqual([
      ['USAGE', 'WAREHOUSE', 'WH_SEG', 'WH_ROLE', 'SYSADMIN'],
      ['OPERATE', 'WAREHOUSE', 'WH_SEG', 'WH_ROLE', 'SYSADMIN'],
      ['MONITOR', 'WAREHOUSE', 'WH_SEG', 'WH_ROLE', 'SYSADMIN'],
      ['MODIFY', 'WAREHOUSE', 'WH_SEG', 'WH_ROLE', 'SYSADMIN'],
    ]);
    const on = await owner.query('SHOW GRANTS ON WAREHOUSE wh_seg');
    expect(on.map((g) => [g.privilege, g.granted_on, g.grantee_name, g.grant_option])).toEqual([
      ['OWNERSHIP', 'WAREHOUSE', 'SYSADMIN', 'true'],
      ['USAGE', 'WAREHOUSE', 'WH_ROLE', 'false'],
      ['OPERATE', 'WAREHOUSE', 'WH_ROLE', 'false'],
      ['MONITOR', 'WAREHOUSE', 'WH_ROLE', 'false'],
      ['MODIFY', 'WAREHOUSE', 'WH_ROLE', 'false'],
    ]);
    await owner.query('REVOKE OPERATE, MONITOR, MODIFY ON WAREHOUSE wh_seg FROM ROLE wh_role');

    // A login's warehouse becomes current only if the role may use it.
    const publicSession = await as('PUBLIC', { warehouse: 'wh_seg' });
    expect(await publicSession.query('SELECT CURRENT_WAREHOUSE()')).toEqual([
      { 'CURRENT_WAREHOUSE()': null },
    ]);
    const usable = await as('wh_role', { warehouse: 'wh_seg' });
    expect(await usable.query('SELECT CURRENT_WAREHOUSE()')).toEqual([{ 'CURRENT_WAREHOUSE()': 'WH_SEG' }]);

    // GRANT OWNERSHIP moves it; with COPY CURRENT GRANTS the USAGE grant stays.
    await owner.query('CREATE WAREHOUSE wh_moved');
    await owner.query('GRANT MONITOR ON WAREHOUSE wh_moved TO ROLE wh_role');
    expect((await failure(owner.query('GRANT OWNERSHIP ON WAREHOUSE wh_moved TO ROLE wh_role'))).code).toBe(
      '003032',
    );
    await owner.query('GRANT OWNERSHIP ON WAREHOUSE wh_moved TO ROLE wh_role COPY CURRENT GRANTS');
    expect((await session.query("SHOW WAREHOUSES LIKE 'wh_moved'"))[0]!.owner).toBe('WH_ROLE');
    expect(await session.query('DROP WAREHOUSE wh_moved')).toEqual([
      { status: 'WH_MOVED successfully dropped.' },
    ]);
    for (const s of [owner, session, publicSession, usable]) await s.close();
  });
  it('ALTER WAREHOUSE SET changes the properties SHOW WAREHOUSES reads, with MODIFY, all or none', async () => {
    const owner = await as('SYSADMIN');
    await owner.query("CREATE WAREHOUSE wh_alter WITH WAREHOUSE_SIZE = 'XSMALL' AUTO_SUSPEND = 600");
    expect(
      await owner.query(
        "ALTER WAREHOUSE wh_alter SET WAREHOUSE_SIZE = 'SMALL' AUTO_SUSPEND = 60 AUTO_RESUME = FALSE",
      ),
    ).toEqual([{ status: 'Statement executed successfully.' }]);
    const read = async (): Promise<unknown[]> =>
      (await owner.query("SHOW WAREHOUSES LIKE 'wh_alter'")).map((w) => [
        w.size,
        w.auto_suspend,
        w.auto_resume,
        w.type,
      ]);
    expect(await read()).toEqual([['Small', 60, 'false', 'STANDARD']]);
    await owner.query(
      "ALTER WAREHOUSE wh_alter SET WAREHOUSE_TYPE = 'SNOWPARK-OPTIMIZED' AUTO_SUSPEND = NULL",
    );
    expect(await read()).toEqual([['Small', null, 'false', 'SNOWPARK-OPTIMIZED']]);
    // A bad value refuses the whole statement; INITIALLY_SUSPENDED is CREATE's only.
    const bad = await failure(
      owner.query("ALTER WAREHOUSE wh_alter SET AUTO_RESUME = TRUE WAREHOUSE_SIZE = 'HUGE'"),
    );
    expect([bad.code, bad.message]).toEqual([
      '001008',
      "SQL compilation error:\ninvalid value ['HUGE'] for parameter 'WAREHOUSE_SIZE'",
    ]);
    expect((await failure(owner.query('ALTER WAREHOUSE wh_alter SET INITIALLY_SUSPENDED = TRUE'))).code).toBe(
      '001008',
    );
    expect(await read()).toEqual([['Small', null, 'false', 'SNOWPARK-OPTIMIZED']]);
    // A role with USAGE sees it but may not change it; MODIFY may.
    const session = await as('wh_role');
    await owner.query('GRANT USAGE ON WAREHOUSE wh_alter TO ROLE wh_role');
    const refused = await failure(session.query('ALTER WAREHOUSE wh_alter SET AUTO_SUSPEND = 300'));
    expect([refused.code, refused.message]).toEqual([
      '003001',
      "SQL access control error:\nInsufficient privileges to operate on warehouse 'WH_ALTER'",
    ]);
    await owner.query('GRANT MODIFY ON WAREHOUSE wh_alter TO ROLE wh_role');
    await session.query('ALTER WAREHOUSE wh_alter SET AUTO_SUSPEND = 300');
    expect(await read()).toEqual([['Small', 300, 'false', 'SNOWPARK-OPTIMIZED']]);
    expect(await session.query('ALTER WAREHOUSE IF EXISTS wh_none SET AUTO_SUSPEND = 60')).toEqual([
      { status: 'Statement executed successfully.' },
    ]);
    expect((await failure(session.query('ALTER WAREHOUSE wh_none SET AUTO_SUSPEND = 60'))).code).toBe(
      '002003',
    );
    await owner.query('DROP WAREHOUSE wh_alter');
    for (const s of [owner, session]) await s.close();
  });
});

describe('what an access spec applies: SHOW PARAMETERS, one-statement CREATE USER, account privileges', () => {
  afterEach(async () => {
    await control.sql('ALTER ACCOUNT UNSET NETWORK_POLICY');
  });

  beforeAll(async () => {
    await control.sql("CREATE NETWORK POLICY spec_local ALLOWED_IP_LIST = ('127.0.0.1')");
    await control.sql("CREATE NETWORK POLICY spec_any ALLOWED_IP_LIST = ('0.0.0.0/0')");
  });

  it("reads a user's and the account's NETWORK_POLICY back with SHOW PARAMETERS", async () => {
    await control.sql(
      `CREATE USER param_user TYPE = SERVICE NETWORK_POLICY = spec_local RSA_PUBLIC_KEY = '${keyB.publicBody}'`,
    );
    await control.sql(`CREATE USER param_plain TYPE = SERVICE RSA_PUBLIC_KEY = '${keyB.publicBody}'`);
    const session = await login('param_user', keyB);
    const own = await session.query("SHOW PARAMETERS LIKE 'network_policy' IN USER");
    expect(own).toEqual([
      {
        key: 'NETWORK_POLICY',
        value: 'SPEC_LOCAL',
        default: '',
        level: 'USER',
        description: 'Network policy assigned for the given target.',
        type: 'STRING',
      },
    ]);
    expect(await session.query("SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER param_user")).toEqual(own);
    // Another user's parameters need OWNERSHIP of it (our choice, as for DESC USER).
    const other = await failure(session.query("SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER param_plain"));
    expect([other.code, other.message]).toEqual([
      '003001',
      "SQL access control error:\nInsufficient privileges to operate on user 'PARAM_PLAIN'",
    ]);
    expect((await failure(session.query("SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER nobody"))).code).toBe(
      '002003',
    );
    expect(await session.query("SHOW PARAMETERS LIKE 'TIMEZONE' IN USER")).toEqual([]);
    expect(await session.query("SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN ACCOUNT")).toEqual([
      {
        key: 'NETWORK_POLICY',
        value: '',
        default: '',
        level: '',
        description: 'Network policy assigned for the account.',
        type: 'STRING',
      },
    ]);
    await session.close();

    const plain = async () =>
      (await control.sql("SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER param_plain")).map((r) => [
        r.value,
        r.level,
      ]);
    expect(await plain()).toEqual([['', '']]);
    await control.sql('ALTER ACCOUNT SET NETWORK_POLICY = spec_any');
    expect(
      (await control.sql("SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN ACCOUNT")).map((r) => [r.value, r.level]),
    ).toEqual([['SPEC_ANY', 'ACCOUNT']]);
    // A user without its own policy shows the account's, at level ACCOUNT; its own wins at level USER.
    expect(await plain()).toEqual([['SPEC_ANY', 'ACCOUNT']]);
    await control.sql('ALTER USER param_plain SET NETWORK_POLICY = spec_local');
    expect(await plain()).toEqual([['SPEC_LOCAL', 'USER']]);
    await control.sql('ALTER USER param_plain UNSET NETWORK_POLICY');
    expect((await failure(control.sql("SHOW PARAMETERS LIKE 'TIMEZONE' IN SESSION"))).code).toBe('001008');
  });

  it('takes every user property in one CREATE USER IF NOT EXISTS', async () => {
    await control.sql("CREATE ROLE IF NOT EXISTS spec_role COMMENT = 'spec role'");
    expect(await control.sql("CREATE ROLE IF NOT EXISTS spec_role COMMENT = 'other'")).toEqual([
      { status: 'SPEC_ROLE already exists, statement succeeded.' },
    ]);
    await control.sql('CREATE WAREHOUSE IF NOT EXISTS spec_wh WAREHOUSE_SIZE = XSMALL');
    const statement = `CREATE USER IF NOT EXISTS spec_user TYPE = SERVICE DEFAULT_ROLE = spec_role DEFAULT_WAREHOUSE = spec_wh DEFAULT_NAMESPACE = 'spec_db.private' NETWORK_POLICY = spec_local COMMENT = 'made by a spec' WORKLOAD_IDENTITY = (TYPE = OIDC ISSUER = 'https://token.actions.githubusercontent.com' SUBJECT = 'repo:acme/app:environment:spec') RSA_PUBLIC_KEY = '${keyC.publicBody}'`;
    expect(await control.sql(statement)).toEqual([{ status: 'User SPEC_USER successfully created.' }]);
    expect(await control.sql(statement)).toEqual([
      { status: 'SPEC_USER already exists, statement succeeded.' },
    ]);
    await control.sql('GRANT ROLE spec_role TO USER spec_user');
    const desc = Object.fromEntries(
      (await control.sql('DESC USER spec_user')).map((r) => [r.property as string, r.value as string]),
    );
    expect(desc).toMatchObject({
      TYPE: 'SERVICE',
      DEFAULT_ROLE: 'SPEC_ROLE',
      DEFAULT_WAREHOUSE: 'SPEC_WH',
      DEFAULT_NAMESPACE: 'spec_db.private',
      COMMENT: 'made by a spec',
      HAS_WORKLOAD_IDENTITY: 'true',
      RSA_PUBLIC_KEY: keyC.publicBody,
    });
    expect(
      (await control.sql("SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER spec_user")).map((r) => [
        r.value,
        r.level,
      ]),
    ).toEqual([['SPEC_LOCAL', 'USER']]);
    // The identifier form of DEFAULT_NAMESPACE is upper-cased like any identifier.
    await control.sql('CREATE USER spec_user_2 DEFAULT_NAMESPACE = spec_db.private');
    expect(
      (await control.sql('DESC USER spec_user_2')).find((r) => r.property === 'DEFAULT_NAMESPACE')!.value,
    ).toBe('SPEC_DB.PRIVATE');
    // The login lands in the default role and, as the role may use it, the default warehouse.
    await control.sql('GRANT USAGE ON WAREHOUSE spec_wh TO ROLE spec_role');
    const session = await login('spec_user', keyC);
    expect(await session.query('SELECT CURRENT_ROLE(), CURRENT_WAREHOUSE()')).toEqual([
      { 'CURRENT_ROLE()': 'SPEC_ROLE', 'CURRENT_WAREHOUSE()': 'SPEC_WH' },
    ]);
    await session.close();
    const roles = await control.sql("SHOW ROLES LIKE 'spec_role'");
    expect(Object.keys(roles[0]!)).toEqual([
      'created_on',
      'name',
      'is_default',
      'is_current',
      'is_inherited',
      'assigned_to_users',
      'granted_to_roles',
      'granted_roles',
      'owner',
      'comment',
    ]);
    expect(roles.map((r) => [r.name, r.owner, r.comment, r.assigned_to_users])).toEqual([
      ['SPEC_ROLE', 'ACCOUNTADMIN', 'spec role', '1'],
    ]);
  });

  it('takes the quoted-identifier forms a generated script writes', async () => {
    for (const statement of [
      `CREATE WAREHOUSE IF NOT EXISTS "QUOTED_WH" WITH WAREHOUSE_SIZE = 'XSMALL' WAREHOUSE_TYPE = 'STANDARD' AUTO_SUSPEND = 600 AUTO_RESUME = TRUE`,
      'CREATE ROLE IF NOT EXISTS "QUOTED_ROLE"',
      'GRANT USAGE ON WAREHOUSE "QUOTED_WH" TO ROLE "QUOTED_ROLE"',
      `CREATE USER IF NOT EXISTS "QUOTED_USER" TYPE = SERVICE DEFAULT_ROLE = "QUOTED_ROLE" DEFAULT_WAREHOUSE = "QUOTED_WH" DEFAULT_NAMESPACE = 'QUOTED_DB.PUBLIC' NETWORK_POLICY = "SPEC_LOCAL" COMMENT = 'q'`,
      'GRANT ROLE "QUOTED_ROLE" TO USER "QUOTED_USER"',
      'GRANT OWNERSHIP ON USER "QUOTED_USER" TO ROLE "QUOTED_ROLE" COPY CURRENT GRANTS',
      'GRANT OWNERSHIP ON WAREHOUSE "QUOTED_WH" TO ROLE "QUOTED_ROLE" COPY CURRENT GRANTS',
    ]) {
      await control.sql(statement);
    }
    expect((await control.sql("SHOW WAREHOUSES LIKE 'QUOTED_WH'"))[0]).toMatchObject({
      size: 'X-Small',
      owner: 'QUOTED_ROLE',
    });
    // Once a role outside ACCOUNTADMIN's hierarchy owns the user, reading its parameters needs that
    // role in the hierarchy (our choice, as for DESC USER: MANAGE GRANTS is not enough).
    const params = 'SHOW PARAMETERS LIKE \'NETWORK_POLICY\' IN USER "QUOTED_USER"';
    expect((await failure(control.sql(params))).code).toBe('003001');
    await control.sql('GRANT ROLE "QUOTED_ROLE" TO ROLE SYSADMIN');
    expect((await control.sql(params)).map((r) => r.value)).toEqual(['SPEC_LOCAL']);
    expect((await control.sql("SHOW USERS LIKE 'QUOTED_USER'"))[0]).toMatchObject({
      owner: 'QUOTED_ROLE',
      default_warehouse: 'QUOTED_WH',
      default_role: 'QUOTED_ROLE',
      default_namespace: 'QUOTED_DB.PUBLIC',
      type: 'SERVICE',
    });
  });

  it('grants account privileges, roles to roles, CREATE SECRET, and user ownership and key rights', async () => {
    await control.sql('CREATE ROLE IF NOT EXISTS spec_admin');
    await control.sql(
      'GRANT CREATE DATABASE, CREATE WAREHOUSE, CREATE ROLE, CREATE USER, CREATE NETWORK POLICY, MANAGE GRANTS ON ACCOUNT TO ROLE spec_admin',
    );
    await control.sql('GRANT ROLE spec_admin TO ROLE SYSADMIN');
    const grants = await control.sql('SHOW GRANTS TO ROLE spec_admin');
    expect(grants.map((g) => [g.privilege, g.granted_on, g.name])).toEqual([
      ['CREATE DATABASE', 'ACCOUNT', 'TESTORG-TESTACCOUNT'],
      ['CREATE WAREHOUSE', 'ACCOUNT', 'TESTORG-TESTACCOUNT'],
      ['CREATE ROLE', 'ACCOUNT', 'TESTORG-TESTACCOUNT'],
      ['CREATE USER', 'ACCOUNT', 'TESTORG-TESTACCOUNT'],
      ['CREATE NETWORK POLICY', 'ACCOUNT', 'TESTORG-TESTACCOUNT'],
      ['MANAGE GRANTS', 'ACCOUNT', 'TESTORG-TESTACCOUNT'],
    ]);
    expect(
      (await control.sql('SHOW GRANTS OF ROLE spec_admin')).map((g) => [g.granted_to, g.grantee_name]),
    ).toEqual([['ROLE', 'SYSADMIN']]);
    // The role may now create what the grants name.
    await control.sql('CREATE WAREHOUSE IF NOT EXISTS spec_admin_wh', 'SPEC_ADMIN');
    expect((await control.sql("SHOW WAREHOUSES LIKE 'spec_admin_wh'"))[0]!.owner).toBe('SPEC_ADMIN');

    await control.sql('CREATE DATABASE IF NOT EXISTS spec_db');
    await control.sql('CREATE SCHEMA IF NOT EXISTS spec_db.private');
    await control.sql('CREATE ROLE IF NOT EXISTS spec_keys');
    await control.sql('GRANT USAGE ON DATABASE spec_db TO ROLE spec_keys');
    await control.sql('GRANT USAGE, CREATE SECRET ON SCHEMA spec_db.private TO ROLE spec_keys');
    // Empty values are accepted (our choice: the documentation sets no minimum length).
    await control.sql(
      "CREATE SECRET IF NOT EXISTS spec_db.private.empty_key TYPE = GENERIC_STRING SECRET_STRING = ''",
      'SPEC_KEYS',
    );
    await control.sql(
      "CREATE SECRET IF NOT EXISTS spec_db.private.empty_login TYPE = PASSWORD USERNAME = '' PASSWORD = ''",
      'SPEC_KEYS',
    );
    const secrets = (await control.secrets()).filter((x) => x.database === 'SPEC_DB');
    expect(secrets.map((x) => [x.name, x.type, x.secretString, x.username, x.password, x.owner])).toEqual([
      ['EMPTY_KEY', 'GENERIC_STRING', '', null, null, 'SPEC_KEYS'],
      ['EMPTY_LOGIN', 'PASSWORD', null, '', '', 'SPEC_KEYS'],
    ]);

    await control.sql(
      `CREATE USER IF NOT EXISTS spec_target TYPE = SERVICE RSA_PUBLIC_KEY = '${keyA.publicBody}'`,
    );
    await control.sql(
      'GRANT MODIFY PROGRAMMATIC AUTHENTICATION METHODS ON USER spec_target TO ROLE spec_keys',
    );
    expect((await failure(control.sql('GRANT OWNERSHIP ON USER spec_target TO ROLE spec_admin'))).code).toBe(
      '003032',
    );
    await control.sql('GRANT OWNERSHIP ON USER spec_target TO ROLE spec_admin COPY CURRENT GRANTS');
    const onUser = await control.sql('SHOW GRANTS ON USER spec_target');
    expect(onUser.map((g) => [g.privilege, g.granted_on, g.grantee_name, g.granted_by])).toEqual([
      ['MODIFY PROGRAMMATIC AUTHENTICATION METHODS', 'USER', 'SPEC_KEYS', 'SPEC_ADMIN'],
      ['OWNERSHIP', 'USER', 'SPEC_ADMIN', 'SPEC_ADMIN'],
    ]);
    // The key right lets spec_keys set a key and nothing else.
    await control.sql(`ALTER USER spec_target SET RSA_PUBLIC_KEY_2 = '${keyB.publicBody}'`, 'SPEC_KEYS');
    const refused = await failure(control.sql("ALTER USER spec_target SET COMMENT = 'x'", 'spec_keys'));
    expect([refused.code, refused.message]).toEqual([
      '003001',
      "SQL access control error:\nInsufficient privileges to operate on user 'SPEC_TARGET'",
    ]);
  });
});

describe('IS_ROLE_IN_SESSION and how DESC SECRET spells a generic string', () => {
  beforeAll(async () => {
    await control.sql(`CREATE USER roles_user TYPE = SERVICE RSA_PUBLIC_KEY = '${keyC.publicBody}'`);
    for (const role of ['roles_outer', 'roles_inner', 'roles_apart', '"roles_lower"']) {
      await control.sql(`CREATE ROLE ${role}`);
    }
    await control.sql('GRANT ROLE roles_inner TO ROLE roles_outer');
    await control.sql('GRANT ROLE "roles_lower" TO ROLE roles_inner');
    await control.sql('GRANT ROLE roles_outer TO USER roles_user');
    await control.sql('GRANT ROLE roles_apart TO USER roles_user');
  });

  it('is true for the primary role and every role it inherits, by the name as stored; false otherwise', async () => {
    const session = await login('roles_user', keyC, { role: 'ROLES_OUTER' });
    const rows = await session.query(
      "SELECT IS_ROLE_IN_SESSION('ROLES_OUTER') AS own, IS_ROLE_IN_SESSION('ROLES_INNER') AS inherited, IS_ROLE_IN_SESSION('roles_lower') AS lower_case, IS_ROLE_IN_SESSION('PUBLIC') AS public_role, IS_ROLE_IN_SESSION('ROLES_APART') AS granted_not_active, IS_ROLE_IN_SESSION('roles_inner') AS wrong_case, IS_ROLE_IN_SESSION('NO_SUCH_ROLE') AS missing",
    );
    expect(rows).toEqual([
      {
        OWN: true,
        INHERITED: true,
        LOWER_CASE: true,
        PUBLIC_ROLE: true,
        GRANTED_NOT_ACTIVE: false,
        WRONG_CASE: false,
        MISSING: false,
      },
    ]);
    // An unaliased column is named after its text, upper-cased.
    expect(Object.keys((await session.query("SELECT IS_ROLE_IN_SESSION('ROLES_INNER')"))[0]!)).toEqual([
      "IS_ROLE_IN_SESSION('ROLES_INNER')",
    ]);
    const noArgument = await failure(session.query('SELECT IS_ROLE_IN_SESSION()'));
    expect([noArgument.code, noArgument.sqlState]).toEqual(['001044', '42P13']);
    const niladicWithArgument = await failure(session.query("SELECT CURRENT_ROLE('x')"));
    expect(niladicWithArgument.message).toBe(
      "SQL compilation error:\nInvalid argument types for function 'CURRENT_ROLE': (VARCHAR(1))",
    );
    await session.close();
  });

  it.each([
    [undefined, 'GENERIC_STRING'],
    ['GENERIC_STRING', 'GENERIC_STRING'],
    ['GENERIC', 'GENERIC'],
  ] as const)(
    'with descSecretGenericType %s, DESC SECRET says %s; SHOW SECRETS and PASSWORD secrets are unaffected',
    async (option, spelled) => {
      const other = await startSnowflakeEmulator({ descSecretGenericType: option });
      try {
        const admin = new SnowflakeControl(other.url);
        await admin.sql('CREATE DATABASE spell_db');
        await admin.sql('CREATE SCHEMA spell_db.keys');
        await admin.sql("CREATE SECRET spell_db.keys.k TYPE = GENERIC_STRING SECRET_STRING = ''");
        await admin.sql("CREATE SECRET spell_db.keys.p TYPE = PASSWORD USERNAME = 'u' PASSWORD = 'p'");
        expect((await admin.sql('DESC SECRET spell_db.keys.k'))[0]?.secret_type).toBe(spelled);
        expect((await admin.sql('DESC SECRET spell_db.keys.p'))[0]?.secret_type).toBe('PASSWORD');
        expect((await admin.sql('SHOW SECRETS IN SCHEMA spell_db.keys')).map((s) => s.secret_type)).toEqual([
          'GENERIC_STRING',
          'PASSWORD',
        ]);
      } finally {
        await other.close();
      }
    },
  );
});
