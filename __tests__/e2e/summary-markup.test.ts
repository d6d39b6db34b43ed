import { expectNoLeaks } from '../harness/leak-scan.js';
import { type RenderedSummary, SUMMARY_ELEMENTS, renderSummary } from '../harness/markdown.js';
import type { ActionRun } from '../harness/run-action.js';
import { ADMIN_ROLE, type TestKey, World, newKey } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * Values from outside the action shown in the job summary and in annotation titles, end to end: dist/index.js
 * against the emulators, with Snowflake names that are valid quoted identifiers and hold Markdown and HTML (the
 * issue's `<img src=x onerror=…>`, a `</code>` that would close the code element, a `|` that would split a
 * table cell, a backtick, a link, a `"` that would end an attribute, a line break), in every summary: setup's
 * plan, rotate's, verify's findings, the failure summary of a mode and of an input error, a server's message
 * quoted back; and in the titles of verify's annotations.
 *
 * Each run: its exit status; the summary, rendered as GitHub-flavoured Markdown, holds only the summary's own
 * elements (no img, script, link, emphasis) and shows each name verbatim where it was put; each annotation's
 * properties are exactly the title, file and line the action meant, the title holding the name verbatim; nothing
 * changed in Snowflake or GitHub; nothing leaked.
 */

const NAMES = [
  '<img src=x onerror=alert(1)>',
  '</code><script>alert(1)</script>',
  'a|b|c',
  'we`ird',
  '[x](javascript:alert(1))',
  'x" onmouseover="alert(1)',
  '**bold** _em_ ~~del~~ $x$ #1 :tada: @team www.evil.example',
];
/** A name no spec or input can hold (identifiers refuse control characters), but Snowflake can. */
const LINE_BREAK = 'line one\nline two';

/** The name as SQL and the inputs write it: double-quoted, inner quotes doubled. */
const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** The quoted name as a YAML scalar (JSON is YAML). */
const yaml = (name: string): string => JSON.stringify(quoted(name));

const adminKey: TestKey = newKey();
const serviceKey: TestKey = newKey();
const userKey: TestKey = newKey();

let world: World;
useProvisionedWorld((started) => ({ world } = started), {
  perFile: true,
  keys: { adminKey, firstKey: serviceKey },
  accountAdmin: true,
});

beforeAll(async () => {
  // A service user of each name, owned by the rotator's role, with a key: rotate reads them.
  for (const name of NAMES) {
    await world.sf.sql(`CREATE USER ${quoted(name)} TYPE = SERVICE RSA_PUBLIC_KEY = '${userKey.publicBody}'`);
    await world.sf.sql(`GRANT OWNERSHIP ON USER ${quoted(name)} TO ROLE ${ADMIN_ROLE}`);
  }
});

beforeEach(async () => {
  await world.sf.clearFaults();
  await world.sf.clearLog();
  await world.gh.clearLog();
});

/** The summary as GitHub would render it, with only the action's own elements and attributes in it. */
function rendered(run: ActionRun): RenderedSummary {
  expect(run.summary.trim()).not.toBe('');
  const summary = renderSummary(run.summary);
  for (const element of summary.elements) {
    expect(SUMMARY_ELEMENTS).toContain(element.name);
    const allowed =
      element.name === 'code' ? ['title'] : ['th', 'td'].includes(element.name) ? ['align'] : [];
    for (const attribute of Object.keys(element.attributes)) expect(allowed).toContain(attribute);
  }
  return summary;
}

/**
 * Every table keeps its shape: each row of the Markdown splits on `|` into as many parts as its header, so no
 * value opened a cell or closed one (escaped text holds no `|`), and no value broke a row over two lines.
 */
function expectWellFormedTables(markdown: string): void {
  const lines = markdown.split('\n');
  let width = 0;
  lines.forEach((line, index) => {
    if (/^\| ---/.test(lines[index + 1] ?? '')) width = line.split('|').length;
    if (line.startsWith('|')) {
      expect(line.endsWith(' |')).toBe(true);
      expect(line.split('|').length).toBe(width);
    }
  });
}

interface Annotation {
  command: string;
  properties: Record<string, string>;
  message: string;
}

/** Undoes the workflow-command escaping of a property, in one pass, as the runner does. */
function unescapeProperty(text: string): string {
  const codes: Record<string, string> = { '%25': '%', '%0D': '\r', '%0A': '\n', '%3A': ':', '%2C': ',' };
  return text.replace(/%25|%0D|%0A|%3A|%2C/g, (code) => codes[code] ?? code);
}

/** Every workflow command line of the run, parsed the way the runner parses it. */
function annotations(run: ActionRun): Annotation[] {
  return run.stdout
    .split('\n')
    .map((line) => /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({
      command: match[1] ?? '',
      properties: Object.fromEntries(
        (match[2] ?? '')
          .split(',')
          .filter(Boolean)
          .map((property) => {
            const at = property.indexOf('=');
            return [property.slice(0, at), unescapeProperty(property.slice(at + 1))];
          }),
      ),
      message: unescapeProperty(match[3] ?? ''),
    }));
}

async function expectNothingChanged(run: ActionRun, secrets: Record<string, string> = {}): Promise<void> {
  expect(await world.changes()).toEqual([]);
  expect((await world.gh.log()).filter((request) => request.method !== 'GET')).toEqual([]);
  expect(await world.gh.secrets()).toEqual([]);
  expect(await world.gh.variables()).toEqual([]);
  expect(run.outputs.changed ?? 'false').toBe('false');
  expectNoLeaks(run, { ...world.secrets, ...secrets });
}

test('setup (dry run) of a spec whose names and path hold markup: the plan shows each as written', async () => {
  const [database, warehouse, role, , , attribute] = NAMES as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  // The users of NAMES exist already (rotate reads them): setup plans new ones.
  const [user, other] = [`${NAMES[3]} new`, `${NAMES[4]} new`];
  const path = 'snowflake/<b>a|b</b> `x`.yml';
  const spec = [
    'version: 1',
    'databases:',
    `  - name: ${yaml(database)}`,
    'warehouses:',
    `  - name: ${yaml(warehouse)}`,
    'roles:',
    `  - name: ${yaml(role)}`,
    '    privileges:',
    '      - on: warehouse',
    `        name: ${yaml(warehouse)}`,
    '        privileges: [USAGE]',
    `  - name: ${yaml(attribute)}`,
    'users:',
    `  - name: ${yaml(user)}`,
    '    type: SERVICE',
    `    roles: [${yaml(role)}]`,
    '    key:',
    '      secret:',
    '        name: SNOWFLAKE_PRIVATE_KEY',
    `  - name: ${yaml(other)}`,
    '    type: PERSON',
    '',
  ].join('\n');
  const run = await world.run(world.specInputs(adminKey, 'setup', path, { 'dry-run': 'true' }), {
    files: { [path]: spec },
  });
  expect(run.exitCode).toBe(0);
  expect(run.errors).toEqual([]);
  const summary = rendered(run);
  expectWellFormedTables(run.summary);
  expect(summary.text.split('\n')[0]).toBe(`📝 Snowflake setup planned (dry run) for ${path}`);
  expect(summary.codes[0]).toBe(path);
  expect(summary.tables[0]).toContainEqual(['Access spec', path]);
  const statements = summary.tables.find((table) => table[0]?.[1] === 'Statement')?.map((row) => row[1]);
  expect(statements).toEqual(
    expect.arrayContaining([
      `CREATE DATABASE IF NOT EXISTS ${quoted(database)}`,
      expect.stringContaining(`CREATE WAREHOUSE IF NOT EXISTS ${quoted(warehouse)} WITH`),
      `CREATE ROLE IF NOT EXISTS ${quoted(role)}`,
      `CREATE ROLE IF NOT EXISTS ${quoted(attribute)}`,
      `GRANT USAGE ON WAREHOUSE ${quoted(warehouse)} TO ROLE ${quoted(role)}`,
      expect.stringContaining(`CREATE USER IF NOT EXISTS ${quoted(user)} TYPE = SERVICE`),
      expect.stringContaining(`CREATE USER IF NOT EXISTS ${quoted(other)} TYPE = PERSON`),
      `GRANT ROLE ${quoted(role)} TO USER ${quoted(user)}`,
    ]),
  );
  const keys = summary.tables.find((table) => table[0]?.[1] === 'First key');
  expect(keys?.[1]?.slice(0, 2)).toEqual([user, '📝\u00a0planned']);
  await expectNothingChanged(run);
});

describe('rotate (dry run) of a user whose name holds markup: headline, slot table and rotation table', () => {
  test.each(NAMES.map((name) => [name]))('%s', async (name) => {
    const run = await world.run(
      world.rotateInputs(adminKey, { 'target-user': quoted(name), 'dry-run': 'true' }),
    );
    expect(run.exitCode).toBe(0);
    expect(run.errors).toEqual([]);
    const summary = rendered(run);
    expectWellFormedTables(run.summary);
    expect(summary.text.split('\n')[0]).toBe(`📝 Snowflake key rotation planned (dry run) for ${name}`);
    expect(summary.codes[0]).toBe(name);
    expect(summary.tables[0]?.[0]).toEqual([`Key slot of ${name}`, 'Before', 'Planned']);
    expect(summary.tables[1]).toContainEqual(['User', name]);
    expect(run.outputs.user).toBe(name);
    await expectNothingChanged(run);
  });
});

/** The inputs of `verify` of the spec at `file`, as the admin user. */
function verifyInputs(
  file: string,
  overrides: Record<string, string> = {},
): Record<string, string | undefined> {
  return world.rotateInputs(adminKey, {
    mode: 'verify',
    spec: file,
    'target-user': undefined,
    'secret-name': undefined,
    'github-token': undefined,
    ...overrides,
  });
}

describe('verify of a spec whose names hold markup: findings in the summary, titles of annotations', () => {
  const FILE = 'snowflake/verify.yml';
  const [database, warehouse, role, existing, link, attribute, markdown] = NAMES as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  /** A role name that would add properties to a workflow command if it were not escaped. */
  const forged = 'r,file=.github/workflows/ci.yml,line=1::forged %0A::error::forged';
  /** A role granted to a user, which the spec does not declare. */
  const EXTRA = '<svg onload=alert(1)>|`x`';
  /** A user of a NAMES name that does not exist. */
  const missing = `${markdown} missing`;
  const SPEC = [
    'version: 1',
    'databases:',
    `  - name: ${yaml(database)}`, //     3
    'warehouses:',
    `  - name: ${yaml(warehouse)}`, //    5
    'roles:',
    `  - name: ${yaml(role)}`, //         7
    `  - name: ${yaml(link)}`, //         8
    `  - name: ${yaml(attribute)}`, //    9
    `  - name: ${yaml(forged)}`, //       10
    'users:',
    `  - name: ${yaml(existing)}`, //     12
    '    type: SERVICE', //               13
    '    key:',
    '      secret:',
    '        name: SNOWFLAKE_PRIVATE_KEY',
    `  - name: ${yaml(missing)}`, //      17
    '    type: SERVICE',
    '',
  ].join('\n');

  test('each missing object and each undeclared role is a finding; the summary and the titles show the names as written', async () => {
    // The existing user holds a role the spec does not declare (strict).
    await world.sf.sql(`CREATE ROLE IF NOT EXISTS ${quoted(EXTRA)}`);
    await world.sf.sql(`GRANT ROLE ${quoted(EXTRA)} TO USER ${quoted(existing)}`);
    await world.sf.clearLog();
    const run = await world.run(verifyInputs(FILE, { role: 'ACCOUNTADMIN', strict: 'true' }), {
      files: { [FILE]: SPEC },
    });
    expect(run.exitCode).toBe(1);
    const expected = [
      { type: 'database', name: database, line: 3 },
      { type: 'warehouse', name: warehouse, line: 5 },
      { type: 'role', name: role, line: 7 },
      { type: 'role', name: link, line: 8 },
      { type: 'role', name: attribute, line: 9 },
      { type: 'role', name: forged, line: 10 },
      { type: 'user', name: existing, line: 12 },
      { type: 'user', name: missing, line: 17 },
    ];
    expect(run.outputs.drift).toBe(String(expected.length));

    // Annotations: exactly the title, file and line meant; the title holds the name verbatim.
    const findings = annotations(run).filter((annotation) => annotation.properties.file !== undefined);
    expect(findings.map((annotation) => [annotation.command, annotation.properties])).toEqual(
      expected.map(({ type, name, line }) => [
        'error',
        { title: `Snowflake ${type} ${name}`, file: FILE, line: String(line) },
      ]),
    );
    expect(findings.map((annotation) => annotation.message)).toEqual([
      expect.stringContaining(`database ${database} does not exist`),
      expect.stringContaining(`warehouse ${warehouse} does not exist`),
      expect.stringContaining(`role ${role} does not exist`),
      expect.stringContaining(`role ${link} does not exist`),
      expect.stringContaining(`role ${attribute} does not exist`),
      expect.stringContaining(`role ${forged} does not exist`),
      expect.stringContaining(
        `role ${EXTRA} is granted to user ${existing}, which the spec does not declare`,
      ),
      expect.stringContaining(`user ${missing} does not exist`),
    ]);
    // No command was forged by a name: every command line is one the action wrote.
    expect(run.stdout).not.toMatch(/^::error::forged/m);
    expect(annotations(run).every((annotation) => !('forged' in annotation.properties))).toBe(true);

    // The summary: one row per finding, the name verbatim in its code element and message, the fix's SQL whole.
    const summary = rendered(run);
    expectWellFormedTables(run.summary);
    const errors = summary.tables.find((table) => table[0]?.[1] === 'Finding') ?? [];
    expect(errors).toHaveLength(expected.length + 1);
    expected.forEach(({ type, name, line }, index) => {
      const [where, finding, fix] = errors[index + 1] ?? [];
      expect(where).toBe(`line\u00a0${line}`);
      expect(finding).toContain(`${type} ${name}`);
      expect(fix).toContain(quoted(name));
    });
    expect(errors[7]?.[1]).toContain(`role ${EXTRA} is granted to user ${existing}`);
    expect(errors[7]?.[2]).toBe(
      `REVOKE ROLE ${quoted(EXTRA)} FROM USER ${quoted(existing)}, or declare it in the spec`,
    );
    for (const { name } of expected) expect(summary.codes).toContain(name);
    await expectNothingChanged(run);
  });
});

test('a name with a line break, which only Snowflake can hold: the owner of a user verify may not read', async () => {
  // The spec declares NL_OWNED; its owner is a role whose name has a line break. verify runs as ROTATOR_ROLE,
  // which neither owns the user nor has MANAGE GRANTS, so SHOW USERS hides the user's properties.
  const FILE = 'snowflake/owned.yml';
  await world.sf.sql(`CREATE ROLE ${quoted(LINE_BREAK)}`);
  await world.sf.sql(`CREATE USER NL_OWNED TYPE = SERVICE RSA_PUBLIC_KEY = '${userKey.publicBody}'`);
  await world.sf.sql(`GRANT OWNERSHIP ON USER NL_OWNED TO ROLE ${quoted(LINE_BREAK)}`);
  await world.sf.clearLog();
  const run = await world.run(verifyInputs(FILE), {
    files: { [FILE]: 'version: 1\nusers:\n  - name: nl_owned\n    type: SERVICE\n' },
  });
  expect(run.exitCode).toBe(1);
  const [finding, ...others] = annotations(run).filter(
    (annotation) => annotation.properties.file !== undefined,
  );
  expect(others).toEqual([]);
  expect(finding?.properties).toEqual({ title: 'Snowflake user NL_OWNED', file: FILE, line: '3' });
  expect(finding?.message).toContain(`(the owner is ${LINE_BREAK})`);
  expect(finding?.message).toContain(`GRANT ROLE ${LINE_BREAK} TO ROLE `);
  const summary = rendered(run);
  expectWellFormedTables(run.summary);
  const [, row] = summary.tables.find((table) => table[0]?.[1] === 'Finding') ?? [];
  expect(row?.[1]).toContain(`(the owner is ${LINE_BREAK})`);
  expect(row?.[2]).toContain(`GRANT ROLE ${LINE_BREAK} TO ROLE `);
  // The line break is a <br> inside the cell, not a new line of the Markdown.
  expect(summary.elements.filter((element) => element.name === 'br').length).toBeGreaterThanOrEqual(2);
  await expectNothingChanged(run);
});

test('strict verify of a user holding a role whose name has a line break and a workflow command: one finding, no forged command', async () => {
  // Snowflake lets a quoted name hold any ASCII character; verify's fix quotes it, and no log line breaks on it.
  const FILE = 'snowflake/strict.yml';
  const hostile = 'extra\n::error::forged by a role name';
  await world.sf.sql(`CREATE USER NL_HOLDER TYPE = SERVICE RSA_PUBLIC_KEY = '${userKey.publicBody}'`);
  await world.sf.sql(`CREATE ROLE ${quoted(hostile)}`);
  await world.sf.sql(`GRANT ROLE ${quoted(hostile)} TO USER NL_HOLDER`);
  await world.sf.clearLog();
  const run = await world.run(verifyInputs(FILE, { role: 'ACCOUNTADMIN', strict: 'true' }), {
    files: { [FILE]: 'version: 1\nusers:\n  - name: nl_holder\n    type: SERVICE\n' },
  });
  expect(run.exitCode).toBe(1);
  expect(run.stdout).not.toContain('Internal error');
  expect(run.stdout).not.toMatch(/^::error::forged/m);
  const findings = annotations(run).filter((annotation) => annotation.properties.file !== undefined);
  expect(findings.map((annotation) => annotation.message)).toContainEqual(
    expect.stringContaining(`REVOKE ROLE ${quoted(hostile)} FROM USER "NL_HOLDER"`),
  );
  expect(run.outputs.drift).toBe(String(findings.filter((a) => a.command === 'error').length));
  expectWellFormedTables(run.summary);
  await expectNothingChanged(run);
});

describe('the failure summary: messages that quote a name, an input or a server', () => {
  test("a rotation of a user that does not exist: the mode's failure quotes the name", async () => {
    const name = `${NAMES[0]} ${NAMES[2]} missing`;
    const run = await world.run(world.rotateInputs(adminKey, { 'target-user': quoted(name) }));
    expect(run.exitCode).toBe(1);
    const failure = annotations(run).find((annotation) => annotation.command === 'error');
    expect(failure?.properties).toEqual({ title: 'Snowflake key rotation failed' });
    expect(failure?.message).toContain(`Step read-target failed: Snowflake user ${name} does not exist`);
    const summary = rendered(run);
    expectWellFormedTables(run.summary);
    expect(summary.text.split('\n')[0]).toBe(`❌ Snowflake key rotation failed for ${name}`);
    expect(summary.codes[0]).toBe(name);
    expect(summary.text).toContain(`Step read-target failed: Snowflake user ${name} does not exist`);
    expect(summary.tables.find((table) => table[0]?.[0] === 'Rotation')).toContainEqual(['User', name]);
    await expectNothingChanged(run);
  });

  test.each([
    ['secret-name', NAMES.slice(0, 5).join(' ')],
    ['secret-repository', `acme/app, ${NAMES[1]}|${NAMES[4]}`],
    ['grace-period', `${NAMES[0]}${NAMES[3]}`],
  ])("an input error before any mode quotes the input's value: %s", async (input, value) => {
    const run = await world.run(world.rotateInputs(adminKey, { [input]: value }));
    expect(run.exitCode).toBe(1);
    const [failure, ...others] = annotations(run).filter((annotation) => annotation.command === 'error');
    expect(others).toEqual([]);
    expect(failure?.properties).toEqual({ title: 'Invalid input' });
    expect(failure?.message).toMatch(new RegExp(`^Input '${input}' `, 'i'));
    const summary = rendered(run);
    expect(summary.text.split('\n')[0]).toBe('❌ Snowflake key pair action failed');
    // The summary quotes the message as the annotation does, every character of it.
    expect(summary.text.split('\n').slice(1).join('\n').trim()).toBe(failure?.message.trim());
    expect(summary.text).toContain(value.split(', ').at(-1) ?? value);
    expect((await world.sf.log()).filter((entry) => entry.via === 'sdk')).toEqual([]);
    await expectNothingChanged(run);
  });

  test("a server's message quoted back, with a line break and markup in it", async () => {
    const message = `SQL compilation error:\n${NAMES[0]} | ${NAMES[3]} ${NAMES[4]}\n# not a heading\n- not a list`;
    await world.sf.fault({ on: 'query', match: '^DESC USER', action: 'sql-error', code: '000603', message });
    const run = await world.run(world.rotateInputs(adminKey));
    expect(run.exitCode).toBe(1);
    // The action puts a server's message on one line.
    const shown = message.replace(/\n/g, ' ');
    const failure = annotations(run).find((annotation) => annotation.command === 'error');
    expect(failure?.message).toContain(shown);
    const summary = rendered(run);
    expectWellFormedTables(run.summary);
    expect(summary.text).toContain(shown);
    await expectNothingChanged(run);
  });
});
