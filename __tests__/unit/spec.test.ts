import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import schema from '../../schema/access-spec.schema.json' with { type: 'json' };
import { ActionError } from '../../src/errors.js';
import { loadSpec } from '../../src/access-spec/load.js';
import { MAX_SPEC_BYTES, SpecError } from '../../src/access-spec/model.js';
import { grantsOf, sourceOf, type AccessSpec } from '../../src/access-spec/model.js';
import { PRIVILEGES } from '../../src/access-spec/snowflake-catalog.js';
import { keyDestinations } from '../../src/github/placement.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = ['segment-reverse-etl.yml', 'key-rotator.yml', 'snowflake-secret.yml'];

function example(name: string): string {
  return readFileSync(join(root, 'examples', name), 'utf8');
}

function load(text: string): AccessSpec {
  return loadSpec(text, 'access.yml');
}

function failure(text: string): SpecError {
  try {
    load(text);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    expect(error).toBeInstanceOf(ActionError);
    return error as SpecError;
  }
  throw new Error('expected the spec to be refused');
}

/** Lines of YAML with a leading `version: 1`; keeps the line numbers in the table easy to read. */
function spec(...lines: string[]): string {
  return ['version: 1', ...lines].join('\n') + '\n';
}

describe('examples', () => {
  test.each(EXAMPLES)(
    '%s loads, starts with its schema line and validates against the JSON Schema',
    (name) => {
      const text = example(name);
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/access-spec.schema.json');
      expect(() => loadSpec(text, `examples/${name}`)).not.toThrow();
      const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
      const validate = ajv.compile(schema);
      expect(validate(parse(text))).toBe(true);
      expect(validate.errors ?? []).toEqual([]);
    },
  );

  test("segment-reverse-etl.yml declares exactly the guide's objects and grants", () => {
    const model = loadSpec(example('segment-reverse-etl.yml'), 'examples/segment-reverse-etl.yml');
    expect(model.warnings).toEqual([]);
    expect(model.databases.map((db) => [db.name, db.schemas])).toEqual([['SEGMENT_REVERSE_ETL', []]]);
    expect(model.warehouses).toEqual([
      expect.objectContaining({
        name: 'SEGMENT_REVERSE_ETL',
        size: 'XSMALL',
        type: 'STANDARD',
        autoSuspend: 600,
        autoResume: true,
      }),
    ]);
    expect(model.networkPolicies).toEqual([
      expect.objectContaining({
        name: 'SEGMENT_REVERSE_ETL_US',
        allowedIpList: ['52.25.130.38/32', '34.223.203.0/28'],
        blockedIpList: [],
      }),
    ]);
    expect(model.roles.map((role) => role.name)).toEqual(['SEGMENT_REVERSE_ETL']);
    const [user] = model.users;
    expect(user).toMatchObject({
      name: 'SEGMENT_REVERSE_ETL_USER',
      type: 'SERVICE',
      defaultRole: { name: 'SEGMENT_REVERSE_ETL', declared: true, system: false },
      networkPolicy: { name: 'SEGMENT_REVERSE_ETL_US' },
      key: { secret: { name: 'SNOWFLAKE_PRIVATE_KEY', repositories: [] }, maxAgeMs: 90 * 86_400_000 },
    });
    expect(user?.workloadIdentity).toBeUndefined();
    const grants = grantsOf(model);
    expect(
      grants.privileges.map(({ privilege, on, name, role, declared }) => ({
        privilege,
        on,
        name,
        role,
        declared,
      })),
    ).toEqual([
      {
        privilege: 'USAGE',
        on: 'WAREHOUSE',
        name: 'SEGMENT_REVERSE_ETL',
        role: 'SEGMENT_REVERSE_ETL',
        declared: true,
      },
      {
        privilege: 'USAGE',
        on: 'DATABASE',
        name: 'SEGMENT_REVERSE_ETL',
        role: 'SEGMENT_REVERSE_ETL',
        declared: true,
      },
      {
        privilege: 'CREATE SCHEMA',
        on: 'DATABASE',
        name: 'SEGMENT_REVERSE_ETL',
        role: 'SEGMENT_REVERSE_ETL',
        declared: true,
      },
    ]);
    expect(grants.roles).toEqual([
      expect.objectContaining({
        role: 'SEGMENT_REVERSE_ETL',
        granteeType: 'USER',
        grantee: 'SEGMENT_REVERSE_ETL_USER',
      }),
    ]);
    // Sources point at the spec's own lines.
    const usage = grants.privileges[0];
    expect(usage?.source).toEqual({
      file: 'examples/segment-reverse-etl.yml',
      line: example('segment-reverse-etl.yml').split('\n').indexOf('        privileges: [USAGE]') + 1,
      path: 'roles[0].privileges[0].privileges[0]',
    });
    expect(keyDestinations(user!.key!.secret, 'acme/app')).toEqual([
      { kind: 'repository', owner: 'acme', repo: 'app', secretName: 'SNOWFLAKE_PRIVATE_KEY' },
    ]);
  });

  test('key-rotator.yml: the rotator role owns the target user and nothing more', () => {
    const model = loadSpec(example('key-rotator.yml'), 'examples/key-rotator.yml');
    const grants = grantsOf(model);
    expect(grants.privileges.map(({ privilege, on, name, role }) => ({ privilege, on, name, role }))).toEqual(
      [{ privilege: 'OWNERSHIP', on: 'USER', name: 'ESC_ROTATION_DEMO_USER', role: 'ESC_ROTATOR' }],
    );
    expect(grants.privileges[0]?.declared).toBe(true);
    const rotator = model.users.find((user) => user.name === 'ESC_ROTATION_SERVICE_USER');
    expect(rotator).toMatchObject({
      type: 'SERVICE',
      defaultRole: { name: 'ESC_ROTATOR' },
      workloadIdentity: {
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:acme/app:environment:production',
      },
    });
    expect(rotator?.key).toBeUndefined();
    const target = model.users.find((user) => user.name === 'ESC_ROTATION_DEMO_USER');
    expect(target).toMatchObject({ defaultRole: { name: 'PUBLIC', system: true, declared: false } });
    expect(keyDestinations(target!.key!.secret, 'acme/app')).toEqual([
      {
        kind: 'environment',
        owner: 'acme',
        repo: 'app',
        environment: 'production',
        secretName: 'SNOWFLAKE_PRIVATE_KEY',
      },
    ]);
  });

  test('snowflake-secret.yml: CREATE SECRET on the schema, USAGE on the secret', () => {
    const model = loadSpec(example('snowflake-secret.yml'), 'examples/snowflake-secret.yml');
    expect(model.secrets).toEqual([
      expect.objectContaining({
        database: 'KEYS',
        schema: 'PRIVATE',
        name: 'SNOWFLAKE_PRIVATE_KEY',
        qualifiedName: 'KEYS.PRIVATE.SNOWFLAKE_PRIVATE_KEY',
        type: 'GENERIC_STRING',
        schemaDeclared: true,
      }),
    ]);
    const grants = grantsOf(model).privileges.map(
      (g) => `${g.role}: ${g.privilege} ON ${g.on} ${g.name ?? ''}`,
    );
    expect(grants).toEqual([
      'KEY_ADMIN: USAGE ON DATABASE KEYS',
      'KEY_ADMIN: USAGE ON SCHEMA KEYS.PRIVATE',
      'KEY_ADMIN: CREATE SECRET ON SCHEMA KEYS.PRIVATE',
      'KEY_READER: USAGE ON DATABASE KEYS',
      'KEY_READER: USAGE ON SCHEMA KEYS.PRIVATE',
      'KEY_READER: USAGE ON SECRET KEYS.PRIVATE.SNOWFLAKE_PRIVATE_KEY',
    ]);
  });
});

describe('the model', () => {
  const text = spec(
    'databases:', //                                    2
    '  - name: analytics', //                           3
    '    comment: Reporting', //                        4
    '    schemas: [raw, \'"Mixed Case"\']', //          5
    'warehouses:', //                                   6
    '  - name: "\\"Reporting WH\\""', //                7
    '    auto_suspend: 0', //                           8
    'roles:', //                                        9
    '  - name: reader', //                              10
    '    privileges:', //                               11
    '      - on: account', //                           12
    '        privileges: [create  user, monitor usage, CREATE USER]', // 13
    '      - on: schema', //                            14
    '        name: analytics."Mixed Case"', //          15
    '        privileges: [usage]', //                   16
    '      - on: warehouse', //                         17
    '        name: "\\"Reporting WH\\""', //            18
    '        privileges: [usage, operate]', //          19
    '      - on: integration', //                       20
    '        name: okta', //                            21
    '        privileges: [usage]', //                   22
    '      - on: database', //                          23
    '        name: elsewhere', //                       24
    '        privileges: [usage]', //                   25
    '      - on: schema', //                            26
    '        name: analytics.public', //                27
    '        privileges: [usage]', //                   28
    '    roles: [sysadmin, writer]', //                 29
    '  - name: writer', //                              30
    'users:', //                                        31
    '  - name: alice', //                               32
    '    type: PERSON', //                              33
    '    default_namespace: analytics.raw', //          34
    '    default_warehouse: other_wh', //               35
    '    default_role: reader', //                      36
    '    roles: [reader, writer]', //                   37
  );

  test('names are resolved by Snowflake rules and privileges normalised', () => {
    const model = load(text);
    expect(model.databases[0]).toMatchObject({
      name: 'ANALYTICS',
      comment: 'Reporting',
      schemas: [
        { database: 'ANALYTICS', name: 'RAW' },
        { database: 'ANALYTICS', name: 'Mixed Case' },
      ],
    });
    expect(model.warehouses[0]).toMatchObject({ name: 'Reporting WH', autoSuspend: null });
    expect(model.warehouses[0]?.size).toBeUndefined();
    const [reader] = model.roles;
    expect(reader?.privileges[0]?.privileges.map((p) => p.name)).toEqual(['CREATE USER', 'MONITOR USAGE']);
    expect(reader?.roles.map((r) => [r.name, r.declared, r.system])).toEqual([
      ['SYSADMIN', false, true],
      ['WRITER', true, false],
    ]);
    expect(model.users[0]).toMatchObject({
      name: 'ALICE',
      type: 'PERSON',
      defaultNamespace: { type: 'SCHEMA', parts: ['ANALYTICS', 'RAW'], declared: true },
      defaultWarehouse: { type: 'WAREHOUSE', name: 'OTHER_WH', declared: false },
    });
  });

  test('grantsOf expands every grant once, with its object type, resolved name and declared flag', () => {
    const grants = grantsOf(load(text));
    expect(grants.privileges.map((g) => [g.privilege, g.on, g.name, g.parts, g.role, g.declared])).toEqual([
      ['CREATE USER', 'ACCOUNT', undefined, [], 'READER', true],
      ['MONITOR USAGE', 'ACCOUNT', undefined, [], 'READER', true],
      ['USAGE', 'SCHEMA', 'ANALYTICS.Mixed Case', ['ANALYTICS', 'Mixed Case'], 'READER', true],
      ['USAGE', 'WAREHOUSE', 'Reporting WH', ['Reporting WH'], 'READER', true],
      ['OPERATE', 'WAREHOUSE', 'Reporting WH', ['Reporting WH'], 'READER', true],
      ['USAGE', 'INTEGRATION', 'OKTA', ['OKTA'], 'READER', false],
      ['USAGE', 'DATABASE', 'ELSEWHERE', ['ELSEWHERE'], 'READER', false],
      ['USAGE', 'SCHEMA', 'ANALYTICS.PUBLIC', ['ANALYTICS', 'PUBLIC'], 'READER', true],
    ]);
    expect(grants.roles.map((g) => [g.role, g.granteeType, g.grantee, g.source.line])).toEqual([
      ['SYSADMIN', 'ROLE', 'READER', 29],
      ['WRITER', 'ROLE', 'READER', 29],
      ['READER', 'USER', 'ALICE', 37],
      ['WRITER', 'USER', 'ALICE', 37],
    ]);
    expect(grants.privileges[2]?.source).toEqual({
      file: 'access.yml',
      line: 16,
      path: 'roles[0].privileges[1].privileges[0]',
    });
    expect(grantsOf(load(text))).toEqual(grants);
  });

  test('every element carries its source location', () => {
    const model = load(text);
    expect(model.source).toEqual({ file: 'access.yml', line: 1, path: '(root)' });
    expect(model.databases[0]?.source).toEqual({ file: 'access.yml', line: 3, path: 'databases[0]' });
    expect(model.databases[0]?.schemas[1]?.source.line).toBe(5);
    expect(model.roles[0]?.privileges[1]?.source).toEqual({
      file: 'access.yml',
      line: 14,
      path: 'roles[0].privileges[1]',
    });
    expect(model.users[0]?.defaultWarehouse?.source).toEqual({
      file: 'access.yml',
      line: 35,
      path: 'users[0].default_warehouse',
    });
  });

  test("every field an element writes carries its own line; sourceOf falls back to the element's", () => {
    const model = load(text);
    const lines = (fields: object): Record<string, number> =>
      Object.fromEntries(
        Object.entries(fields as Record<string, { line: number }>).map(([field, at]) => [field, at.line]),
      );
    expect(lines(model.databases[0]?.fields ?? {})).toEqual({ name: 3, comment: 4, schemas: 5 });
    expect(lines(model.warehouses[0]?.fields ?? {})).toEqual({ name: 7, auto_suspend: 8 });
    expect(lines(model.roles[0]?.fields ?? {})).toEqual({ name: 10, privileges: 11, roles: 29 });
    expect(lines(model.users[0]?.fields ?? {})).toEqual({
      name: 32,
      type: 33,
      default_namespace: 34,
      default_warehouse: 35,
      default_role: 36,
      roles: 37,
    });
    expect(model.users[0]?.fields.default_role).toEqual({
      file: 'access.yml',
      line: 36,
      path: 'users[0].default_role',
    });
    const [warehouse] = model.warehouses;
    expect(sourceOf(warehouse!, 'auto_suspend').line).toBe(8);
    // A field left out: the element's own line.
    expect(sourceOf(warehouse!, 'size')).toEqual(warehouse!.source);
    expect(sourceOf(model.users[0]!, 'network_policy').line).toBe(32);
  });

  test('fields in every kind of element, in block and flow style', () => {
    const model = load(
      spec(
        'network_policies:', //                         2
        '  - name: np', //                              3
        '    blocked_ip_list: [10.0.0.1]', //           4
        '    allowed_ip_list:', //                      5
        '      - 10.0.0.0/8', //                        6
        'warehouses:', //                               7
        '  - {name: wh, size: XSMALL, auto_resume: true}', // 8
        'users:', //                                    9
        '  - name: svc', //                             10
        '    type: SERVICE', //                         11
        '    network_policy: np', //                    12
        '    key:', //                                  13
        '      secret:', //                             14
        '        name: SNOWFLAKE_PRIVATE_KEY', //       15
        '      max_age: 30d', //                        16
        'secrets:', //                                  17
        '  - name: db.sch.s', //                        18
        '    type: GENERIC_STRING', //                  19
      ),
    );
    const [policy] = model.networkPolicies;
    expect([policy?.fields.allowed_ip_list?.line, policy?.fields.blocked_ip_list?.line]).toEqual([5, 4]);
    expect(model.warehouses[0]?.fields).toMatchObject({
      name: { line: 8 },
      size: { line: 8, path: 'warehouses[0].size' },
      auto_resume: { line: 8 },
    });
    const [user] = model.users;
    expect([user?.fields.type?.line, user?.fields.network_policy?.line, user?.fields.key?.line]).toEqual([
      11, 12, 13,
    ]);
    expect(user?.key?.fields).toMatchObject({ secret: { line: 14 }, max_age: { line: 16 } });
    expect(sourceOf(user!.key!, 'max_age').path).toBe('users[0].key.max_age');
    expect(model.secrets[0]?.fields).toMatchObject({ name: { line: 18 }, type: { line: 19 } });
  });

  test('a default role the user is not granted is a warning, not an error', () => {
    const model = load(
      spec(
        'roles:',
        '  - name: a',
        '  - name: b',
        'users:',
        '  - name: u',
        '    type: PERSON',
        '    default_role: a',
        '    roles: [b]',
      ),
    );
    expect(model.warnings).toEqual([
      expect.objectContaining({
        line: 8,
        path: 'users[0].default_role',
        message: expect.stringMatching(/not among the roles granted/),
      }),
    ]);
  });

  test('a small anchor and alias is fine', () => {
    const model = load(
      spec('warehouses:', '  - name: a', '    size: &size XSMALL', '  - name: b', '    size: *size'),
    );
    expect(model.warehouses.map((w) => w.size)).toEqual(['XSMALL', 'XSMALL']);
  });

  test('organization destinations', () => {
    const model = load(
      spec(
        'users:',
        '  - name: etl',
        '    type: LEGACY_SERVICE',
        '    key:',
        '      secret:',
        '        name: snowflake_key',
        '        organization: acme',
        '        visibility: selected',
        '        selected_repositories: [app, acme/api]',
      ),
    );
    expect(keyDestinations(model.users[0]!.key!.secret, undefined)).toEqual([
      {
        kind: 'organization',
        org: 'acme',
        secretName: 'SNOWFLAKE_KEY',
        visibility: 'selected',
        selectedRepositories: ['app', 'api'],
      },
    ]);
  });

  test('OWNERSHIP is allowed on every object type but the account', () => {
    for (const [kind, privileges] of Object.entries(PRIVILEGES)) {
      expect(privileges.includes('OWNERSHIP')).toBe(kind !== 'account');
      expect(new Set(privileges).size).toBe(privileges.length);
    }
  });
});

describe('invalid specs', () => {
  const aliasBomb = [
    'version: 1',
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  ].join('\n');

  const user = (...lines: string[]): string => spec('users:', '  - name: svc', ...lines);

  test.each<[string, string, number, string, RegExp]>([
    [
      'a comment with a line break (it would reach the log as a workflow command)',
      spec('roles:', '  - name: r', '    comment: "a\\n::error::x"'),
      4,
      'roles[0].comment',
      /must match pattern/,
    ],
    [
      'unknown top-level field',
      spec('colour: blue'),
      2,
      'colour',
      /unknown field 'colour'.*allowed here are: version, databases/,
    ],
    [
      'unknown nested field, with a suggestion',
      spec('warehouses:', '  - name: wh', '    autosuspend: 60'),
      4,
      'warehouses[0].autosuspend',
      /unknown field 'autosuspend'.*did you mean 'auto_suspend'/,
    ],
    [
      'wrong type',
      spec('warehouses:', '  - name: wh', '    auto_resume: "yes"'),
      4,
      'warehouses[0].auto_resume',
      /should be a boolean, not the string "yes"/,
    ],
    [
      'a list where a mapping belongs',
      spec('roles:', '  - [a, b]'),
      3,
      'roles[0]',
      /should be a mapping, not a list/,
    ],
    [
      'wrong enum value',
      spec('warehouses:', '  - name: wh', '    size: X-Small'),
      4,
      'warehouses[0].size',
      /Use one of: XSMALL, SMALL.*did you mean 'XSMALL'/,
    ],
    ['missing required field', spec('users:', '  - name: svc'), 3, 'users[0]', /'type' is required here/],
    [
      'identifier with a semicolon',
      spec('roles:', '  - name: "x; DROP ROLE y"'),
      3,
      'roles[0].name',
      /not a valid unquoted Snowflake identifier.*'"x; DROP ROLE y"'/,
    ],
    [
      'identifier with a stray quote',
      spec('databases:', "  - name: 'x\"--'"),
      3,
      'databases[0].name',
      /not a valid unquoted/,
    ],
    [
      'quoted identifier with a lone quote inside',
      spec('databases:', '  - name: \'"a"b"\''),
      3,
      'databases[0].name',
      /lone double quote/,
    ],
    [
      'duplicate name after resolution',
      spec('roles:', '  - name: etl', '  - name: ETL'),
      4,
      'roles[1].name',
      /declares the role ETL a second time/,
    ],
    [
      'duplicate schema',
      spec('databases:', '  - name: d', '    schemas: [raw, RAW]'),
      4,
      'databases[0].schemas[1]',
      /schema of D RAW a second time/,
    ],
    [
      'declaring a system role',
      spec('roles:', '  - name: sysadmin'),
      3,
      'roles[0].name',
      /system role SYSADMIN/,
    ],
    [
      'key on a PERSON user',
      user('    type: PERSON', '    key:', '      secret: { name: K }'),
      5,
      'users[0].key',
      /PERSON user.*service users only/,
    ],
    [
      'workload identity on a LEGACY_SERVICE user',
      user(
        '    type: LEGACY_SERVICE',
        '    workload_identity:',
        '      issuer: https://token.actions.githubusercontent.com',
        '      subject: repo:a/b:ref:refs/heads/main',
      ),
      5,
      'users[0].workload_identity',
      /only on TYPE = SERVICE users/,
    ],
    [
      'workload identity issuer not https',
      user(
        '    type: SERVICE',
        '    workload_identity:',
        '      issuer: http://issuer.example',
        '      subject: s',
      ),
      6,
      'users[0].workload_identity.issuer',
      /not an https:\/\/ URL/,
    ],
    [
      'bad CIDR',
      spec('network_policies:', '  - name: p', '    allowed_ip_list: [52.25.130.38/33]'),
      4,
      'network_policies[0].allowed_ip_list[0]',
      /not an IPv4 address/,
    ],
    [
      'bad IP octet',
      spec(
        'network_policies:',
        '  - name: p',
        '    allowed_ip_list:',
        '      - 10.0.0.1',
        '      - 256.1.1.1',
      ),
      6,
      'network_policies[0].allowed_ip_list[1]',
      /"256.1.1.1" is not an IPv4/,
    ],
    [
      'network policy without addresses',
      spec('network_policies:', '  - name: p'),
      3,
      'network_policies[0]',
      /declares no addresses/,
    ],
    [
      'bad duration',
      user('    type: SERVICE', '    key:', '      secret: { name: K }', '      max_age: 3 months'),
      7,
      'users[0].key.max_age',
      /'3 months', which is not a duration.*90m, 1h, 36h, 7d/,
    ],
    [
      'secret name starting with GITHUB_',
      user('    type: SERVICE', '    key:', '      secret:', '        name: GITHUB_KEY'),
      7,
      'users[0].key.secret.name',
      /starts with GITHUB_, which GitHub reserves/,
    ],
    [
      'secret name with a dash',
      user('    type: SERVICE', '    key:', '      secret:', '        name: my-key'),
      7,
      'users[0].key.secret.name',
      /only letters, digits and '_'/,
    ],
    [
      'bad repository',
      user(
        '    type: SERVICE',
        '    key:',
        '      secret:',
        '        name: K',
        '        repository: [acme/app, not-a-repo]',
      ),
      8,
      'users[0].key.secret.repository[1]',
      /not a repository in owner\/repo form/,
    ],
    [
      'organization with repository',
      user(
        '    type: SERVICE',
        '    key:',
        '      secret:',
        '        name: K',
        '        repository: acme/app',
        '        organization: acme',
      ),
      9,
      'users[0].key.secret.organization',
      /either to an organization secret or to repository/,
    ],
    [
      'visibility without organization',
      user('    type: SERVICE', '    key:', '      secret:', '        name: K', '        visibility: all'),
      8,
      'users[0].key.secret.visibility',
      /organization secrets only/,
    ],
    ['YAML alias bomb', aliasBomb, 3, '(yaml)', /aliases expand too far/],
    ['not YAML at all', 'version: 1\nroles: [a, b\nusers: {', 3, '(yaml)', /Fix the YAML syntax/],
    ['duplicate YAML key', 'version: 1\nroles: []\nroles: []\n', 3, '(yaml)', /unique/],
    ['not a mapping', '- version: 1\n- roles: []\n', 1, '(root)', /is a list, not a mapping/],
    ['a bare string', 'just some text\n', 1, '(root)', /single value, not a mapping/],
    ['empty file', '# nothing here\n', 1, '(root)', /is empty. Start it with `version: 1`/],
    ['missing version', 'roles: []\n', 1, '(root)', /'version: 1' is required at the top level/],
    ['version 2', 'version: 2\n', 1, 'version', /reads access specs of version 1/],
    [
      'grant of an undeclared role to a role',
      spec('roles:', '  - name: a', '    roles: [b]'),
      4,
      'roles[0].roles[0]',
      /role B granted to this role is not declared in `roles`/,
    ],
    [
      'undeclared role granted to a user',
      user('    type: SERVICE', '    roles: [etl]'),
      5,
      'users[0].roles[0]',
      /role ETL granted to this user is not declared/,
    ],
    [
      'undeclared default role',
      user('    type: SERVICE', '    default_role: etl'),
      5,
      'users[0].default_role',
      /role ETL named as default_role is not declared/,
    ],
    [
      'undeclared network policy on a user',
      user('    type: SERVICE', '    network_policy: office'),
      5,
      'users[0].network_policy',
      /network policy OFFICE is not declared in `network_policies`/,
    ],
    [
      'undeclared role in a secret grant',
      spec(
        'secrets:',
        '  - name: d.s.n',
        '    type: PASSWORD',
        '    grants:',
        '      - role: nobody',
        '        privileges: [USAGE]',
      ),
      6,
      'secrets[0].grants[0].role',
      /role NOBODY given privileges on this secret is not declared/,
    ],
    [
      'privilege that does not exist on the object type',
      spec(
        'roles:',
        '  - name: r',
        '    privileges:',
        '      - on: warehouse',
        '        name: wh',
        '        privileges: [USAGE, SELECT]',
      ),
      7,
      'roles[0].privileges[0].privileges[1]',
      /"SELECT" is not a privilege Snowflake grants on a warehouse. Use one of: APPLYBUDGET, MODIFY/,
    ],
    [
      'OWNERSHIP on the account',
      spec(
        'roles:',
        '  - name: r',
        '    privileges:',
        '      - on: account',
        '        privileges: [ownership]',
      ),
      6,
      'roles[0].privileges[0].privileges[0]',
      /OWNERSHIP cannot be granted on the account/,
    ],
    [
      'ALL privileges',
      spec(
        'roles:',
        '  - name: r',
        '    privileges:',
        '      - on: database',
        '        name: d',
        '        privileges: [ALL]',
      ),
      7,
      'roles[0].privileges[0].privileges[0]',
      /ALL is not accepted/,
    ],
    [
      'name on an account grant',
      spec(
        'roles:',
        '  - name: r',
        '    privileges:',
        '      - on: account',
        '        name: acme',
        '        privileges: [CREATE USER]',
      ),
      6,
      'roles[0].privileges[0].name',
      /not used with 'on: account'/,
    ],
    [
      'missing name on a database grant',
      spec('roles:', '  - name: r', '    privileges:', '      - on: database', '        privileges: [USAGE]'),
      5,
      'roles[0].privileges[0]',
      /'name' is required here/,
    ],
    [
      'schema name with one part',
      spec(
        'roles:',
        '  - name: r',
        '    privileges:',
        '      - on: schema',
        '        name: raw',
        '        privileges: [USAGE]',
      ),
      6,
      'roles[0].privileges[0].name',
      /should have 2 parts separated by dots, found 1/,
    ],
    [
      'secret name with two parts',
      spec('secrets:', '  - name: db.secret', '    type: GENERIC_STRING'),
      3,
      'secrets[0].name',
      /should have 3 parts/,
    ],
    [
      'secret type not supported',
      spec('secrets:', '  - name: d.s.n', '    type: OAUTH2'),
      4,
      'secrets[0].type',
      /Use one of: GENERIC_STRING, PASSWORD/,
    ],
    [
      'two owners of one user',
      spec(
        'roles:',
        '  - name: a',
        '    privileges: [{ on: user, name: u, privileges: [OWNERSHIP] }]',
        '  - name: b',
        '    privileges: [{ on: user, name: u, privileges: [OWNERSHIP] }]',
      ),
      6,
      'roles[1].privileges[0].privileges[0]',
      /the role A is already declared its owner/,
    ],
    [
      'role grant cycle',
      spec('roles:', '  - name: a', '    roles: [b]', '  - name: b', '    roles: [a]'),
      4,
      'roles[0].roles[0]',
      /make a cycle/,
    ],
    [
      'role granted to itself',
      spec('roles:', '  - name: a', '    roles: [a]'),
      4,
      'roles[0].roles[0]',
      /to itself/,
    ],
    [
      'negative auto_suspend',
      spec('warehouses:', '  - name: wh', '    auto_suspend: -1'),
      4,
      'warehouses[0].auto_suspend',
      /less than 0/,
    ],
  ])('%s', (_name, text, line, path, message) => {
    const error = failure(text);
    expect(error.code).toBe('invalid-spec');
    expect(error.message.startsWith(`access.yml:${line}: ${path}: `)).toBe(true);
    expect(error.message.split('\n')[0]).toMatch(message);
    expect(error.issues[0]).toMatchObject({ file: 'access.yml', line, path });
  });

  test('several problems are reported together, one per line, in line order', () => {
    const error = failure(
      spec(
        'roles:', //                          2
        '  - name: "bad name"', //            3
        '    roles: [missing]', //            4
        'users:', //                          5
        '  - name: svc', //                   6
        '    type: PERSON', //                7
        '    network_policy: nowhere', //     8
        '    key:', //                        9
        '      secret: { name: K }', //       10
      ),
    );
    expect(error.message.split('\n').map((line) => line.replace(/: .*$/, ''))).toEqual([
      'access.yml:3',
      'access.yml:4',
      'access.yml:8',
      'access.yml:9',
    ]);
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'roles[0].name',
      'roles[0].roles[0]',
      'users[0].network_policy',
      'users[0].key',
    ]);
  });

  test('schema errors are all reported too', () => {
    const error = failure(
      spec('warehouses:', '  - name: wh', '    size: huge', '    auto_resume: 1', 'extra: true'),
    );
    expect(error.issues.map((issue) => `${issue.line} ${issue.path}`)).toEqual([
      '4 warehouses[0].size',
      '5 warehouses[0].auto_resume',
      '6 extra',
    ]);
  });

  test('a file over the size limit is refused before parsing', () => {
    const text = spec(`# ${'x'.repeat(MAX_SPEC_BYTES)}`);
    expect(failure(text).message).toMatch(
      /^access\.yml:1: \(root\): the file is \d+ bytes, more than the limit/,
    );
  });

  test('the file name in messages is the one given', () => {
    expect(() => loadSpec('version: 3\n', '.github/snowflake/access.yml')).toThrow(
      /^\.github\/snowflake\/access\.yml:1: version: /,
    );
  });
});

describe('the JSON Schema', () => {
  test('is a valid draft-07 schema that ajv compiles in strict mode', () => {
    const warnings: string[] = [];
    const record = (...args: unknown[]): void => void warnings.push(args.join(' '));
    const ajv = new Ajv({
      strict: true,
      allowUnionTypes: true,
      logger: { log: record, warn: record, error: record },
    });
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(() => ajv.compile(schema)).not.toThrow();
    expect(warnings).toEqual([]);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  test('closes every object and documents every property', () => {
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) {
        node.forEach((item, i) => walk(item, `${where}[${i}]`));
        return;
      }
      if (node === null || typeof node !== 'object') return;
      const object = node as Record<string, unknown>;
      if (object.type === 'object') {
        expect([where, object.additionalProperties]).toEqual([where, false]);
        for (const [key, property] of Object.entries(
          object.properties as Record<string, Record<string, unknown>>,
        )) {
          const documented =
            'title' in property || 'description' in property || typeof property.$ref === 'string';
          expect([`${where}.${key}`, documented]).toEqual([`${where}.${key}`, true]);
        }
      }
      for (const [key, value] of Object.entries(object)) walk(value, `${where}.${key}`);
    };
    walk(schema, '#');
  });
});
