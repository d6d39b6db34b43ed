import { expectNoLeaks } from '../harness/leak-scan.js';
import type { ActionRun } from '../harness/run-action.js';
import { type TestKey, World, newKey } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * Every finding of `verify` on the line of the field that differs, end to end: dist/index.js against the
 * emulators. The account is built to match SPEC, then one setting at a time is changed through the emulator's
 * control plane (as a person or another tool would change it); the run must report exactly that finding, on
 * the spec line of that setting, as a workflow command whose `file` and `line` say so. A field the spec leaves
 * out but verify still checks (a network policy's blocked list, a role's granted roles under strict) is shown
 * on the element's own line. Each run: the exit status that follows the severity, nothing changed in Snowflake
 * or GitHub, nothing leaked.
 */

const FILE = 'snowflake/lines.yml';
const SPEC = [
  'version: 1',
  'network_policies:',
  '  - name: np_lines',
  '    comment: Office',
  '    allowed_ip_list:',
  '      - 10.0.0.0/8',
  'warehouses:',
  '  - name: wh_lines',
  '    comment: Loads',
  '    size: XSMALL',
  '    type: STANDARD',
  '    auto_suspend: 600',
  '    auto_resume: true',
  'roles:',
  '  - name: role_lines',
  '    privileges:',
  '      - on: warehouse',
  '        name: wh_lines',
  '        privileges: [USAGE]',
  'users:',
  '  - name: svc_lines',
  '    comment: Loader',
  '    type: SERVICE',
  '    default_role: role_lines',
  '    default_warehouse: wh_lines',
  '    roles: [role_lines]',
  '    network_policy: np_lines',
  '    key:',
  '      secret:',
  '        name: SNOWFLAKE_PRIVATE_KEY',
  '      max_age: 30d',
  '',
].join('\n');

/** The 1-based line of the first line holding `needle`, after the first holding `after` (if given). */
function lineOf(needle: string, after?: string): number {
  const lines = SPEC.split('\n');
  const start = after === undefined ? 0 : lines.findIndex((line) => line.includes(after));
  const index = lines.findIndex((line, i) => i >= start && line.includes(needle));
  if (start < 0 || index < 0) throw new Error(`${needle} not in the spec`);
  return index + 1;
}

const DAY_MS = 86_400_000;
const adminKey: TestKey = newKey();
const serviceKey: TestKey = newKey();
const userKey: TestKey = newKey();

/** The statements that give the account exactly what SPEC declares (setup's, as ACCOUNTADMIN). */
const BUILD = [
  "CREATE NETWORK POLICY NP_LINES ALLOWED_IP_LIST = ('10.0.0.0/8') COMMENT = 'Office'",
  "CREATE WAREHOUSE WH_LINES WITH WAREHOUSE_SIZE = 'XSMALL' WAREHOUSE_TYPE = 'STANDARD' AUTO_SUSPEND = 600 AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE COMMENT = 'Loads'",
  'CREATE ROLE ROLE_LINES',
  'GRANT USAGE ON WAREHOUSE WH_LINES TO ROLE ROLE_LINES',
  `CREATE USER SVC_LINES TYPE = SERVICE DEFAULT_ROLE = ROLE_LINES DEFAULT_WAREHOUSE = WH_LINES NETWORK_POLICY = NP_LINES RSA_PUBLIC_KEY = '${userKey.publicBody}' COMMENT = 'Loader'`,
  'GRANT ROLE ROLE_LINES TO USER SVC_LINES',
];

interface Expected {
  severity: 'error' | 'warning';
  objectType: string;
  objectName: string;
  check: string;
  /** The spec line the finding must be on. */
  line: number;
  /** Its path in the spec (the field's, or the element's when the spec leaves the field out). */
  path: string;
  /** What the message must say differs, and what the fix must hold. */
  says: string;
  fix: string;
}

interface Case {
  title: string;
  /** Statements run as ACCOUNTADMIN after the account is built: the drift. */
  drift: (world: World) => Promise<void>;
  strict?: boolean;
  /** Values the drift used that must appear nowhere. */
  secrets?: Record<string, string>;
  expected: Expected[];
}

const sql =
  (...statements: string[]) =>
  async (world: World): Promise<void> => {
    for (const statement of statements) await world.sf.sql(statement);
  };

/** Sets SVC_LINES's key again with the emulator's clock `days` in the past. */
const keySetDaysAgo =
  (days: number) =>
  async (world: World): Promise<void> => {
    await world.sf.clock(-days * DAY_MS);
    await world.sf.sql(`ALTER USER SVC_LINES SET RSA_PUBLIC_KEY = '${userKey.publicBody}'`);
    await world.sf.clock(0);
  };

const warehouse = (check: string, field: string, says: string, fix: string): Expected => ({
  severity: 'error',
  objectType: 'warehouse',
  objectName: 'WH_LINES',
  check,
  line: lineOf(`${field}: `, '- name: wh_lines'),
  path: `warehouses[0].${field}`,
  says,
  fix,
});
const user = (
  check: string,
  field: string,
  says: string,
  fix: string,
  severity: Expected['severity'] = 'error',
): Expected => ({
  severity,
  objectType: 'user',
  objectName: 'SVC_LINES',
  check,
  line: lineOf(`${field.split('.').at(-1) ?? ''}:`, '- name: svc_lines'),
  path: `users[0].${field}`,
  says,
  fix,
});
const PASSWORD = 'Correct-Horse-Battery-9';

const cases: Case[] = [
  {
    title: 'warehouse size',
    drift: sql("ALTER WAREHOUSE WH_LINES SET WAREHOUSE_SIZE = 'SMALL'"),
    expected: [
      warehouse(
        'size',
        'size',
        'size of warehouse WH_LINES is SMALL, the spec says XSMALL',
        `ALTER WAREHOUSE "WH_LINES" SET WAREHOUSE_SIZE = 'XSMALL'`,
      ),
    ],
  },
  {
    title: 'warehouse type',
    drift: sql("ALTER WAREHOUSE WH_LINES SET WAREHOUSE_TYPE = 'SNOWPARK-OPTIMIZED'"),
    expected: [
      warehouse(
        'type',
        'type',
        'type of warehouse WH_LINES is SNOWPARK-OPTIMIZED, the spec says STANDARD',
        `SET WAREHOUSE_TYPE = 'STANDARD'`,
      ),
    ],
  },
  {
    title: 'warehouse auto_suspend',
    drift: sql('ALTER WAREHOUSE WH_LINES SET AUTO_SUSPEND = 60'),
    expected: [
      warehouse(
        'auto_suspend',
        'auto_suspend',
        'auto_suspend of warehouse WH_LINES is 60, the spec says 600',
        'SET AUTO_SUSPEND = 600',
      ),
    ],
  },
  {
    title: 'warehouse auto_resume',
    drift: sql('ALTER WAREHOUSE WH_LINES SET AUTO_RESUME = FALSE'),
    expected: [
      warehouse(
        'auto_resume',
        'auto_resume',
        'auto_resume of warehouse WH_LINES is false, the spec says true',
        'SET AUTO_RESUME = TRUE',
      ),
    ],
  },
  {
    title: "network policy's allowed_ip_list",
    drift: sql("ALTER NETWORK POLICY NP_LINES SET ALLOWED_IP_LIST = ('10.0.0.0/8', '192.0.2.1')"),
    expected: [
      {
        severity: 'error',
        objectType: 'network policy',
        objectName: 'NP_LINES',
        check: 'allowed_ip_list',
        line: lineOf('allowed_ip_list:'),
        path: 'network_policies[0].allowed_ip_list',
        says: 'allowed_ip_list of network policy NP_LINES is (10.0.0.0/8, 192.0.2.1), the spec says (10.0.0.0/8)',
        fix: `SET ALLOWED_IP_LIST = ('10.0.0.0/8')`,
      },
    ],
  },
  {
    title: "network policy's blocked_ip_list, which the spec leaves out: on the policy's line",
    drift: sql("ALTER NETWORK POLICY NP_LINES SET BLOCKED_IP_LIST = ('10.9.9.9')"),
    expected: [
      {
        severity: 'error',
        objectType: 'network policy',
        objectName: 'NP_LINES',
        check: 'blocked_ip_list',
        line: lineOf('- name: np_lines'),
        path: 'network_policies[0]',
        says: 'blocked_ip_list of network policy NP_LINES is (10.9.9.9), the spec says ()',
        fix: 'BLOCKED_IP_LIST',
      },
    ],
  },
  {
    title: "user's type",
    drift: sql('ALTER USER SVC_LINES SET TYPE = PERSON'),
    expected: [
      user(
        'type',
        'type',
        'type of user SVC_LINES is PERSON, the spec says SERVICE',
        'ALTER USER "SVC_LINES" SET TYPE = SERVICE',
      ),
    ],
  },
  {
    title: "user's password (which type: SERVICE rules out) and type: both on the type line",
    drift: sql(`ALTER USER SVC_LINES SET TYPE = LEGACY_SERVICE PASSWORD = '${PASSWORD}'`),
    secrets: { password: PASSWORD },
    expected: [
      user('no password', 'type', 'user SVC_LINES has a password', 'ALTER USER "SVC_LINES" UNSET PASSWORD'),
      user(
        'type',
        'type',
        'type of user SVC_LINES is LEGACY_SERVICE, the spec says SERVICE',
        'ALTER USER "SVC_LINES" SET TYPE = SERVICE',
      ),
    ],
  },
  {
    title: "user's default_role",
    drift: sql('ALTER USER SVC_LINES SET DEFAULT_ROLE = PUBLIC'),
    expected: [
      user(
        'default_role',
        'default_role',
        'default_role of user SVC_LINES is PUBLIC, the spec says ROLE_LINES',
        'SET DEFAULT_ROLE = "ROLE_LINES"',
      ),
    ],
  },
  {
    title: "user's default_warehouse",
    drift: sql('ALTER USER SVC_LINES UNSET DEFAULT_WAREHOUSE'),
    expected: [
      user(
        'default_warehouse',
        'default_warehouse',
        'default_warehouse of user SVC_LINES is not set, the spec says WH_LINES',
        'SET DEFAULT_WAREHOUSE = "WH_LINES"',
      ),
    ],
  },
  {
    title: "user's network_policy",
    drift: sql('ALTER USER SVC_LINES UNSET NETWORK_POLICY'),
    expected: [
      user(
        'network_policy',
        'network_policy',
        'network_policy of user SVC_LINES is not set, the spec says NP_LINES',
        'SET NETWORK_POLICY = "NP_LINES"',
      ),
    ],
  },
  {
    title: "user's key past its max_age: on the max_age line",
    drift: keySetDaysAgo(40),
    expected: [
      user(
        'age of RSA_PUBLIC_KEY',
        'key.max_age',
        'was set 40d ago',
        'Rotate it: mode: rotate with target-user: SVC_LINES',
      ),
    ],
  },
  {
    title: "user's key close to its max_age (a warning): on the max_age line",
    drift: keySetDaysAgo(27),
    expected: [
      user(
        'age of RSA_PUBLIC_KEY',
        'key.max_age',
        'it passes its max_age of 30d in ',
        'Rotate it: mode: rotate with target-user: SVC_LINES',
        'warning',
      ),
    ],
  },
  {
    title: 'a role granted to the user that the spec does not declare (strict): on its roles line',
    drift: sql('CREATE ROLE EXTRA_LINES', 'GRANT ROLE EXTRA_LINES TO USER SVC_LINES'),
    strict: true,
    expected: [
      user(
        'undeclared role EXTRA_LINES',
        'roles',
        'role EXTRA_LINES is granted to user SVC_LINES, which the spec does not declare (strict)',
        'REVOKE ROLE "EXTRA_LINES" FROM USER "SVC_LINES"',
      ),
    ],
  },
  {
    title: "a privilege the spec does not declare (strict): on the role's privileges line",
    drift: sql('GRANT MONITOR ON WAREHOUSE WH_LINES TO ROLE ROLE_LINES'),
    strict: true,
    expected: [
      {
        severity: 'error',
        objectType: 'role',
        objectName: 'ROLE_LINES',
        check: 'undeclared MONITOR on warehouse WH_LINES',
        line: lineOf('privileges:', '- name: role_lines'),
        path: 'roles[0].privileges',
        says: 'role ROLE_LINES has MONITOR on warehouse WH_LINES, which the spec does not declare (strict)',
        fix: 'REVOKE MONITOR ON WAREHOUSE "WH_LINES" FROM ROLE "ROLE_LINES"',
      },
    ],
  },
  {
    title: "a role granted to the role, which declares no roles (strict): on the role's line",
    drift: sql('CREATE ROLE EXTRA_LINES', 'GRANT ROLE EXTRA_LINES TO ROLE ROLE_LINES'),
    strict: true,
    expected: [
      {
        severity: 'error',
        objectType: 'role',
        objectName: 'ROLE_LINES',
        check: 'undeclared role EXTRA_LINES',
        line: lineOf('- name: role_lines'),
        path: 'roles[0]',
        says: 'role EXTRA_LINES is granted to role ROLE_LINES, which the spec does not declare (strict)',
        fix: 'REVOKE ROLE "EXTRA_LINES" FROM ROLE "ROLE_LINES"',
      },
    ],
  },
];

interface ReportedFinding {
  severity: string;
  objectType: string;
  objectName: string;
  check: string;
  message: string;
  fix: string;
  source: { file: string; line: number; path: string };
}

function findingsOf(run: ActionRun): ReportedFinding[] {
  const [text] = Object.entries(run.tempFiles)
    .filter(([path]) => /snowflake-keypair-action-.*\.json$/.test(path))
    .map(([, content]) => content);
  return (JSON.parse(text ?? '{}') as { findings?: ReportedFinding[] }).findings ?? [];
}

/** Every `::error`/`::warning` workflow command with a file: its severity and properties, as the runner reads them. */
function annotations(
  run: ActionRun,
): { severity: string; properties: Record<string, string>; message: string }[] {
  const unescape = (text: string): string =>
    text
      .replace(/%0A/g, '\n')
      .replace(/%0D/g, '\r')
      .replace(/%3A/g, ':')
      .replace(/%2C/g, ',')
      .replace(/%25/g, '%');
  return run.stdout
    .split('\n')
    .map((line) => /^::(error|warning) ([^:]*)::(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({
      severity: match[1] ?? '',
      properties: Object.fromEntries(
        (match[2] ?? '').split(',').map((property) => {
          const [name = '', ...value] = property.split('=');
          return [name, unescape(value.join('='))];
        }),
      ),
      message: unescape(match[3] ?? ''),
    }))
    .filter((command) => command.properties.file !== undefined);
}

describe('verify of an account built from the spec, one setting changed at a time', () => {
  let world: World;
  useProvisionedWorld((started) => ({ world } = started), {
    keys: { adminKey, firstKey: serviceKey },
    accountAdmin: true,
  });

  beforeEach(async () => {
    await world.sf.clock(-DAY_MS);
    for (const statement of BUILD) await world.sf.sql(statement);
    await world.sf.clock(0);
  });

  async function verify(strict: boolean, secrets: Record<string, string> = {}): Promise<ActionRun> {
    await world.sf.clearLog();
    await world.gh.clearLog();
    const run = await world.run(world.specInputs(adminKey, 'verify', FILE, { strict: String(strict) }), {
      files: { [FILE]: SPEC },
      secrets,
    });
    // verify reads only: nothing changed in Snowflake, no request to GitHub.
    expect(await world.changes()).toEqual([]);
    expect(await world.gh.log()).toEqual([]);
    expect(await world.gh.secrets()).toEqual([]);
    expectNoLeaks(run, { ...world.secrets, ...secrets });
    return run;
  }

  test('the account built from the spec verifies clean, strict or not', async () => {
    for (const strict of [false, true]) {
      const run = await verify(strict);
      expect(run.exitCode).toBe(0);
      expect(findingsOf(run)).toEqual([]);
      expect(annotations(run)).toEqual([]);
      expect(run.outputs.drift).toBe('0');
    }
  });

  test.each(cases.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
    await c.drift(world);
    const run = await verify(c.strict ?? false, c.secrets);

    const errors = c.expected.filter((f) => f.severity === 'error').length;
    expect(run.exitCode).toBe(errors > 0 ? 1 : 0);
    expect(run.outputs.drift).toBe(String(errors));

    // The findings, each on its line, in the report...
    expect(findingsOf(run)).toEqual(
      c.expected.map((f) =>
        expect.objectContaining({
          severity: f.severity,
          objectType: f.objectType,
          objectName: f.objectName,
          check: f.check,
          source: { file: FILE, line: f.line, path: f.path },
        }),
      ),
    );
    // ...and as the runner reads them: one annotation per finding, in the spec file on that line, saying what
    // differs and how to fix it.
    const findings = findingsOf(run);
    expect(annotations(run)).toEqual(
      c.expected.map((f, index) => ({
        severity: f.severity,
        properties: { title: `Snowflake ${f.objectType} ${f.objectName}`, file: FILE, line: String(f.line) },
        message: `${findings[index]?.message}. Fix: ${findings[index]?.fix}`,
      })),
    );
    c.expected.forEach((f, index) => {
      expect(findings[index]?.message).toContain(f.says);
      expect(findings[index]?.fix).toContain(f.fix);
    });
    if (errors > 0) expect(run.errors.at(-1)).toMatch(new RegExp(`^Verify found drift: ${errors} errors?, `));
  });
});

test('the table covers every kind of setting verify compares', () => {
  const checks = new Set(cases.flatMap((c) => c.expected.map((f) => `${f.objectType} ${f.check}`)));
  for (const check of [
    'warehouse size',
    'warehouse type',
    'warehouse auto_suspend',
    'warehouse auto_resume',
    'network policy allowed_ip_list',
    'network policy blocked_ip_list',
    'user type',
    'user default_role',
    'user default_warehouse',
    'user network_policy',
    'user age of RSA_PUBLIC_KEY',
  ]) {
    expect(checks).toContain(check);
  }
});
