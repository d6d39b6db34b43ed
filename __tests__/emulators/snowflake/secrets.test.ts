// Databases, schemas and SECRET objects through the real snowflake-sdk.

import { codeAndMessage, codeStateAndMessage, failure } from './helpers.js';
import { control, keyA, login, useEmulator } from './fixture.js';

useEmulator();

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
    expect(await codeStateAndMessage(session.query('USE DATABASE sec_other_db'))).toEqual([
      '002003',
      '02000',
      "SQL compilation error:\nDatabase 'SEC_OTHER_DB' does not exist or not authorized.",
    ]);
    await Promise.all([session.close(), writer.close(), other.close()]);
  });

  it('CREATE SECRET needs USAGE on the database, USAGE on the schema and CREATE SECRET on the schema', async () => {
    const session = await as('SEC_WRITER');
    expect(await codeAndMessage(session.query(create))).toEqual([
      '002003',
      "SQL compilation error:\nDatabase 'SEC_DB' does not exist or not authorized.",
    ]);
    await control.sql('GRANT USAGE ON DATABASE sec_db TO ROLE sec_writer', 'SYSADMIN');
    expect(await codeAndMessage(session.query(create))).toEqual([
      '002003',
      "SQL compilation error:\nSchema 'SEC_DB.KEYS' does not exist or not authorized.",
    ]);
    await control.sql('GRANT USAGE ON SCHEMA sec_db.keys TO ROLE sec_writer', 'SYSADMIN');
    expect(await codeStateAndMessage(session.query(create))).toEqual([
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
    expect(
      await codeStateAndMessage(reader.query("ALTER SECRET sec_db.keys.deploy_key SET SECRET_STRING = 'x'")),
    ).toEqual([
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
    expect(await codeAndMessage(other.query('DESC SECRET sec_db.keys.deploy_key'))).toEqual([
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
    expect(
      await codeStateAndMessage(
        session.query("CREATE SECRET loose TYPE = GENERIC_STRING SECRET_STRING = 'x'"),
      ),
    ).toEqual([
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
    expect(await codeAndMessage(session.query(create))).toEqual([
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
