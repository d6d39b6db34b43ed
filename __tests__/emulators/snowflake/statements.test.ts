// Statements through the real snowflake-sdk: result shapes, identifiers, errors, IS_ROLE_IN_SESSION and
// how DESC SECRET spells a generic string secret's type.

import { startSnowflakeEmulator } from './server.js';
import { SnowflakeControl } from './control.js';
import { codeStateAndMessage, failure } from './helpers.js';
import { control, keyA, keyB, keyC, login, useEmulator } from './fixture.js';

useEmulator();

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
    expect(await codeStateAndMessage(session.query('DESC USER "nobody"'))).toEqual([
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
    expect(await codeStateAndMessage(session.query('ALTER USER shape_user SETT COMMENT = 1'))).toEqual([
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
