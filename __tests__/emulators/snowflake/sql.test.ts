// Unit tests for the tokenizer/parser and the small pure helpers.

import { tokenize } from './lexer.js';
import { parseScript } from './sql.js';
import { SfError, displayName } from './errors.js';
import { Account } from './account.js';
import type { SessionContext } from './account/model.js';
import { likeToRegExp } from './account/results.js';
import { renderSetTime } from './account/users.js';
import { claimMillis } from './auth.js';
import { normalizeClientIp, parseEntry, policyAllows } from './network.js';

const one = (sql: string) => {
  const parsed = parseScript(sql);
  expect(parsed).toHaveLength(1);
  return parsed[0]!.statement;
};

const errorOf = (f: () => unknown): SfError => {
  try {
    f();
  } catch (e) {
    return e as SfError;
  }
  throw new Error('expected an error');
};

describe('identifiers and literals', () => {
  it('upper-cases unquoted identifiers and keeps quoted ones, with "" as a quote', () => {
    expect(one('DESC USER my_User$1')).toEqual({
      type: 'descUser',
      name: { name: 'MY_USER$1', quoted: false },
    });
    expect(one('desc user "my ""odd"" User"')).toEqual({
      type: 'descUser',
      name: { name: 'my "odd" User', quoted: true },
    });
  });

  it("decodes string literals: '' and backslash escapes, and $$ strings", () => {
    const s = one("ALTER USER u SET COMMENT = 'it''s a \\'test\\'\\n\\\\' DISPLAY_NAME = $$raw 'x'$$");
    expect(s).toMatchObject({
      type: 'alterUserSet',
      props: [
        { name: 'COMMENT', value: { kind: 'string', value: "it's a 'test'\n\\" } },
        { name: 'DISPLAY_NAME', value: { kind: 'string', value: "raw 'x'" } },
      ],
    });
  });

  it('parses property values: numbers, booleans, identifiers, lists and WORKLOAD_IDENTITY', () => {
    const s = one(
      "CREATE USER IF NOT EXISTS u TYPE = SERVICE DISABLED = true DAYS_TO_EXPIRY = 5 DEFAULT_NAMESPACE = db.\"Sch\" WORKLOAD_IDENTITY = (TYPE = OIDC ISSUER = 'https://i' SUBJECT = 's' OIDC_AUDIENCE_LIST = ('a', 'b'));",
    );
    expect(s).toMatchObject({
      type: 'createUser',
      ifNotExists: true,
      orReplace: false,
      props: [
        { name: 'TYPE', value: { kind: 'ident', parts: [{ name: 'SERVICE' }] } },
        { name: 'DISABLED', value: { kind: 'bool', value: true } },
        { name: 'DAYS_TO_EXPIRY', value: { kind: 'number', value: '5' } },
        {
          name: 'DEFAULT_NAMESPACE',
          value: { kind: 'ident', parts: [{ name: 'DB' }, { name: 'Sch', quoted: true }] },
        },
        {
          name: 'WORKLOAD_IDENTITY',
          value: {
            kind: 'props',
            props: [
              { name: 'TYPE' },
              { name: 'ISSUER', value: { kind: 'string', value: 'https://i' } },
              { name: 'SUBJECT' },
              {
                name: 'OIDC_AUDIENCE_LIST',
                value: { kind: 'list', items: [{ value: 'a' }, { value: 'b' }] },
              },
            ],
          },
        },
      ],
    });
  });

  it('skips comments', () => {
    expect(one('-- lead\nSHOW /* mid */ USERS // tail')).toEqual({ type: 'showUsers', like: null });
  });
});

describe('statements', () => {
  it('parses the grant family', () => {
    expect(one('GRANT ROLE r TO USER u')).toMatchObject({
      type: 'grantRole',
      role: { name: 'R' },
      granteeType: 'USER',
    });
    expect(one('REVOKE ROLE r FROM ROLE x')).toMatchObject({ type: 'revokeRole', granteeType: 'ROLE' });
    expect(one('GRANT OWNERSHIP ON USER u TO ROLE r COPY CURRENT GRANTS')).toMatchObject({
      currentGrants: 'COPY',
    });
    expect(one('GRANT MODIFY PROGRAMMATIC AUTHENTICATION METHODS ON USER u TO ROLE r')).toMatchObject({
      type: 'grantPrivileges',
      privileges: ['MODIFY PROGRAMMATIC AUTHENTICATION METHODS'],
      onType: 'USER',
    });
    expect(one('GRANT CREATE USER, CREATE ROLE ON ACCOUNT TO ROLE r WITH GRANT OPTION')).toMatchObject({
      privileges: ['CREATE USER', 'CREATE ROLE'],
      onType: 'ACCOUNT',
      withGrantOption: true,
    });
    for (const [sql, mode] of [
      ['SHOW GRANTS TO USER u', 'toUser'],
      ['SHOW GRANTS TO ROLE r', 'toRole'],
      ['SHOW GRANTS OF ROLE r', 'ofRole'],
      ['SHOW GRANTS ON USER u', 'onUser'],
    ] as const) {
      expect(one(sql)).toMatchObject({ type: 'showGrants', mode });
    }
  });

  it('parses databases, schemas and secrets with qualified, quoted and unquoted parts', () => {
    expect(
      one(
        'CREATE OR REPLACE SECRET IF NOT EXISTS db."My Schema".k TYPE = GENERIC_STRING SECRET_STRING = $$a\'b$$',
      ),
    ).toEqual({
      type: 'createSecret',
      orReplace: true,
      ifNotExists: true,
      name: [
        { name: 'DB', quoted: false },
        { name: 'My Schema', quoted: true },
        { name: 'K', quoted: false },
      ],
      props: [
        expect.objectContaining({
          name: 'TYPE',
          value: { kind: 'ident', parts: [{ name: 'GENERIC_STRING', quoted: false }] },
        }),
        expect.objectContaining({ name: 'SECRET_STRING', value: { kind: 'string', value: "a'b" } }),
      ],
    });
    expect(one("ALTER SECRET IF EXISTS k SET COMMENT = 'c'")).toMatchObject({
      type: 'alterSecretSet',
      ifExists: true,
      name: [{ name: 'K' }],
    });
    expect(one('ALTER SECRET s.k UNSET COMMENT')).toMatchObject({
      type: 'alterSecretUnset',
      names: ['COMMENT'],
    });
    expect(one('DESCRIBE SECRET d.s.k')).toMatchObject({ type: 'descSecret', name: [{}, {}, {}] });
    expect(one('DROP SECRET IF EXISTS k')).toMatchObject({ type: 'dropSecret', ifExists: true });
    expect(one("SHOW SECRETS LIKE 'k%' IN SCHEMA d.s")).toMatchObject({
      type: 'showSecrets',
      like: 'k%',
      in: { kind: 'SCHEMA', name: [{ name: 'D' }, { name: 'S' }] },
    });
    expect(one('SHOW SECRETS IN d')).toMatchObject({ in: { kind: 'DATABASE', name: [{ name: 'D' }] } });
    expect(one('SHOW SECRETS IN ACCOUNT')).toMatchObject({ in: { kind: 'ACCOUNT' } });
    expect(one('SHOW SCHEMAS IN DATABASE d')).toMatchObject({
      type: 'showSchemas',
      in: { kind: 'DATABASE' },
    });
    expect(one('CREATE DATABASE IF NOT EXISTS d')).toMatchObject({
      type: 'createDatabase',
      ifNotExists: true,
    });
    expect(one('USE d.s')).toMatchObject({ type: 'useSchema', name: [{ name: 'D' }, { name: 'S' }] });
    expect(one('USE d')).toMatchObject({ type: 'useDatabase', name: { name: 'D' } });
    expect(one('GRANT USAGE, READ ON SECRET d.s.k TO ROLE r')).toMatchObject({
      type: 'grantObjectPrivileges',
      privileges: ['USAGE', 'READ'],
      objectType: 'SECRET',
    });
    expect(one('GRANT CREATE SCHEMA ON DATABASE d TO ROLE r')).toMatchObject({
      privileges: ['CREATE SCHEMA'],
      objectType: 'DATABASE',
    });
    expect(one('GRANT OWNERSHIP ON SCHEMA d.s TO ROLE r REVOKE CURRENT GRANTS')).toMatchObject({
      type: 'grantObjectOwnership',
      objectType: 'SCHEMA',
      currentGrants: 'REVOKE',
    });
    expect(one('REVOKE CREATE SECRET ON SCHEMA d.s FROM ROLE r')).toMatchObject({
      type: 'revokeObjectPrivileges',
    });
    expect(one('SHOW GRANTS ON SECRET d.s.k')).toMatchObject({
      type: 'showGrantsOnObject',
      objectType: 'SECRET',
    });
    // A secret name has at most three parts.
    expect(errorOf(() => one('DESC SECRET a.b.c.d')).code).toBe('001003');
  });

  it('answers 090106 for an unqualified secret when the session has a database but no schema', () => {
    const account = new Account('testorg-testaccount', () => new Date());
    const session: SessionContext = {
      user: null,
      role: 'ACCOUNTADMIN',
      warehouse: null,
      database: null,
      schema: null,
      sessionId: '1',
      params: new Map(),
    };
    // Without a current database, `IN DATABASE` / `IN SCHEMA` without a name have no effect.
    expect(account.execute(one('SHOW SECRETS IN SCHEMA'), session).rows).toEqual([]);
    expect(account.execute(one('SHOW SCHEMAS IN DATABASE'), session).rows).toEqual([]);
    account.execute(one('CREATE DATABASE d'), session);
    expect(account.execute(one('SHOW SCHEMAS IN DATABASE'), session).rows.map((r) => r[1])).toEqual([
      'INFORMATION_SCHEMA',
      'PUBLIC',
    ]);
    session.schema = null;
    const e = errorOf(() => account.execute(one('DESC SECRET k'), session));
    expect([e.code, e.sqlState, e.message]).toEqual([
      '090106',
      '22000',
      "Cannot perform DESCRIBE SECRET. This session does not have a current schema. Call 'USE SCHEMA', or use a qualified name.",
    ]);
    expect(account.execute(one('SELECT CURRENT_DATABASE(), CURRENT_SCHEMA()'), session).rows).toEqual([
      ['D', null],
    ]);
  });

  it('parses network policies and ALTER ACCOUNT', () => {
    expect(
      one(
        "CREATE OR REPLACE NETWORK POLICY IF NOT EXISTS ci ALLOWED_IP_LIST = ('1.2.3.4/32', '5.6.7.8') BLOCKED_IP_LIST = () COMMENT = 'x'",
      ),
    ).toMatchObject({
      type: 'createNetworkPolicy',
      orReplace: true,
      ifNotExists: true,
      name: { name: 'CI' },
      props: [
        {
          name: 'ALLOWED_IP_LIST',
          value: {
            kind: 'list',
            items: [
              { kind: 'string', value: '1.2.3.4/32' },
              { kind: 'string', value: '5.6.7.8' },
            ],
          },
        },
        { name: 'BLOCKED_IP_LIST', value: { kind: 'list', items: [] } },
        { name: 'COMMENT', value: { kind: 'string', value: 'x' } },
      ],
    });
    expect(one("ALTER NETWORK POLICY IF EXISTS ci SET COMMENT = 'y'")).toMatchObject({
      type: 'alterNetworkPolicySet',
      ifExists: true,
      props: [{ name: 'COMMENT' }],
    });
    expect(one('ALTER NETWORK POLICY ci UNSET COMMENT')).toMatchObject({
      type: 'alterNetworkPolicyUnset',
      names: ['COMMENT'],
    });
    expect(one('DESCRIBE NETWORK POLICY "ci"')).toEqual({
      type: 'descNetworkPolicy',
      name: { name: 'ci', quoted: true },
    });
    expect(one('DROP NETWORK POLICY IF EXISTS ci')).toMatchObject({
      type: 'dropNetworkPolicy',
      ifExists: true,
    });
    expect(one("SHOW NETWORK POLICIES LIKE 'c%'")).toEqual({ type: 'showNetworkPolicies', like: 'c%' });
    expect(one('SHOW GRANTS ON NETWORK POLICY ci')).toMatchObject({ mode: 'onNetworkPolicy' });
    expect(one('GRANT OWNERSHIP ON NETWORK POLICY ci TO ROLE r')).toMatchObject({
      type: 'grantOwnership',
      onType: 'NETWORK_POLICY',
    });
    expect(one('ALTER ACCOUNT SET NETWORK_POLICY = ci')).toMatchObject({
      type: 'alterAccountSet',
      props: [{ name: 'NETWORK_POLICY', value: { kind: 'ident', parts: [{ name: 'CI' }] } }],
    });
    expect(one('ALTER ACCOUNT UNSET NETWORK_POLICY')).toEqual({
      type: 'alterAccountUnset',
      names: ['NETWORK_POLICY'],
    });
  });

  it('parses warehouses and SHOW PARAMETERS', () => {
    expect(
      one(`CREATE OR REPLACE WAREHOUSE IF NOT EXISTS w
    WITH WAREHOUSE_SIZE = 'XSMALL'
      WAREHOUSE_TYPE = 'SNOWPARK-OPTIMIZED'
      AUTO_SUSPEND = 600 -- 5 minutes
      AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE COMMENT = 'c';`),
    ).toMatchObject({
      type: 'createWarehouse',
      orReplace: true,
      ifNotExists: true,
      name: { name: 'W' },
      props: [
        { name: 'WAREHOUSE_SIZE', value: { kind: 'string', value: 'XSMALL' } },
        { name: 'WAREHOUSE_TYPE', value: { kind: 'string', value: 'SNOWPARK-OPTIMIZED' } },
        { name: 'AUTO_SUSPEND', value: { kind: 'number', value: '600' } },
        { name: 'AUTO_RESUME', value: { kind: 'bool', value: true } },
        { name: 'INITIALLY_SUSPENDED', value: { kind: 'bool', value: true } },
        { name: 'COMMENT', value: { kind: 'string', value: 'c' } },
      ],
    });
    expect(one('CREATE WAREHOUSE w AUTO_SUSPEND = NULL')).toMatchObject({
      props: [{ name: 'AUTO_SUSPEND', value: { kind: 'null' } }],
    });
    expect(one('DROP WAREHOUSE IF EXISTS w')).toEqual({
      type: 'dropWarehouse',
      ifExists: true,
      name: { name: 'W', quoted: false },
    });
    expect(one("SHOW WAREHOUSES LIKE 'w%'")).toEqual({ type: 'showWarehouses', like: 'w%' });
    expect(one('USE WAREHOUSE "w"')).toEqual({ type: 'useWarehouse', name: { name: 'w', quoted: true } });
    expect(one('GRANT USAGE, OPERATE ON WAREHOUSE w TO ROLE r')).toMatchObject({
      type: 'grantObjectPrivileges',
      privileges: ['USAGE', 'OPERATE'],
      objectType: 'WAREHOUSE',
      on: [{ name: 'W' }],
    });
    expect(one('GRANT OWNERSHIP ON WAREHOUSE w TO ROLE r COPY CURRENT GRANTS')).toMatchObject({
      type: 'grantObjectOwnership',
      objectType: 'WAREHOUSE',
      currentGrants: 'COPY',
    });
    expect(one('SHOW GRANTS ON WAREHOUSE w')).toMatchObject({
      type: 'showGrantsOnObject',
      objectType: 'WAREHOUSE',
    });
    expect(one("SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER u")).toEqual({
      type: 'showParameters',
      like: 'NETWORK_POLICY',
      in: { kind: 'USER', name: { name: 'U', quoted: false } },
    });
    expect(one('SHOW PARAMETERS FOR USER')).toEqual({
      type: 'showParameters',
      like: null,
      in: { kind: 'USER', name: null },
    });
    expect(one("SHOW PARAMETERS LIKE 'N%' IN ACCOUNT")).toMatchObject({ in: { kind: 'ACCOUNT' } });
    expect(one('SHOW PARAMETERS IN WAREHOUSE w')).toMatchObject({ in: { kind: 'OTHER', word: 'WAREHOUSE' } });
    expect(one('SHOW PARAMETERS')).toMatchObject({ in: null });
    // A hyphenated size must be quoted.
    expect(errorOf(() => parseScript('CREATE WAREHOUSE w WAREHOUSE_SIZE = X-SMALL')).code).toBe('001003');
  });

  it('names SELECT columns after their upper-cased expression text, or the alias', () => {
    expect(one('select current_user(), current_role() as "r", current_account() acct')).toMatchObject({
      columns: [{ label: 'CURRENT_USER()' }, { label: 'r' }, { label: 'ACCT' }],
    });
  });

  it('parses ADD / REMOVE PROGRAMMATIC ACCESS TOKEN (or PAT), with or without the user, and SHOW USER PATS', () => {
    expect(
      one(
        "ALTER USER IF EXISTS svc ADD PROGRAMMATIC ACCESS TOKEN IF NOT EXISTS t ROLE_RESTRICTION = 'r' DAYS_TO_EXPIRY = 1",
      ),
    ).toMatchObject({
      type: 'addPat',
      ifExists: true,
      user: { name: 'SVC' },
      ifNotExists: true,
      name: { name: 'T' },
      props: [
        { name: 'ROLE_RESTRICTION', value: { kind: 'string', value: 'r' } },
        { name: 'DAYS_TO_EXPIRY', value: { kind: 'number', value: '1' } },
      ],
    });
    expect(one('alter user add pat "t"')).toMatchObject({
      type: 'addPat',
      user: null,
      name: { name: 't', quoted: true },
      props: [],
    });
    expect(one('ALTER USER u REMOVE PAT IF EXISTS t')).toMatchObject({
      type: 'removePat',
      ifExists: false,
      user: { name: 'U' },
      tokenIfExists: true,
      name: { name: 'T' },
    });
    expect(one('ALTER USER REMOVE PROGRAMMATIC ACCESS TOKEN t')).toMatchObject({
      type: 'removePat',
      user: null,
    });
    // A user named ADD is still a user name when no token clause follows.
    expect(one("ALTER USER add SET COMMENT = 'x'")).toMatchObject({
      type: 'alterUserSet',
      name: { name: 'ADD' },
    });
    expect(one('SHOW USER PROGRAMMATIC ACCESS TOKENS FOR USER u')).toEqual({
      type: 'showPats',
      user: { name: 'U', quoted: false },
    });
    expect(one('show user pats')).toEqual({ type: 'showPats', user: null });
    expect(errorOf(() => parseScript('ALTER USER u ADD PROGRAMMATIC TOKEN t')).code).toBe('001003');
  });

  it('parses DROP DATABASE [IF EXISTS] d [CASCADE | RESTRICT]', () => {
    expect(one('DROP DATABASE IF EXISTS "my db" CASCADE')).toEqual({
      type: 'dropDatabase',
      ifExists: true,
      name: { name: 'my db', quoted: true },
    });
    expect(one('drop database d restrict')).toEqual({
      type: 'dropDatabase',
      ifExists: false,
      name: { name: 'D', quoted: false },
    });
  });

  it('counts statements, skipping empty ones and a trailing semicolon', () => {
    expect(parseScript('USE ROLE r;')).toHaveLength(1);
    expect(parseScript(';;SELECT 1;; SELECT 2;')).toHaveLength(2);
    expect(parseScript('  ')).toHaveLength(0);
  });
});

describe('syntax errors', () => {
  it('name the line, the position in the line and the token', () => {
    const e = errorOf(() => parseScript('SHOW USERS\n  LIKE 5'));
    expect([e.code, e.sqlState, e.message]).toEqual([
      '001003',
      '42000',
      "SQL compilation error:\nsyntax error line 2 at position 7 unexpected '5'.",
    ]);
    expect(errorOf(() => parseScript('ALTER USER u SET')).message).toBe(
      "SQL compilation error:\nsyntax error line 1 at position 16 unexpected '<EOF>'.",
    );
    expect(errorOf(() => tokenize("SELECT 'open")).code).toBe('001003');
    expect(errorOf(() => parseScript('FROBNICATE USER u')).message).toContain("unexpected 'FROBNICATE'");
  });
});

describe('helpers', () => {
  it('displayName quotes what would not survive unquoted', () => {
    expect(displayName('ABC_1')).toBe('ABC_1');
    expect(displayName('abc')).toBe('"abc"');
    expect(displayName('a"b')).toBe('"a""b"');
  });

  it('LIKE is case-insensitive with % and _ and escapes', () => {
    expect(likeToRegExp('svc\\_%').test('SVC_A')).toBe(true);
    expect(likeToRegExp('svc\\_%').test('SVCXA')).toBe(false);
    expect(likeToRegExp('a_c').test('ABC')).toBe(true);
  });

  it('renders LAST_SET_TIME like 2020-10-08 01:33:13.43 in a zone', () => {
    const d = new Date('2020-10-08T08:33:13.430Z');
    expect(renderSetTime(d, 'UTC')).toBe('2020-10-08 08:33:13.43');
    expect(renderSetTime(d, 'America/Los_Angeles')).toBe('2020-10-08 01:33:13.43');
    expect(renderSetTime(new Date('2020-01-01T00:00:00Z'), 'UTC')).toBe('2020-01-01 00:00:00.0');
  });

  it('matches IPv4 addresses and CIDR blocks; the blocked list wins; other addresses are refused', () => {
    const policy = (allowed: string[], blocked: string[] = []) => ({
      name: 'P',
      allowed,
      blocked,
      comment: null,
      createdOn: new Date(0),
    });
    expect(policyAllows(policy(['0.0.0.0/0']), '8.8.8.8')).toBe(true);
    expect(policyAllows(policy(['10.1.0.0/16']), '10.1.255.3')).toBe(true);
    expect(policyAllows(policy(['10.1.0.0/16']), '10.2.0.1')).toBe(false);
    expect(policyAllows(policy(['192.168.1.7']), '192.168.1.7')).toBe(true);
    expect(policyAllows(policy(['192.168.1.7/31']), '192.168.1.6')).toBe(true);
    expect(policyAllows(policy(['192.168.1.0/24'], ['192.168.1.99']), '192.168.1.99')).toBe(false);
    expect(policyAllows(policy(['0.0.0.0/0'], ['0.0.0.0/0']), '1.1.1.1')).toBe(false);
    expect(policyAllows(policy([]), '1.1.1.1')).toBe(false);
    expect(policyAllows(policy(['127.0.0.1']), '::ffff:127.0.0.1')).toBe(true);
    expect(policyAllows(policy(['0.0.0.0/0']), '::1')).toBe(false);
    expect(normalizeClientIp('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect([parseEntry('1.2.3.4/0'), parseEntry('1.2.3.4/33'), parseEntry('01.2.3')]).toEqual([
      { base: 16909060, bits: 0 },
      null,
      null,
    ]);
  });

  it('reads JWT times in seconds or milliseconds by magnitude', () => {
    expect(claimMillis(1_700_000_000)).toBe(1_700_000_000_000);
    expect(claimMillis(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(claimMillis('1')).toBeNull();
  });
});
