// What an access spec applies, through the real snowflake-sdk: SHOW PARAMETERS, one-statement CREATE USER,
// account privileges.

import { codeAndMessage, failure } from './helpers.js';
import { control, keyA, keyB, keyC, login, useEmulator } from './fixture.js';

useEmulator();

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
    expect(
      await codeAndMessage(session.query("SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER param_plain")),
    ).toEqual([
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
    expect(
      await codeAndMessage(control.sql("ALTER USER spec_target SET COMMENT = 'x'", 'spec_keys')),
    ).toEqual([
      '003001',
      "SQL access control error:\nInsufficient privileges to operate on user 'SPEC_TARGET'",
    ]);
  });
});
