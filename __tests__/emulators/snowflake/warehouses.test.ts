// Warehouses through the real snowflake-sdk: statements, sizes, access control, the session's warehouse.

import { codeAndMessage, codeStateAndMessage, failure } from './helpers.js';
import { control, keyA, login, useEmulator } from './fixture.js';

useEmulator();

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
    expect(await codeAndMessage(session.query('CREATE WAREHOUSE wh_seg'))).toEqual([
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
    expect(await codeAndMessage(session.query('DROP WAREHOUSE wh_size'))).toEqual([
      '002003',
      "SQL compilation error:\nWarehouse 'WH_SIZE' does not exist or not authorized.",
    ]);
    await session.close();
  });

  it('needs CREATE WAREHOUSE to create, a privilege to see, USAGE to use, OWNERSHIP to drop', async () => {
    const owner = await as('SYSADMIN');
    await owner.query('CREATE WAREHOUSE IF NOT EXISTS wh_seg');
    const session = await as('wh_role');
    expect(await codeStateAndMessage(session.query('CREATE WAREHOUSE wh_mine'))).toEqual([
      '003001',
      '42501',
      "SQL access control error:\nInsufficient privileges to operate on account 'TESTORG-TESTACCOUNT'",
    ]);
    expect(await session.query('SHOW WAREHOUSES')).toEqual([]);
    expect(await codeAndMessage(session.query('USE WAREHOUSE wh_seg'))).toEqual([
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
    expect(await codeAndMessage(session.query('DROP WAREHOUSE wh_seg'))).toEqual([
      '003001',
      "SQL access control error:\nInsufficient privileges to operate on warehouse 'WH_SEG'",
    ]);
    expect(await codeAndMessage(session.query('GRANT OPERATE ON WAREHOUSE wh_seg TO ROLE wh_role'))).toEqual([
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
    expect(
      await codeAndMessage(
        owner.query("ALTER WAREHOUSE wh_alter SET AUTO_RESUME = TRUE WAREHOUSE_SIZE = 'HUGE'"),
      ),
    ).toEqual(['001008', "SQL compilation error:\ninvalid value ['HUGE'] for parameter 'WAREHOUSE_SIZE'"]);
    expect((await failure(owner.query('ALTER WAREHOUSE wh_alter SET INITIALLY_SUSPENDED = TRUE'))).code).toBe(
      '001008',
    );
    expect(await read()).toEqual([['Small', null, 'false', 'SNOWPARK-OPTIMIZED']]);
    // A role with USAGE sees it but may not change it; MODIFY may.
    const session = await as('wh_role');
    await owner.query('GRANT USAGE ON WAREHOUSE wh_alter TO ROLE wh_role');
    expect(await codeAndMessage(session.query('ALTER WAREHOUSE wh_alter SET AUTO_SUSPEND = 300'))).toEqual([
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
