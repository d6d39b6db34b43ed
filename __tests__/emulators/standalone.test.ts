// `npm run emulators` as a user runs it: the real script in a child process, then the issue's "Must show"
// items proved against the URLs it prints, with the real snowflake-sdk, @actions/core and the HTTP control
// planes only (nothing from the child's memory).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { GitHubControl } from './github/control.js';
import { SnowflakeControl } from './snowflake/control.js';
import {
  connect,
  connectWithKey,
  failure,
  makeKey,
  type Session,
  type TestKey,
} from './snowflake/helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = `${ROOT}node_modules/.bin/tsx`;
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

interface Endpoints {
  snowflake: string;
  github: string;
  account: string;
}

interface Emulators {
  child: ChildProcessWithoutNullStreams;
  /** The first stdout line, parsed. */
  ready: Promise<Endpoints>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
}

/** Starts `tsx scripts/emulators.ts ARGS` from the repository root, as `npm run emulators -- ARGS` does. */
function startEmulators(args: string[]): Emulators {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // Jest's --experimental-vm-modules is not part of `npm run emulators`
  const child = spawn(TSX, ['scripts/emulators.ts', ...args], { cwd: ROOT, env });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<Endpoints>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no JSON line within 30 s; stderr:\n${err}`)), 30_000);
    child.stdout.on('data', (d: string) => {
      out += d;
      const newline = out.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.slice(0, newline)) as Endpoints);
      } catch (e) {
        reject(new Error(`first stdout line is not JSON: ${out.slice(0, newline)} (${String(e)})`));
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before the JSON line; stderr:\n${err}`));
    });
  });
  ready.catch(() => undefined); // a test that expects a failure awaits `exited` instead
  return { child, ready, exited, stdout: () => out, stderr: () => err };
}

/** A port that was free a moment ago: bound by a throwaway server, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function fingerprint(key: TestKey): string {
  const der = createPublicKey(key.privateKey).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

describe('npm run emulators (the script in a child process)', () => {
  let emulators: Emulators;
  let endpoints: Endpoints;
  let ports: { snowflake: number; github: number };
  let snowflake: SnowflakeControl;
  let github: GitHubControl;
  const keyA = makeKey(); // svc's registered key
  const keyB = makeKey(); // unregistered until RSA_PUBLIC_KEY_2
  const keyRotator = makeKey();
  const keyAlice = makeKey();
  const keyAliceNew = makeKey();
  const sessions: Session[] = [];

  /** Key-pair login through the SDK against the script's Snowflake URL. */
  const login = async (user: string, key: TestKey): Promise<Session> => {
    const session = await connectWithKey(endpoints.snowflake, endpoints.account, user, key);
    sessions.push(session);
    return session;
  };

  beforeAll(async () => {
    ports = { snowflake: await freePort(), github: await freePort() };
    emulators = startEmulators([
      '--snowflake-port',
      String(ports.snowflake),
      '--github-port',
      String(ports.github),
    ]);
    endpoints = await emulators.ready;
    snowflake = new SnowflakeControl(endpoints.snowflake);
    github = new GitHubControl(endpoints.github);

    // ROTATOR owns SVC (as the action's rotating role would); LIMITED owns nothing.
    for (const sql of [
      'CREATE ROLE rotator',
      'CREATE ROLE limited',
      `CREATE USER svc TYPE = SERVICE RSA_PUBLIC_KEY = '${keyA.publicBody}'`,
      `CREATE USER rotator TYPE = SERVICE DEFAULT_ROLE = rotator RSA_PUBLIC_KEY = '${keyRotator.publicBody}'`,
      `CREATE USER alice TYPE = SERVICE DEFAULT_ROLE = limited RSA_PUBLIC_KEY = '${keyAlice.publicBody}'`,
      'GRANT ROLE rotator TO USER rotator',
      'GRANT ROLE limited TO USER alice',
      'GRANT OWNERSHIP ON USER svc TO ROLE rotator',
    ]) {
      await snowflake.sql(sql);
    }
  }, 60_000);

  afterAll(async () => {
    for (const session of sessions) await session.close();
    if (!emulators) return;
    emulators.child.kill('SIGTERM');
    const { code, signal } = await emulators.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // Exactly one line on stdout over the whole run, and nothing on stderr.
    expect(emulators.stdout().split('\n')).toEqual([expect.stringMatching(/^\{.*\}$/), '']);
    expect(emulators.stderr()).toBe('');
  }, 30_000);

  it('prints one JSON line with both URLs on 127.0.0.1, on the ports asked for, and the account', () => {
    expect(Object.keys(endpoints).sort()).toEqual(['account', 'github', 'snowflake']);
    expect(endpoints.snowflake).toBe(`http://127.0.0.1:${ports.snowflake}`);
    expect(endpoints.github).toBe(`http://127.0.0.1:${ports.github}`);
    expect(endpoints.account).toMatch(/^[a-z0-9-]+$/i);
  });

  it('logs in with the registered key and refuses (390144) an unregistered one', async () => {
    const session = await login('svc', keyA);
    expect(await session.query('SELECT CURRENT_USER(), CURRENT_ACCOUNT()')).toEqual([
      { 'CURRENT_USER()': 'SVC', 'CURRENT_ACCOUNT()': expect.any(String) },
    ]);
    const refused = await failure(login('svc', keyB));
    expect(refused.code).toBe('390144');
    expect(refused.message).toMatch(/^JWT token is invalid\./);
  });

  it('accepts both keys after ALTER USER ... SET RSA_PUBLIC_KEY_2 by the owning role', async () => {
    const rotator = await login('rotator', keyRotator);
    expect(await rotator.query('SELECT CURRENT_ROLE()')).toEqual([{ 'CURRENT_ROLE()': 'ROTATOR' }]);
    await rotator.query(`ALTER USER svc SET RSA_PUBLIC_KEY_2 = '${keyB.publicBody}'`);

    for (const key of [keyA, keyB]) {
      const session = await login('svc', key);
      expect(await session.query('SELECT CURRENT_USER()')).toEqual([{ 'CURRENT_USER()': 'SVC' }]);
    }
    const desc = Object.fromEntries(
      (await rotator.query('DESC USER svc')).map((row) => [row.property, row.value]),
    );
    expect(desc).toMatchObject({
      RSA_PUBLIC_KEY: keyA.publicBody,
      RSA_PUBLIC_KEY_FP: fingerprint(keyA),
      RSA_PUBLIC_KEY_2: keyB.publicBody,
      RSA_PUBLIC_KEY_2_FP: fingerprint(keyB),
    });
    // A third key is still refused: the slots decide, not "any key".
    expect((await failure(login('svc', makeKey()))).code).toBe('390144');
  });

  it('refuses (003001) a role without ownership setting another user’s key, and changes nothing', async () => {
    const alice = await login('alice', keyAlice);
    expect(await alice.query('SELECT CURRENT_ROLE()')).toEqual([{ 'CURRENT_ROLE()': 'LIMITED' }]);
    const denied = await failure(
      alice.query(`ALTER USER svc SET RSA_PUBLIC_KEY = '${keyAliceNew.publicBody}'`),
    );
    expect(denied).toMatchObject({ code: '003001', sqlState: '42501' });
    expect(denied.message).toContain("Insufficient privileges to operate on user 'SVC'");
    // ACCOUNTADMIN does not own SVC any more (ROTATOR does), so read it back as the owner.
    const slot1 = (await snowflake.sql('DESC USER svc', 'ROTATOR')).find(
      (row) => row.property === 'RSA_PUBLIC_KEY',
    );
    expect(slot1?.value).toBe(keyA.publicBody);

    // The same role may set its own user's key.
    await alice.query(`ALTER USER alice SET RSA_PUBLIC_KEY_2 = '${keyAliceNew.publicBody}'`);
    await login('alice', keyAliceNew);

    const entry = (await snowflake.log()).find(
      (e) => e.kind === 'query' && e.user === 'ALICE' && e.sql?.includes('ALTER USER svc'),
    );
    expect(entry).toMatchObject({ via: 'sdk', role: 'LIMITED', ok: false, code: '003001' });
  });

  it('returns the documented columns for DESC USER, SHOW GRANTS and SHOW USERS through the SDK', async () => {
    const rotator = await login('rotator', keyRotator);

    const desc = await rotator.query('DESC USER svc');
    for (const row of desc) expect(Object.keys(row)).toEqual(['property', 'value', 'default', 'description']);
    expect(desc.map((row) => row.property)).toEqual(
      expect.arrayContaining([
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
      ]),
    );
    const value = (p: string) => desc.find((row) => row.property === p)?.value;
    expect(value('TYPE')).toBe('SERVICE');
    expect(value('DEFAULT_WAREHOUSE')).toBe('null'); // unset reads as the string null
    expect(value('RSA_PUBLIC_KEY_LAST_SET_TIME')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+$/);

    const toRole = await rotator.query('SHOW GRANTS TO ROLE rotator');
    const grantColumns = [
      'created_on',
      'privilege',
      'granted_on',
      'name',
      'granted_to',
      'grantee_name',
      'grant_option',
      'granted_by',
    ];
    for (const row of toRole) expect(Object.keys(row)).toEqual(grantColumns);
    expect(toRole).toContainEqual(
      expect.objectContaining({
        privilege: 'OWNERSHIP',
        granted_on: 'USER',
        name: 'SVC',
        granted_to: 'ROLE',
        grantee_name: 'ROTATOR',
        grant_option: 'true',
      }),
    );

    const toUser = await rotator.query('SHOW GRANTS TO USER rotator');
    expect(toUser.length).toBeGreaterThan(0);
    for (const row of toUser) {
      expect(Object.keys(row)).toEqual([
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
    }
    expect(toUser).toContainEqual(
      expect.objectContaining({ role: 'ROTATOR', granted_to: 'USER', grantee_name: 'ROTATOR' }),
    );
    expect(toUser.map((row) => row.role)).not.toContain('PUBLIC');

    const ofRole = await rotator.query('SHOW GRANTS OF ROLE rotator');
    expect(ofRole.length).toBeGreaterThan(0);
    for (const row of ofRole) {
      expect(Object.keys(row)).toEqual(['created_on', 'role', 'granted_to', 'grantee_name', 'granted_by']);
    }
    expect(ofRole).toContainEqual(
      expect.objectContaining({ role: 'ROTATOR', granted_to: 'USER', grantee_name: 'ROTATOR' }),
    );

    const users = await rotator.query("SHOW USERS LIKE 'SVC'");
    expect(users).toHaveLength(1);
    expect(Object.keys(users[0] ?? {})).toEqual(
      expect.arrayContaining([
        'name',
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
      ]),
    );
    expect(users[0]).toMatchObject({
      name: 'SVC',
      owner: 'ROTATOR',
      disabled: 'false',
      has_rsa_public_key: 'true',
      has_password: 'false',
      type: 'SERVICE',
    });
    expect(users[0]?.created_on).toBeInstanceOf(Date);
  });

  describe('workload identity with a GitHub OIDC token from the GitHub emulator', () => {
    const saved: Record<string, string | undefined> = {};
    const envNames = [
      'SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
    ];
    const subject = 'repo:octo-org/octo-repo:environment:prod';

    /** core.getIDToken against the runner endpoint the script's GitHub emulator serves. */
    const idToken = async (requestToken: string, audience?: string): Promise<string> => {
      process.env.ACTIONS_ID_TOKEN_REQUEST_URL = `${endpoints.github}/_apis/distributedtask/hubs/Actions/plans/11111111-2222-3333-4444-555555555555/jobs/66666666-7777-8888-9999-000000000000/idtoken?api-version=2.0`;
      process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = requestToken;
      const write = process.stdout.write; // getIDToken prints ::add-mask::
      process.stdout.write = () => true;
      try {
        return await core.getIDToken(audience);
      } finally {
        process.stdout.write = write;
      }
    };
    const wifLogin = (token: string) =>
      connect({
        accessUrl: endpoints.snowflake,
        account: endpoints.account,
        authenticator: 'WORKLOAD_IDENTITY',
        workloadIdentityProvider: 'OIDC',
        token,
      });

    beforeAll(async () => {
      for (const name of envNames) saved[name] = process.env[name];
      process.env.SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES = '127.0.0.1';
      await github.addOrganization({ org: 'octo-org' });
      await github.addRepository({ owner: 'octo-org', repo: 'octo-repo', environments: ['prod', 'dev'] });
      await github.addIdTokenRequest({
        requestToken: 'runner-prod',
        claims: { repository: 'octo-org/octo-repo', environment: 'prod' },
      });
      await github.addIdTokenRequest({
        requestToken: 'runner-dev',
        claims: { repository: 'octo-org/octo-repo', environment: 'dev' },
      });
      // Only the script's built-in trust of GitHub's issuer is used: no oidc-issuers call here.
      await snowflake.sql(
        `CREATE USER wif_svc TYPE = SERVICE WORKLOAD_IDENTITY = (TYPE = OIDC ISSUER = '${GITHUB_ISSUER}' SUBJECT = '${subject}')`,
      );
    });

    afterAll(() => {
      for (const name of envNames) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    });

    it('logs in the SERVICE user whose WORKLOAD_IDENTITY matches the token’s subject', async () => {
      const token = await idToken('runner-prod', 'snowflakecomputing.com');
      expect(claimsOf(token)).toMatchObject({
        iss: GITHUB_ISSUER,
        sub: subject,
        aud: 'snowflakecomputing.com',
      });
      const session = await wifLogin(token);
      sessions.push(session);
      expect(await session.query('SELECT CURRENT_USER()')).toEqual([{ 'CURRENT_USER()': 'WIF_SVC' }]);
      const entry = (await snowflake.log()).filter((e) => e.kind === 'login').pop();
      expect(entry).toMatchObject({ user: 'WIF_SVC', authenticator: 'WORKLOAD_IDENTITY', ok: true });
    });

    it('refuses a token for another subject', async () => {
      const token = await idToken('runner-dev', 'snowflakecomputing.com');
      expect(claimsOf(token)).toMatchObject({
        iss: GITHUB_ISSUER,
        sub: 'repo:octo-org/octo-repo:environment:dev',
        aud: 'snowflakecomputing.com',
      });
      const refused = await failure(wifLogin(token));
      expect(refused.code).toBe('390100');
      // Refused for the subject (signature, issuer and audience were fine): the emulator logs why.
      const entry = (await snowflake.log()).filter((e) => e.kind === 'login').pop();
      expect(entry).toMatchObject({ authenticator: 'WORKLOAD_IDENTITY', ok: false, code: '390100' });
      expect(entry?.message).toContain('repo:octo-org/octo-repo:environment:dev');
    });

    it('refuses a token for another audience, including GitHub’s default one', async () => {
      for (const audience of ['sts.amazonaws.com', undefined]) {
        const token = await idToken('runner-prod', audience);
        expect(claimsOf(token)).toMatchObject({
          iss: GITHUB_ISSUER,
          sub: subject,
          aud: audience ?? 'https://github.com/octo-org',
        });
        expect((await failure(wifLogin(token))).code).toBe('390100');
        const entry = (await snowflake.log()).filter((e) => e.kind === 'login').pop();
        expect(entry).toMatchObject({ authenticator: 'WORKLOAD_IDENTITY', ok: false, code: '390100' });
        expect(entry?.message).toMatch(/audience/);
      }
    });
  });
});

describe('npm run emulators option checks', () => {
  it('picks free ports by default and stops with exit code 0 on SIGTERM', async () => {
    const emulators = startEmulators([]);
    const { snowflake, github } = await emulators.ready;
    const port = (url: string) => Number(new URL(url).port);
    expect(port(snowflake)).toBeGreaterThan(0);
    expect(port(github)).toBeGreaterThan(0);
    expect(port(snowflake)).not.toBe(port(github));
    expect((await fetch(`${github}/__emulator/log`)).status).toBe(200);
    expect((await fetch(`${snowflake}/__emulator/log`)).status).toBe(200);
    emulators.child.kill('SIGTERM');
    expect(await emulators.exited).toEqual({ code: 0, signal: null });
  });

  it.each([
    [['--snowflake-port', 'abc'], '--snowflake-port'],
    [['--github-port', '70000'], '--github-port'],
    [['--github-port'], '--github-port'],
  ])('refuses %j with exit code 2 and a message naming the option', async (args, option) => {
    const emulators = startEmulators(args);
    const { code } = await emulators.exited;
    expect(code).toBe(2);
    expect(emulators.stdout()).toBe('');
    expect(emulators.stderr()).toContain(`${option} takes a port number`);
  });
});
