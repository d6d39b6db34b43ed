// The control plane: every endpoint, and every fault action on both the login and query paths.

import { createHash } from 'node:crypto';
import { startSnowflakeEmulator, type SnowflakeEmulator } from './server.js';
import { SnowflakeControl, SnowflakeSqlError } from './control.js';
import { connectWithKey, failure, makeKey, type TestKey } from './helpers.js';

let emulator: SnowflakeEmulator;
let control: SnowflakeControl;
let key: TestKey;
const base = new Date('2024-03-01T12:00:00.500Z').getTime();

beforeAll(async () => {
  key = makeKey();
  emulator = await startSnowflakeEmulator({ now: () => new Date(base) });
  control = new SnowflakeControl(emulator.url);
  await control.sql(
    `CREATE USER ctl_user TYPE = SERVICE DEFAULT_ROLE = SYSADMIN RSA_PUBLIC_KEY = '${key.publicBody}'`,
  );
  await control.sql('GRANT ROLE SYSADMIN TO USER ctl_user');
});

afterAll(async () => {
  await emulator.close();
});

afterEach(async () => {
  await control.clearFaults();
  await control.latency(0);
});

/** A query over the wire without the SDK, so that faults are observed as they are sent. */
async function rawQuery(token: string, sql: string): Promise<Response> {
  return fetch(`${emulator.url}/queries/v1/query-request`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Snowflake Token="${token}"` },
    body: JSON.stringify({ sqlText: sql }),
  });
}

async function rawLoginToken(): Promise<string> {
  // A session over raw HTTP, signed as snowflake-sdk signs (iat/exp in milliseconds).
  const fp = (await control.sql('DESC USER ctl_user')).find((r) => r.property === 'RSA_PUBLIC_KEY_FP')!
    .value as string;
  const { createSign } = await import('node:crypto');
  const now = Date.now();
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(
    JSON.stringify({
      iss: `TESTORG-TESTACCOUNT.CTL_USER.${fp}`,
      sub: 'TESTORG-TESTACCOUNT.CTL_USER',
      iat: now,
      exp: now + 60_000,
    }),
  ).toString('base64url');
  const sig = createSign('RSA-SHA256').update(`${header}.${body}`).sign(key.privateKey).toString('base64url');
  const response = await fetch(`${emulator.url}/session/v1/login-request`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      data: { AUTHENTICATOR: 'SNOWFLAKE_JWT', LOGIN_NAME: 'ctl_user', TOKEN: `${header}.${body}.${sig}` },
    }),
  });
  const json = (await response.json()) as { data: { token: string } };
  return json.data.token;
}

describe('control plane', () => {
  it('runs SQL as ACCOUNTADMIN, returns rows keyed by column, and errors with code', async () => {
    expect(await control.sql('SELECT CURRENT_ROLE(), CURRENT_USER()')).toEqual([
      { 'CURRENT_ROLE()': 'ACCOUNTADMIN', 'CURRENT_USER()': null },
    ]);
    const error = await control.sql('DESC USER nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnowflakeSqlError);
    expect((error as SnowflakeSqlError).code).toBe('002003');
    const raw = await fetch(`${emulator.url}/__emulator/sql`, {
      method: 'POST',
      body: JSON.stringify({ sql: 'SELEC 1' }),
    });
    expect(await raw.json()).toEqual({
      error: {
        code: '001003',
        sqlState: '42000',
        message: "SQL compilation error:\nsyntax error line 1 at position 0 unexpected 'SELEC'.",
      },
    });
    // Another role, for tests that need a non-admin owner.
    expect(await control.sql('SELECT CURRENT_ROLE() r', 'USERADMIN')).toEqual([{ R: 'USERADMIN' }]);
  });

  it('logs logins and statements in order, marks control-plane statements, and clears', async () => {
    await control.clearLog();
    const session = await connectWithKey(emulator.url, emulator.account, 'ctl_user', key);
    await session.query('SELECT CURRENT_USER()');
    await failure(session.query('DESC USER nope'));
    await session.close();
    await failure(connectWithKey(emulator.url, emulator.account, 'ctl_user', makeKeyOnce()));
    await control.sql('SHOW USERS');
    const log = await control.log();
    expect(log.map((e) => [e.kind, e.via, e.user, e.role, e.sql ?? null, e.ok, e.code])).toEqual([
      ['login', 'sdk', 'CTL_USER', 'SYSADMIN', null, true, null],
      ['query', 'sdk', 'CTL_USER', 'SYSADMIN', 'SELECT CURRENT_USER()', true, null],
      ['query', 'sdk', 'CTL_USER', 'SYSADMIN', 'DESC USER nope', false, '002003'],
      ['login', 'sdk', 'ctl_user', null, null, false, '390144'],
      ['query', 'control', null, 'ACCOUNTADMIN', 'SHOW USERS', true, null],
    ]);
    await control.clearLog();
    expect(await control.log()).toEqual([]);
  });

  it('shifts the clock used for LAST_SET_TIME and renders it in the session TIMEZONE', async () => {
    await control.clock(86_400_000);
    await control.sql(`ALTER USER ctl_user SET RSA_PUBLIC_KEY_2 = '${key.publicBody}'`);
    const session = await connectWithKey(emulator.url, emulator.account, 'ctl_user', key);
    const read = async () =>
      (await session.query('DESC USER ctl_user')).find(
        (r) => r.property === 'RSA_PUBLIC_KEY_2_LAST_SET_TIME',
      )!.value;
    expect(await read()).toBe('2024-03-02 04:00:00.5'); // America/Los_Angeles, the default
    await session.query("ALTER SESSION SET TIMEZONE = 'UTC'");
    expect(await read()).toBe('2024-03-02 12:00:00.5');
    await session.close();
    await control.clock(0);
  });

  it('adds latency to wire requests', async () => {
    await control.latency(300);
    const started = Date.now();
    const session = await connectWithKey(emulator.url, emulator.account, 'ctl_user', key);
    await session.query('SELECT 1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    await control.latency(0);
    await session.close();
  });

  it('lists every SECRET object with its value, whoever owns it', async () => {
    expect(await control.secrets()).toEqual([]);
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
    await control.sql('CREATE DATABASE ctl_db', 'SYSADMIN');
    await control.sql(
      `CREATE SECRET ctl_db.public.pk TYPE = GENERIC_STRING SECRET_STRING = $$${pem}$$`,
      'SYSADMIN',
    );
    // Written by ctl_user over the wire, in the schema its session starts in.
    const session = await connectWithKey(emulator.url, emulator.account, 'ctl_user', key, {
      database: 'ctl_db',
      schema: 'public',
    });
    await session.query("CREATE SECRET \"pw\" TYPE = PASSWORD USERNAME = 'u' PASSWORD = 'p' COMMENT = 'c'");
    await session.close();
    expect(await control.secrets()).toEqual([
      {
        database: 'CTL_DB',
        schema: 'PUBLIC',
        name: 'PK',
        fullName: 'CTL_DB.PUBLIC.PK',
        type: 'GENERIC_STRING',
        secretString: pem,
        username: null,
        password: null,
        comment: null,
        owner: 'SYSADMIN',
        createdOn: '2024-03-01T12:00:00.500Z',
      },
      {
        database: 'CTL_DB',
        schema: 'PUBLIC',
        name: 'pw',
        fullName: 'CTL_DB.PUBLIC."pw"',
        type: 'PASSWORD',
        secretString: null,
        username: 'u',
        password: 'p',
        comment: 'c',
        owner: 'SYSADMIN',
        createdOn: '2024-03-01T12:00:00.500Z',
      },
    ]);
    // ACCOUNTADMIN inherits SYSADMIN, so the control plane's default role may describe it.
    expect((await control.sql('DESC SECRET ctl_db.public.pk'))[0]).toMatchObject({
      secret_type: 'GENERIC_STRING',
    });
    await control.sql('DROP SECRET ctl_db.public.pk', 'SYSADMIN');
    expect((await control.secrets()).map((x) => x.name)).toEqual(['pw']);
  });

  it('overrides the client address network policies see, and logs it on logins', async () => {
    const get = async () => (await (await fetch(`${emulator.url}/__emulator/client-ip`)).json()) as unknown;
    expect(await get()).toEqual({ ip: null });
    await control.clearLog();
    await (await connectWithKey(emulator.url, emulator.account, 'ctl_user', key)).close();
    await control.clientIp('203.0.113.7');
    expect(await get()).toEqual({ ip: '203.0.113.7' });
    await (await connectWithKey(emulator.url, emulator.account, 'ctl_user', key)).close();
    await control.clientIp(null);
    expect(await get()).toEqual({ ip: null });
    expect((await control.log()).filter((e) => e.kind === 'login').map((e) => e.clientIp)).toEqual([
      '127.0.0.1',
      '203.0.113.7',
    ]);
    for (const ip of ['::1', '203.0.113', '203.0.113.7/32', 42]) {
      await expect(control.clientIp(ip as string)).rejects.toThrow(/HTTP 400 ip must be an IPv4 address/);
    }
  });

  it('rejects malformed control requests with 400', async () => {
    await expect(control.fault({ on: 'query', action: 'explode' as never })).rejects.toThrow(/HTTP 400/);
    await expect(
      control.registerToken({ type: 'pat', token: 't', user: 'u', networkPolicyRequired: 'no' as never }),
    ).rejects.toThrow(/HTTP 400 networkPolicyRequired must be a boolean/);
    await expect(
      control.registerToken({ type: 'pat', token: 't', user: 'u', networkPolicyEvaluation: 'OFF' as never }),
    ).rejects.toThrow(/HTTP 400 networkPolicyEvaluation must be one of/);
    const r = await fetch(`${emulator.url}/__emulator/nothing`);
    expect(r.status).toBe(404);
  });
});

let spareKey: TestKey | undefined;
function makeKeyOnce(): TestKey {
  spareKey ??= makeKey();
  return spareKey;
}

describe('faults', () => {
  let token: string;
  beforeAll(async () => {
    token = await rawLoginToken();
  });

  it('http-500 and http-503 answer with that status, `times` limits them', async () => {
    await control.fault({ on: 'query', match: 'current_user', action: 'http-503', times: 1 });
    await control.fault({ on: 'query', match: 'current_role', action: 'http-500' });
    expect((await rawQuery(token, 'SELECT CURRENT_USER()')).status).toBe(503);
    expect((await rawQuery(token, 'SELECT CURRENT_USER()')).status).toBe(200);
    expect((await rawQuery(token, 'SELECT CURRENT_ROLE()')).status).toBe(500);
    expect((await rawQuery(token, 'SELECT CURRENT_ROLE()')).status).toBe(500);
    expect((await rawQuery(token, 'SELECT 1')).status).toBe(200);
  });

  it('reset destroys the connection', async () => {
    await control.fault({ on: 'query', match: '.', action: 'reset', times: 1 });
    await expect(rawQuery(token, 'SELECT 1')).rejects.toThrow();
  });

  it('delay holds the answer', async () => {
    await control.fault({ on: 'query', match: 'select 1', action: 'delay', delayMs: 400, times: 1 });
    const started = Date.now();
    expect((await rawQuery(token, 'SELECT 1')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('sql-error answers a Snowflake error the SDK surfaces with its code', async () => {
    await control.fault({ on: 'query', match: '^ALTER USER', action: 'sql-error', code: '003001', times: 1 });
    const session = await connectWithKey(emulator.url, emulator.account, 'ctl_user', key);
    expect(
      (await failure(session.query(`ALTER USER ctl_user SET RSA_PUBLIC_KEY = '${key.publicBody}'`))).code,
    ).toBe('003001');
    await session.close();
  });

  it('session-expired answers 390112; the SDK renews its session with the master token and retries', async () => {
    await control.fault({ on: 'query', match: 'current_user', action: 'session-expired', times: 1 });
    await control.clearLog();
    const session = await connectWithKey(emulator.url, emulator.account, 'ctl_user', key);
    expect(await session.query('SELECT CURRENT_USER()')).toEqual([{ 'CURRENT_USER()': 'CTL_USER' }]);
    await session.close();
    const queries = (await control.log()).filter((e) => e.kind === 'query');
    expect(queries.map((e) => [e.ok, e.code, e.fault ?? null])).toEqual([
      [false, '390112', 'session-expired'],
      [true, null, null],
    ]);
  });

  it('echo quotes the headers, the request or the session back in the message, in the encoding asked for', async () => {
    const issued = (await control.issuedTokens()).find((t) => t.sessionToken === token);
    expect(issued?.user).toBe('CTL_USER');
    const message = async (): Promise<string> =>
      ((await (await rawQuery(token, 'SELECT 1')).json()) as { message: string }).message;
    await control.fault({ on: 'query', match: 'select 1', action: 'sql-error', echo: 'headers', times: 1 });
    expect(await message()).toContain(`"authorization":"Snowflake Token=\\"${token}\\""`);
    await control.fault({
      on: 'query',
      match: 'select 1',
      action: 'sql-error',
      echo: 'session',
      echoAs: 'base64',
      times: 1,
    });
    const session = /\nSession: (\S+)$/.exec(await message())?.[1] ?? '';
    expect(JSON.parse(Buffer.from(session, 'base64').toString('utf8'))).toEqual({
      sessionId: issued?.sessionId,
      sessionToken: token,
      masterToken: issued?.masterToken,
    });
    await control.fault({
      on: 'query',
      match: 'select 1',
      action: 'sql-error',
      echo: 'request',
      echoAs: 'form',
      times: 1,
    });
    expect(await message()).toContain('body.sqlText=SELECT+1');
    // echo needs sql-error; session is for queries; the encoding must be known.
    await expect(control.fault({ on: 'query', action: 'http-500', echo: 'headers' })).rejects.toThrow(
      /HTTP 400/,
    );
    await expect(control.fault({ on: 'login', action: 'sql-error', echo: 'session' })).rejects.toThrow(
      /HTTP 400/,
    );
    await expect(
      control.fault({ on: 'query', action: 'sql-error', echo: 'headers', echoAs: 'rot13' as never }),
    ).rejects.toThrow(/HTTP 400/);
  });

  it('login faults match the login name: http-503, sql-error and reset', async () => {
    await control.fault({
      on: 'login',
      match: '^ctl_user$',
      action: 'sql-error',
      code: '390102',
      message: 'User temporarily locked.',
      times: 1,
    });
    expect((await failure(connectWithKey(emulator.url, emulator.account, 'ctl_user', key))).code).toBe(
      '390102',
    );
    await control.fault({ on: 'login', match: 'ctl_user', action: 'http-503', times: 1 });
    const r = await fetch(`${emulator.url}/session/v1/login-request`, {
      method: 'POST',
      body: JSON.stringify({ data: { LOGIN_NAME: 'ctl_user' } }),
    });
    expect(r.status).toBe(503);
    await control.fault({ on: 'login', match: 'ctl_user', action: 'reset', times: 1 });
    await expect(
      fetch(`${emulator.url}/session/v1/login-request`, {
        method: 'POST',
        body: JSON.stringify({ data: { LOGIN_NAME: 'ctl_user' } }),
      }),
    ).rejects.toThrow();
    await control.fault({ on: 'login', match: 'ctl_user', action: 'delay', delayMs: 200, times: 1 });
    await (await connectWithKey(emulator.url, emulator.account, 'ctl_user', key)).close();
  });

  it('clearFaults removes pending faults', async () => {
    await control.fault({ on: 'query', match: '.', action: 'http-500' });
    await control.clearFaults();
    expect((await rawQuery(token, 'SELECT 1')).status).toBe(200);
  });
});

describe('faults after the work (after: true): the statement runs, the reply is lost', () => {
  let token: string;
  let keyA: TestKey;
  let keyB: TestKey;
  beforeAll(async () => {
    token = await rawLoginToken();
    keyA = makeKeyOnce();
    keyB = makeKey();
  });
  afterEach(async () => {
    await control.sql('ALTER USER ctl_user UNSET RSA_PUBLIC_KEY_2');
  });

  const fingerprint = (k: TestKey) =>
    `SHA256:${createHash('sha256').update(Buffer.from(k.publicBody, 'base64')).digest('base64')}`;
  const slot2 = async () =>
    (await control.sql('DESC USER ctl_user')).find((r) => r.property === 'RSA_PUBLIC_KEY_2_FP')!.value;
  const setSlot2 = (k: TestKey) => `ALTER USER ctl_user SET RSA_PUBLIC_KEY_2 = '${k.publicBody}'`;
  const alters = async () =>
    (await control.log())
      .filter((e) => e.kind === 'query' && e.via === 'sdk' && /^ALTER USER/.test(e.sql ?? ''))
      .map((e) => [e.ok, e.code, e.fault ?? null, e.faultAfter ?? null]);

  it.each(['http-500', 'http-503'] as const)(
    '%s after: the ALTER USER is applied though the client sees the failure',
    async (action) => {
      await control.clearLog();
      await control.fault({ on: 'query', match: '^ALTER USER', action, after: true, times: 1 });
      expect((await rawQuery(token, setSlot2(keyA))).status).toBe(action === 'http-500' ? 500 : 503);
      expect(await slot2()).toBe(fingerprint(keyA));
      expect(await alters()).toEqual([[true, null, action, true]]);
    },
  );

  it('reset after: the connection drops, the ALTER USER is applied', async () => {
    await control.clearLog();
    await control.fault({ on: 'query', match: '^ALTER USER', action: 'reset', after: true, times: 1 });
    await expect(rawQuery(token, setSlot2(keyA))).rejects.toThrow();
    expect(await slot2()).toBe(fingerprint(keyA));
    expect(await alters()).toEqual([[true, null, 'reset', true]]);
  });

  it('sql-error after: the SDK surfaces the error code, the ALTER USER is applied', async () => {
    await control.fault({
      on: 'query',
      match: '^ALTER USER',
      action: 'sql-error',
      code: '000603',
      after: true,
      times: 1,
    });
    const session = await connectWithKey(emulator.url, emulator.account, 'ctl_user', key);
    expect((await failure(session.query(setSlot2(keyA)))).code).toBe('000603');
    await session.close();
    expect(await slot2()).toBe(fingerprint(keyA));
  });

  it('session-expired after: the statement runs, the SDK renews and sends it again, so it runs twice', async () => {
    await control.clearLog();
    await control.fault({
      on: 'query',
      match: '^ALTER USER',
      action: 'session-expired',
      after: true,
      times: 1,
    });
    const session = await connectWithKey(emulator.url, emulator.account, 'ctl_user', key);
    await session.query(setSlot2(keyA));
    await session.close();
    expect(await slot2()).toBe(fingerprint(keyA));
    expect(await alters()).toEqual([
      [true, null, 'session-expired', true],
      [true, null, null, null],
    ]);
  });

  it('skip and after together: the second matching ALTER is applied but answered 500', async () => {
    await control.clearLog();
    await control.fault({
      on: 'query',
      match: '^ALTER USER',
      action: 'http-500',
      after: true,
      skip: 1,
      times: 1,
    });
    expect((await rawQuery(token, setSlot2(keyA))).status).toBe(200);
    expect((await rawQuery(token, setSlot2(keyB))).status).toBe(500);
    expect(await slot2()).toBe(fingerprint(keyB));
    expect((await rawQuery(token, 'ALTER USER ctl_user UNSET RSA_PUBLIC_KEY_2')).status).toBe(200);
    expect(await alters()).toEqual([
      [true, null, null, null],
      [true, null, 'http-500', true],
      [true, null, null, null],
    ]);
  });

  it('a statement that fails is still a failure underneath an after fault', async () => {
    await control.clearLog();
    await control.fault({ on: 'query', match: '^ALTER USER', action: 'http-503', after: true, times: 1 });
    expect((await rawQuery(token, "ALTER USER nobody SET COMMENT = 'x'")).status).toBe(503);
    expect(await alters()).toEqual([[false, '002003', 'http-503', true]]);
  });

  it('delay after: the change is visible before the late reply arrives', async () => {
    await control.fault({
      on: 'query',
      match: '^ALTER USER',
      action: 'delay',
      delayMs: 400,
      after: true,
      times: 1,
    });
    let replied = false;
    const pending = rawQuery(token, setSlot2(keyA)).finally(() => (replied = true));
    while ((await slot2()) === 'null') await new Promise((r) => setTimeout(r, 10));
    expect(replied).toBe(false);
    expect(await slot2()).toBe(fingerprint(keyA));
    expect((await pending).status).toBe(200);
  });

  it('login faults ignore after (answered before the login is verified), and after must be a boolean', async () => {
    await control.fault({ on: 'login', match: 'ctl_user', action: 'http-503', after: true, times: 1 });
    const r = await fetch(`${emulator.url}/session/v1/login-request`, {
      method: 'POST',
      body: JSON.stringify({ data: { LOGIN_NAME: 'ctl_user' } }),
    });
    expect(r.status).toBe(503);
    await expect(
      control.fault({ on: 'query', action: 'reset', after: 'yes' as unknown as boolean }),
    ).rejects.toThrow(/after must be a boolean/);
  });
});

describe('wire protocol odds and ends', () => {
  it('answers 390104 for an unknown session token, and heartbeat/telemetry/close for a live one', async () => {
    const bad = (await (await rawQuery('nope', 'SELECT 1')).json()) as { success: boolean; code: string };
    expect([bad.success, bad.code]).toEqual([false, '390104']);
    const token = await rawLoginToken();
    const post = (path: string) =>
      fetch(`${emulator.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Snowflake Token="${token}"` },
        body: '{}',
      }).then((r) => r.json() as Promise<{ success: boolean }>);
    expect((await post('/session/heartbeat')).success).toBe(true);
    expect((await post('/telemetry/send')).success).toBe(true);
    expect((await post('/session?delete=true')).success).toBe(true);
    expect((await post('/session/heartbeat')).success).toBe(false);
  });
});

describe("Segment's Reverse ETL setup guide, run as ACCOUNTADMIN through the control plane", () => {
  // The statements of https://segment.com/docs/connections/reverse-etl/reverse-etl-source-setup-guides/snowflake-setup/
  // exactly as the guide prints them (comments and semicolons included), with a real public key in
  // place of 'enter your public key'.
  it('creates the database, warehouse, role, grants and key-pair user, as SHOW and DESC then read them', async () => {
    const segmentKey = makeKey();
    const guide = [
      `-- not required if another database is being reused
   CREATE DATABASE segment_reverse_etl;`,
      `-- not required if reusing another warehouse
   CREATE WAREHOUSE segment_reverse_etl
    WITH WAREHOUSE_SIZE = 'XSMALL'
      WAREHOUSE_TYPE = 'STANDARD'
      AUTO_SUSPEND = 600 -- 5 minutes
      AUTO_RESUME = TRUE;`,
      `-- create role
   CREATE ROLE segment_reverse_etl;`,
      `-- warehouse access
   GRANT USAGE ON WAREHOUSE segment_reverse_etl TO ROLE segment_reverse_etl;`,
      `-- database access
   GRANT USAGE ON DATABASE segment_reverse_etl TO ROLE segment_reverse_etl;`,
      'GRANT CREATE SCHEMA ON DATABASE segment_reverse_etl TO ROLE segment_reverse_etl;',
      `-- create user (key-pair authentication)
   CREATE USER segment_reverse_etl_user
   DEFAULT_ROLE = segment_reverse_etl
   RSA_PUBLIC_KEY = '${segmentKey.publicBody}';`,
      `-- role access
   GRANT ROLE segment_reverse_etl TO USER segment_reverse_etl_user;`,
    ];
    const statuses = [];
    for (const statement of guide) statuses.push((await control.sql(statement))[0]!.status);
    expect(statuses).toEqual([
      'Database SEGMENT_REVERSE_ETL successfully created.',
      'Warehouse SEGMENT_REVERSE_ETL successfully created.',
      'Role SEGMENT_REVERSE_ETL successfully created.',
      'Statement executed successfully.',
      'Statement executed successfully.',
      'Statement executed successfully.',
      'User SEGMENT_REVERSE_ETL_USER successfully created.',
      'Statement executed successfully.',
    ]);

    expect(
      (await control.sql("SHOW DATABASES LIKE 'segment_reverse_etl'")).map((d) => [d.name, d.owner]),
    ).toEqual([['SEGMENT_REVERSE_ETL', 'ACCOUNTADMIN']]);
    expect(
      (await control.sql("SHOW WAREHOUSES LIKE 'segment_reverse_etl'")).map((w) => [
        w.name,
        w.size,
        w.type,
        w.auto_suspend,
        w.auto_resume,
        w.owner,
      ]),
    ).toEqual([['SEGMENT_REVERSE_ETL', 'X-Small', 'STANDARD', '600', 'true', 'ACCOUNTADMIN']]);
    expect(
      (await control.sql("SHOW ROLES LIKE 'segment_reverse_etl'")).map((r) => [
        r.name,
        r.owner,
        r.assigned_to_users,
      ]),
    ).toEqual([['SEGMENT_REVERSE_ETL', 'ACCOUNTADMIN', '1']]);
    expect(
      (await control.sql('SHOW GRANTS TO ROLE segment_reverse_etl')).map((g) => [
        g.privilege,
        g.granted_on,
        g.name,
        g.granted_by,
      ]),
    ).toEqual([
      ['USAGE', 'WAREHOUSE', 'SEGMENT_REVERSE_ETL', 'ACCOUNTADMIN'],
      ['USAGE', 'DATABASE', 'SEGMENT_REVERSE_ETL', 'ACCOUNTADMIN'],
      ['CREATE SCHEMA', 'DATABASE', 'SEGMENT_REVERSE_ETL', 'ACCOUNTADMIN'],
    ]);
    const desc = Object.fromEntries(
      (await control.sql('DESC USER segment_reverse_etl_user')).map((r) => [r.property as string, r.value]),
    );
    expect(desc).toMatchObject({
      NAME: 'SEGMENT_REVERSE_ETL_USER',
      TYPE: 'null',
      DEFAULT_ROLE: 'SEGMENT_REVERSE_ETL',
      DEFAULT_WAREHOUSE: 'null',
      RSA_PUBLIC_KEY: segmentKey.publicBody,
      RSA_PUBLIC_KEY_FP: `SHA256:${createHash('sha256').update(Buffer.from(segmentKey.publicBody, 'base64')).digest('base64')}`,
    });
    expect(
      (await control.sql('SHOW GRANTS TO USER segment_reverse_etl_user')).map((g) => [g.role, g.granted_by]),
    ).toEqual([['SEGMENT_REVERSE_ETL', 'ACCOUNTADMIN']]);
    expect(
      (await control.sql("SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER segment_reverse_etl_user")).map(
        (r) => [r.value, r.level],
      ),
    ).toEqual([['', '']]);

    // What Segment then does with it: log in with the key and the warehouse, and create its schema.
    const session = await connectWithKey(
      emulator.url,
      emulator.account,
      'segment_reverse_etl_user',
      segmentKey,
      {
        warehouse: 'segment_reverse_etl',
        database: 'segment_reverse_etl',
      },
    );
    expect(await session.query('SELECT CURRENT_ROLE(), CURRENT_WAREHOUSE(), CURRENT_DATABASE()')).toEqual([
      {
        'CURRENT_ROLE()': 'SEGMENT_REVERSE_ETL',
        'CURRENT_WAREHOUSE()': 'SEGMENT_REVERSE_ETL',
        'CURRENT_DATABASE()': 'SEGMENT_REVERSE_ETL',
      },
    ]);
    expect(await session.query('CREATE SCHEMA IF NOT EXISTS "__SEGMENT_REVERSE_ETL"')).toEqual([
      { status: 'Schema __SEGMENT_REVERSE_ETL successfully created.' },
    ]);
    await session.close();
  });
});
