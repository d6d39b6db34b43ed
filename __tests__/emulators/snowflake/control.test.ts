// The control plane: every endpoint, and Segment's setup guide run through it.

import { createHash } from 'node:crypto';
import { SnowflakeSqlError } from './control.js';
import { connectWithKey, failure, makeKey } from './helpers.js';
import { control, emulator, key, makeKeyOnce, useControlledEmulator } from './control-fixture.js';

useControlledEmulator();

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
