// Programmatic access tokens made over SQL (ALTER USER … ADD / REMOVE PROGRAMMATIC ACCESS TOKEN, SHOW USER
// PROGRAMMATIC ACCESS TOKENS) and DROP DATABASE, through the real snowflake-sdk. Sources are in README.md
// ("Programmatic access tokens over SQL", "Databases, schemas and secrets").

import { startSnowflakeEmulator, type SnowflakeEmulator } from './server.js';
import { SnowflakeControl } from './control.js';
import { connect, connectWithKey, failure, makeKey, type Session, type TestKey } from './helpers.js';

let emulator: SnowflakeEmulator;
let control: SnowflakeControl;
let adminKey: TestKey;
let svcKey: TestKey;
let admin: Session;

beforeAll(async () => {
  adminKey = makeKey();
  svcKey = makeKey();
  emulator = await startSnowflakeEmulator();
  control = new SnowflakeControl(emulator.url);
  await control.sql(
    `CREATE USER pat_admin TYPE = SERVICE DEFAULT_ROLE = ACCOUNTADMIN RSA_PUBLIC_KEY = '${adminKey.publicBody}'`,
  );
  await control.sql('GRANT ROLE ACCOUNTADMIN TO USER pat_admin');
  admin = await connectWithKey(emulator.url, emulator.account, 'pat_admin', adminKey);
});

afterAll(async () => {
  await admin.close();
  await emulator.close();
});

const patLogin = (user: string, token: string, extra: Record<string, unknown> = {}) =>
  connect({
    accessUrl: emulator.url,
    account: emulator.account,
    username: user,
    authenticator: 'PROGRAMMATIC_ACCESS_TOKEN',
    token,
    ...extra,
  });

describe('programmatic access tokens over SQL', () => {
  beforeAll(async () => {
    // The live suite's set-up: a service user whose role is granted to it, under a network policy.
    await admin.query('CREATE ROLE svc_role');
    await admin.query('CREATE ROLE other_role');
    await admin.query(`CREATE USER pat_svc TYPE = SERVICE RSA_PUBLIC_KEY = '${svcKey.publicBody}'`);
    await admin.query('GRANT ROLE svc_role TO USER pat_svc');
    await admin.query('GRANT ROLE other_role TO USER pat_svc');
    await admin.query("CREATE NETWORK POLICY pat_anywhere ALLOWED_IP_LIST = ('0.0.0.0/0')");
    await admin.query('ALTER USER pat_svc SET NETWORK_POLICY = pat_anywhere');
  });

  it('ADD returns token_name and token_secret once; the secret logs in, in the restricted role', async () => {
    const rows = await admin.query(
      "ALTER USER pat_svc ADD PROGRAMMATIC ACCESS TOKEN ci_token ROLE_RESTRICTION = 'svc_role' DAYS_TO_EXPIRY = 1 COMMENT = 'for CI'",
    );
    expect(rows).toEqual([{ token_name: 'CI_TOKEN', token_secret: expect.any(String) }]);
    const secret = String(rows[0]!.token_secret);
    // JWS-shaped, like live secrets.
    expect(secret).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
    const session = await patLogin('pat_svc', secret);
    expect(await session.query('SELECT CURRENT_USER(), CURRENT_ROLE()')).toEqual([
      { 'CURRENT_USER()': 'PAT_SVC', 'CURRENT_ROLE()': 'SVC_ROLE' },
    ]);
    await session.close();
    // The restriction is the only role the token may use, even one granted to the user.
    expect((await failure(patLogin('pat_svc', secret, { role: 'OTHER_ROLE' }))).code).toBe('390189');
    // Another user's name with the token: invalid.
    expect((await failure(patLogin('pat_admin', secret))).code).toBe('394400');
    const desc = await admin.query('DESC USER pat_svc');
    expect(desc.find((r) => r.property === 'HAS_PAT')?.value).toBe('true');
    expect(await admin.query("SHOW USERS LIKE 'PAT_SVC'")).toEqual([
      expect.objectContaining({ name: 'PAT_SVC', has_pat: 'true' }),
    ]);
    await admin.query('ALTER USER pat_svc REMOVE PROGRAMMATIC ACCESS TOKEN ci_token');
  });

  it('SHOW USER PROGRAMMATIC ACCESS TOKENS (or PATS) lists the metadata, never the secret', async () => {
    await admin.query("ALTER USER pat_svc ADD PAT listed ROLE_RESTRICTION = 'SVC_ROLE' COMMENT = 'c'");
    const rows = await admin.query('SHOW USER PROGRAMMATIC ACCESS TOKENS FOR USER pat_svc');
    expect(rows).toEqual([
      {
        name: 'LISTED',
        user_name: 'PAT_SVC',
        role_restriction: 'SVC_ROLE',
        expires_at: expect.any(Date),
        status: 'ACTIVE',
        comment: 'c',
        created_on: expect.any(Date),
        created_by: 'PAT_ADMIN',
        mins_to_bypass_network_policy_requirement: null,
        rotated_to: null,
      },
    ]);
    // DAYS_TO_EXPIRY defaults to 15.
    const row = rows[0]!;
    const days = ((row.expires_at as Date).getTime() - (row.created_on as Date).getTime()) / 86_400_000;
    expect(days).toBeCloseTo(15, 5);
    expect(await admin.query('SHOW USER PATS FOR USER pat_svc')).toEqual(rows);
    await admin.query('ALTER USER pat_svc REMOVE PAT listed');
    expect(await admin.query('SHOW USER PATS FOR USER pat_svc')).toEqual([]);
  });

  it('refuses a service user token without ROLE_RESTRICTION, with a role not granted, or with bad values', async () => {
    const refused = async (sql: string) => (await failure(admin.query(sql))).code;
    expect(await refused('ALTER USER pat_svc ADD PAT t1')).toBe('001008');
    expect(await refused("ALTER USER pat_svc ADD PAT t1 ROLE_RESTRICTION = 'SYSADMIN'")).toBe('001008');
    expect(await refused("ALTER USER pat_svc ADD PAT t1 ROLE_RESTRICTION = 'NO_SUCH_ROLE'")).toBe('001008');
    expect(
      await refused("ALTER USER pat_svc ADD PAT t1 ROLE_RESTRICTION = 'SVC_ROLE' DAYS_TO_EXPIRY = 0"),
    ).toBe('001008');
    expect(
      await refused("ALTER USER pat_svc ADD PAT t1 ROLE_RESTRICTION = 'SVC_ROLE' DAYS_TO_EXPIRY = 366"),
    ).toBe('001008');
    expect(
      await refused(
        "ALTER USER pat_svc ADD PAT t1 ROLE_RESTRICTION = 'SVC_ROLE' MINS_TO_BYPASS_NETWORK_POLICY_REQUIREMENT = 1441",
      ),
    ).toBe('001008');
    expect(await refused("ALTER USER pat_svc ADD PAT t1 ROLE_RESTRICTION = 'SVC_ROLE' COLOR = 'red'")).toBe(
      '001008',
    );
    expect(await refused("ALTER USER nobody ADD PAT t1 ROLE_RESTRICTION = 'SVC_ROLE'")).toBe('002003');
    // IF EXISTS on the user: nothing happens.
    expect(await admin.query("ALTER USER IF EXISTS nobody ADD PAT t1 ROLE_RESTRICTION = 'SVC_ROLE'")).toEqual(
      [{ status: 'Statement executed successfully.' }],
    );
    expect(await admin.query('SHOW USER PATS FOR USER pat_svc')).toEqual([]);
  });

  it('a service user needs a network policy to get a token, even with bypass minutes', async () => {
    await admin.query('CREATE USER pat_svc_open TYPE = SERVICE');
    await admin.query('GRANT ROLE svc_role TO USER pat_svc_open');
    const error = await failure(
      admin.query(
        "ALTER USER pat_svc_open ADD PAT t ROLE_RESTRICTION = 'SVC_ROLE' MINS_TO_BYPASS_NETWORK_POLICY_REQUIREMENT = 60",
      ),
    );
    expect(error.code).toBe('001008');
    expect(error.message).toMatch(/Network policy is required/);
    // An account-level policy is enough.
    await admin.query('ALTER ACCOUNT SET NETWORK_POLICY = pat_anywhere');
    try {
      const [row] = await admin.query("ALTER USER pat_svc_open ADD PAT t ROLE_RESTRICTION = 'SVC_ROLE'");
      const session = await patLogin('pat_svc_open', String(row!.token_secret));
      await session.close();
    } finally {
      await admin.query('ALTER ACCOUNT UNSET NETWORK_POLICY');
    }
  });

  it('a duplicate name is refused (002002); IF NOT EXISTS succeeds without a new secret', async () => {
    await admin.query("ALTER USER pat_svc ADD PAT dup ROLE_RESTRICTION = 'SVC_ROLE'");
    expect(
      (await failure(admin.query("ALTER USER pat_svc ADD PAT dup ROLE_RESTRICTION = 'SVC_ROLE'"))).code,
    ).toBe('002002');
    expect(
      await admin.query(
        "ALTER USER pat_svc ADD PROGRAMMATIC ACCESS TOKEN IF NOT EXISTS dup ROLE_RESTRICTION = 'SVC_ROLE'",
      ),
    ).toEqual([{ status: 'DUP already exists, statement succeeded.' }]);
    await admin.query('ALTER USER pat_svc REMOVE PAT dup');
  });

  it('who may add, list and remove: OWNERSHIP or MODIFY PROGRAMMATIC AUTHENTICATION METHODS on the user', async () => {
    const key = makeKey();
    await admin.query(`CREATE USER pat_operator TYPE = SERVICE RSA_PUBLIC_KEY = '${key.publicBody}'`);
    await admin.query('CREATE ROLE operator_role');
    await admin.query('GRANT ROLE operator_role TO USER pat_operator');
    const operator = await connectWithKey(emulator.url, emulator.account, 'pat_operator', key, {
      role: 'OPERATOR_ROLE',
    });
    try {
      const add = "ALTER USER pat_svc ADD PAT delegated ROLE_RESTRICTION = 'SVC_ROLE'";
      expect((await failure(operator.query(add))).code).toBe('003001');
      expect((await failure(operator.query('SHOW USER PATS FOR USER pat_svc'))).code).toBe('003001');
      await admin.query(
        'GRANT MODIFY PROGRAMMATIC AUTHENTICATION METHODS ON USER pat_svc TO ROLE operator_role',
      );
      expect(await operator.query(add)).toEqual([
        { token_name: 'DELEGATED', token_secret: expect.any(String) },
      ]);
      expect(await operator.query('SHOW USER PATS FOR USER pat_svc')).toEqual([
        expect.objectContaining({ name: 'DELEGATED', created_by: 'PAT_OPERATOR' }),
      ]);
      await operator.query('ALTER USER pat_svc REMOVE PAT delegated');
      // A service user needs the privilege even for its own tokens.
      expect(
        (await failure(operator.query("ALTER USER ADD PAT mine ROLE_RESTRICTION = 'OPERATOR_ROLE'"))).code,
      ).toBe('003001');
    } finally {
      await operator.close();
    }
  });

  it('a person adds its own token without privileges; it logs in under a policy or within the bypass minutes', async () => {
    const key = makeKey();
    await admin.query(`CREATE USER pat_person TYPE = PERSON RSA_PUBLIC_KEY = '${key.publicBody}'`);
    const person = await connectWithKey(emulator.url, emulator.account, 'pat_person', key);
    try {
      const [plain] = await person.query('ALTER USER ADD PAT plain');
      const [bypass] = await person.query(
        'ALTER USER ADD PAT bypass MINS_TO_BYPASS_NETWORK_POLICY_REQUIREMENT = 30',
      );
      // No policy applies to the person: the plain token is refused, the bypassing one works (PUBLIC: no restriction).
      expect((await failure(patLogin('pat_person', String(plain!.token_secret)))).code).toBe('390432');
      const session = await patLogin('pat_person', String(bypass!.token_secret));
      expect(await session.query('SELECT CURRENT_ROLE()')).toEqual([{ 'CURRENT_ROLE()': 'PUBLIC' }]);
      await session.close();
      expect(await person.query('SHOW USER PATS')).toEqual([
        expect.objectContaining({ name: 'BYPASS', mins_to_bypass_network_policy_requirement: 30 }),
        expect.objectContaining({ name: 'PLAIN', mins_to_bypass_network_policy_requirement: null }),
      ]);
      // The bypass lapses after its minutes (emulator clock).
      await control.clock(31 * 60_000);
      try {
        expect((await failure(patLogin('pat_person', String(bypass!.token_secret)))).code).toBe('390432');
      } finally {
        await control.clock(0);
      }
    } finally {
      await person.close();
    }
  });

  it('a session opened with a token cannot remove its own user’s tokens', async () => {
    const [row] = await admin.query("ALTER USER pat_svc ADD PAT self_remove ROLE_RESTRICTION = 'SVC_ROLE'");
    await admin.query('GRANT OWNERSHIP ON USER pat_svc TO ROLE svc_role COPY CURRENT GRANTS');
    const session = await patLogin('pat_svc', String(row!.token_secret));
    try {
      expect((await failure(session.query('ALTER USER pat_svc REMOVE PAT self_remove'))).code).toBe('001008');
    } finally {
      await session.close();
      await admin.query('GRANT OWNERSHIP ON USER pat_svc TO ROLE ACCOUNTADMIN COPY CURRENT GRANTS');
    }
    await admin.query('ALTER USER pat_svc REMOVE PAT self_remove');
  });

  it('a removed, expired or role-revoked token, or one of a dropped user, answers 394400', async () => {
    const add = async (name: string, extra = '') =>
      String(
        (await admin.query(`ALTER USER pat_svc ADD PAT ${name} ROLE_RESTRICTION = 'SVC_ROLE' ${extra}`))[0]!
          .token_secret,
      );
    const removed = await add('removed');
    await admin.query('ALTER USER pat_svc REMOVE PROGRAMMATIC ACCESS TOKEN removed');
    expect((await failure(patLogin('pat_svc', removed))).code).toBe('394400');
    expect((await failure(admin.query('ALTER USER pat_svc REMOVE PAT removed'))).code).toBe('002003');
    expect(await admin.query('ALTER USER pat_svc REMOVE PAT IF EXISTS removed')).toEqual([
      { status: 'Statement executed successfully.' },
    ]);

    const expiring = await add('expiring', 'DAYS_TO_EXPIRY = 2');
    await control.clock(2 * 86_400_000 + 1000);
    try {
      expect((await failure(patLogin('pat_svc', expiring))).code).toBe('394400');
      expect(await admin.query('SHOW USER PATS FOR USER pat_svc')).toEqual([
        expect.objectContaining({ name: 'EXPIRING', status: 'EXPIRED' }),
      ]);
    } finally {
      await control.clock(0);
    }
    await admin.query('ALTER USER pat_svc REMOVE PAT expiring');

    const revoked = await add('revoked');
    await admin.query('REVOKE ROLE svc_role FROM USER pat_svc');
    expect((await failure(patLogin('pat_svc', revoked))).code).toBe('394400');
    await admin.query('GRANT ROLE svc_role TO USER pat_svc');
    const again = await patLogin('pat_svc', revoked);
    await again.close();

    await admin.query('DROP USER pat_svc');
    expect((await failure(patLogin('pat_svc', revoked))).code).toBe('394400');
    // A new user of the same name does not inherit the tokens.
    await admin.query('CREATE USER pat_svc TYPE = SERVICE NETWORK_POLICY = pat_anywhere');
    await admin.query('GRANT ROLE svc_role TO USER pat_svc');
    expect(await admin.query('SHOW USER PATS FOR USER pat_svc')).toEqual([]);
    expect((await failure(patLogin('pat_svc', revoked))).code).toBe('394400');
  });

  it('never writes a token secret to the log or the request list', async () => {
    await control.clearLog();
    await control.clearRequests();
    const [row] = await admin.query("ALTER USER pat_svc ADD PAT logged ROLE_RESTRICTION = 'SVC_ROLE'");
    const secret = String(row!.token_secret);
    const session = await patLogin('pat_svc', secret);
    await session.query('SELECT CURRENT_USER()');
    await session.close();
    await failure(patLogin('pat_svc', `${secret}x`));
    const seen = JSON.stringify([await control.log(), await control.requests()]);
    expect(seen).toContain('ADD PAT logged');
    expect(seen).not.toContain(secret);
    await admin.query('ALTER USER pat_svc REMOVE PAT logged');
  });
});

describe('DROP DATABASE', () => {
  beforeAll(async () => {
    await admin.query('CREATE ROLE db_user_role');
    await admin.query('CREATE ROLE db_stranger');
    const key = makeKey();
    await admin.query(`CREATE USER db_user TYPE = SERVICE RSA_PUBLIC_KEY = '${key.publicBody}'`);
    await admin.query('GRANT ROLE db_user_role TO USER db_user');
    await admin.query('GRANT ROLE db_stranger TO USER db_user');
    dbUserKey = key;
  });
  let dbUserKey: TestKey;

  it('drops the database with its schemas, secrets and every grant on them', async () => {
    await admin.query('CREATE DATABASE drop_me');
    await admin.query('CREATE SCHEMA drop_me.keys');
    await admin.query("CREATE SECRET drop_me.keys.k TYPE = GENERIC_STRING SECRET_STRING = 'v'");
    await admin.query('GRANT USAGE ON DATABASE drop_me TO ROLE db_user_role');
    await admin.query('GRANT USAGE ON SCHEMA drop_me.keys TO ROLE db_user_role');
    await admin.query('GRANT READ ON SECRET drop_me.keys.k TO ROLE db_user_role');
    expect(await admin.query('DROP DATABASE drop_me')).toEqual([{ status: 'DROP_ME successfully dropped.' }]);
    expect(await admin.query("SHOW DATABASES LIKE 'DROP_ME'")).toEqual([]);
    expect((await control.secrets()).filter((s) => s.database === 'DROP_ME')).toEqual([]);
    const grants = await admin.query('SHOW GRANTS TO ROLE db_user_role');
    expect(grants.filter((g) => String(g.name).startsWith('DROP_ME'))).toEqual([]);
    // The dropping session has no current database any more.
    expect(await admin.query('SELECT CURRENT_DATABASE()')).toEqual([{ 'CURRENT_DATABASE()': null }]);
    // A database of the same name starts afresh.
    await admin.query('CREATE DATABASE drop_me');
    const schemas = await admin.query('SHOW SCHEMAS IN DATABASE drop_me');
    expect(schemas.map((r) => r.name).sort()).toEqual(['INFORMATION_SCHEMA', 'PUBLIC']);
    expect((await admin.query('SHOW GRANTS ON DATABASE drop_me')).map((g) => g.privilege)).toEqual([
      'OWNERSHIP',
    ]);
    await admin.query('DROP DATABASE drop_me CASCADE');
  });

  it('a missing database: 002003, or the IF EXISTS status', async () => {
    const error = await failure(admin.query('DROP DATABASE no_such_db'));
    expect(error.code).toBe('002003');
    expect(error.sqlState).toBe('02000');
    expect(error.message).toBe(
      "SQL compilation error:\nDatabase 'NO_SUCH_DB' does not exist or not authorized.",
    );
    expect(await admin.query('DROP DATABASE IF EXISTS no_such_db')).toEqual([
      { status: 'Drop statement executed successfully (NO_SUCH_DB already dropped).' },
    ]);
    expect((await failure(admin.query('DROP DATABASE "quoted db"'))).message).toBe(
      'SQL compilation error:\nDatabase \'"quoted db"\' does not exist or not authorized.',
    );
  });

  it('needs OWNERSHIP (003001); a role that cannot see the database gets 002003', async () => {
    await admin.query('CREATE DATABASE kept_db');
    await admin.query('GRANT USAGE ON DATABASE kept_db TO ROLE db_user_role');
    const user = await connectWithKey(emulator.url, emulator.account, 'db_user', dbUserKey, {
      role: 'DB_USER_ROLE',
    });
    try {
      const refused = await failure(user.query('DROP DATABASE kept_db'));
      expect(refused.code).toBe('003001');
      expect(refused.message).toBe(
        "SQL access control error:\nInsufficient privileges to operate on database 'KEPT_DB'",
      );
      await user.query('USE ROLE db_stranger');
      expect((await failure(user.query('DROP DATABASE kept_db'))).code).toBe('002003');
      await admin.query('GRANT OWNERSHIP ON DATABASE kept_db TO ROLE db_user_role COPY CURRENT GRANTS');
      await user.query('USE ROLE db_user_role');
      expect(await user.query('DROP DATABASE IF EXISTS kept_db')).toEqual([
        { status: 'KEPT_DB successfully dropped.' },
      ]);
    } finally {
      await user.close();
    }
  });
});
