import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectNoLeaks } from '../harness/leak-scan.js';
import { renderSummary } from '../harness/markdown.js';
import { type ActionRun, REPO_ROOT } from '../harness/run-action.js';
import { ADMIN, type TestKey, World, newKey } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * `verify`, end to end: an account set up by dist/index.js from each example spec verifies clean; then one change
 * at a time, made through the emulator's control plane (as a person or another tool would make it), is
 * reported as exactly one finding (two where Snowflake forces two changes), with its severity, the spec line,
 * the fix, an annotation in the runner's syntax, and the exit status that follows the severity.
 */

let world: World;
let adminKey: TestKey;

useProvisionedWorld((started) => ({ world, adminKey } = started), { accountAdmin: true });

const DAY_MS = 86_400_000;
const example = (name: string): string => readFileSync(join(REPO_ROOT, 'examples', name), 'utf8');

/** The 1-based line of the first line of `text` containing `needle` (after line `after`, if given). */
function lineOf(text: string, needle: string, after = 0): number {
  const index = text.split('\n').findIndex((line, i) => i >= after && line.includes(needle));
  if (index < 0) throw new Error(`${needle} not in spec`);
  return index + 1;
}

function inputs(
  spec: string,
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return world.specInputs(adminKey, 'verify', spec, overrides);
}

async function setUp(file: string, text: string): Promise<Record<string, string>> {
  const files = { [file]: text };
  const run = await world.run(world.specInputs(adminKey, 'setup', file), { files });
  expect(run.errors).toEqual([]);
  return files;
}

interface ReportedFinding {
  severity: string;
  objectType: string;
  objectName: string;
  check: string;
  message: string;
  fix: string;
  source: { file: string; line: number; path: string };
}

function report(run: ActionRun): { findings: ReportedFinding[]; checks: unknown[]; headline: string } {
  const [text] = Object.entries(run.tempFiles)
    .filter(([path]) => /snowflake-keypair-action-.*\.json$/.test(path))
    .map(([, content]) => content);
  return JSON.parse(text ?? '{}') as { findings: ReportedFinding[]; checks: unknown[]; headline: string };
}

async function verifyRun(
  files: Record<string, string>,
  file: string,
  overrides: Record<string, string | undefined> = {},
): Promise<ActionRun> {
  await world.sf.clearLog();
  const run = await world.run(inputs(file, overrides), { files });
  // verify only reads.
  expect(await world.changes()).toEqual([]);
  expectNoLeaks(run, world.secrets);
  return run;
}

function expectClean(run: ActionRun): void {
  expect(run.errors).toEqual([]);
  expect(run.exitCode).toBe(0);
  expect(run.outputs.drift).toBe('0');
  expect(run.outputs.changed).toBe('false');
  expect(report(run).findings).toEqual([]);
  expect(renderSummary(run.summary).text).toMatch(/Snowflake verify: 0 errors, 0 warnings in \d+ checks/);
}

describe('an account set up from each example verifies clean', () => {
  test("Segment's guide, strict, with the held key; at most one SHOW GRANTS per role, no statement twice", async () => {
    await world.sf.clientIp('52.25.130.38');
    const text = example('segment-reverse-etl.yml');
    const files = await setUp('snowflake/segment.yml', text);
    const held = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
    const run = await verifyRun(files, 'snowflake/segment.yml', {
      strict: 'true',
      'current-private-key': held,
    });
    expectClean(run);
    expect(report(run).checks).toEqual(
      expect.arrayContaining([
        {
          objectType: 'user',
          objectName: 'SEGMENT_REVERSE_ETL_USER',
          check: 'held key registered',
          result: 'pass',
        },
        { objectType: 'warehouse', objectName: 'SEGMENT_REVERSE_ETL', check: 'auto_suspend', result: 'pass' },
      ]),
    );
    const reads = (await world.sf.log())
      .filter((e) => e.kind === 'query' && e.via === 'sdk')
      .map((e) => e.sql ?? '');
    expect(new Set(reads).size).toBe(reads.length);
    expect(reads.filter((sql) => /^SHOW GRANTS TO ROLE/.test(sql))).toEqual([
      'SHOW GRANTS TO ROLE "SEGMENT_REVERSE_ETL"',
    ]);
  });

  test("Pulumi's least-privilege rotator (custom roles rolled up to SYSADMIN, as Snowflake advises)", async () => {
    const files = await setUp('key-rotator.yml', example('key-rotator.yml'));
    // ESC_ROTATOR owns the target user: a role above it may read the user's keys.
    await world.sf.sql('GRANT ROLE ESC_ROTATOR TO ROLE SYSADMIN');
    expectClean(await verifyRun(files, 'key-rotator.yml', { strict: 'true' }));
  });

  test('a Snowflake secret and its grants', async () => {
    const files = await setUp('secret.yml', example('snowflake-secret.yml'));
    const run = await verifyRun(files, 'secret.yml', { strict: 'true' });
    expectClean(run);
    expect(report(run).checks).toEqual(
      expect.arrayContaining([
        {
          objectType: 'secret',
          objectName: 'KEYS.PRIVATE.SNOWFLAKE_PRIVATE_KEY',
          check: 'USAGE on secret KEYS.PRIVATE.SNOWFLAKE_PRIVATE_KEY to KEY_READER',
          result: 'pass',
        },
      ]),
    );
  });
});

describe('one change at a time on the Segment account', () => {
  const file = 'segment.yml';
  const text = example('segment-reverse-etl.yml');
  const user = 'SEGMENT_REVERSE_ETL_USER';
  let files: Record<string, string>;

  beforeEach(async () => {
    await world.sf.clientIp('52.25.130.38');
    files = await setUp(file, text);
  });

  /** Runs verify and expects exactly these findings, an exit status that follows them, and their annotations. */
  async function expectFindings(
    expected: Partial<ReportedFinding>[],
    overrides: Record<string, string | undefined> = {},
  ): Promise<ActionRun> {
    const run = await verifyRun(files, file, overrides);
    const findings = report(run).findings;
    expect(findings).toEqual(expected.map((f) => expect.objectContaining(f)));
    const errors = findings.filter((f) => f.severity === 'error').length;
    expect(run.outputs.drift).toBe(String(errors));
    expect(run.exitCode).toBe(errors > 0 ? 1 : 0);
    for (const f of findings) {
      // @actions/core writes the properties in the order title, file, line.
      const command = `::${f.severity} title=Snowflake ${f.objectType} ${f.objectName},file=${file},line=${f.source.line}::`;
      expect(run.stdout.split('\n').some((line) => line.startsWith(command))).toBe(true);
    }
    if (errors > 0) {
      expect(run.errors.at(-1)).toMatch(new RegExp(`^Verify found drift: ${errors} errors?, `));
    }
    expect(renderSummary(run.summary).text).toContain(`${errors} error${errors === 1 ? '' : 's'}, `);
    return run;
  }

  test('a grant revoked', async () => {
    await world.sf.sql('REVOKE USAGE ON WAREHOUSE SEGMENT_REVERSE_ETL FROM ROLE SEGMENT_REVERSE_ETL');
    const run = await expectFindings([
      {
        severity: 'error',
        objectType: 'role',
        objectName: 'SEGMENT_REVERSE_ETL',
        check: 'USAGE on warehouse SEGMENT_REVERSE_ETL to SEGMENT_REVERSE_ETL',
        fix: 'GRANT USAGE ON WAREHOUSE "SEGMENT_REVERSE_ETL" TO ROLE "SEGMENT_REVERSE_ETL"',
        source: expect.objectContaining({ file, line: lineOf(text, 'privileges: [USAGE]') }) as never,
      },
    ]);
    // Findings grouped by severity, with their spec line; the checks counted per object type.
    const summary = renderSummary(run.summary);
    expect(summary.text).toContain('❌ Errors (1)');
    const [errorTable] = summary.tables.filter((table) => table[0]?.[1] === 'Finding');
    expect(errorTable?.[1]?.[0]).toBe(`line\u00a0${lineOf(text, 'privileges: [USAGE]')}`);
    expect(errorTable?.[1]?.[2]).toBe(
      'GRANT USAGE ON WAREHOUSE "SEGMENT_REVERSE_ETL" TO ROLE "SEGMENT_REVERSE_ETL"',
    );
    expect(summary.tables.find((table) => table[0]?.[0] === 'Object type')).toContainEqual([
      '❌ Roles',
      expect.any(String),
      expect.any(String),
      '1',
      '0',
    ]);
  });

  test('an extra grant fails only with strict', async () => {
    await world.sf.sql('GRANT MONITOR ON WAREHOUSE SEGMENT_REVERSE_ETL TO ROLE SEGMENT_REVERSE_ETL');
    await expectFindings([]);
    await expectFindings(
      [
        {
          severity: 'error',
          objectType: 'role',
          objectName: 'SEGMENT_REVERSE_ETL',
          check: 'undeclared MONITOR on warehouse SEGMENT_REVERSE_ETL',
          fix: 'REVOKE MONITOR ON WAREHOUSE "SEGMENT_REVERSE_ETL" FROM ROLE "SEGMENT_REVERSE_ETL", or declare it in the spec',
          // On the role's privileges list, where the grant would be declared.
          source: expect.objectContaining({
            line: lineOf(text, 'privileges:', lineOf(text, 'roles:')),
          }) as never,
        },
      ],
      { strict: 'true' },
    );
  });

  test('a password on the service user: Snowflake refuses it while TYPE = SERVICE, so the type changed too', async () => {
    const password = 'Correct-Horse-Battery-9';
    world.secrets.password = password;
    await expect(world.sf.sql(`ALTER USER ${user} SET PASSWORD = '${password}'`)).rejects.toThrow(
      /not supported for users with TYPE = SERVICE/,
    );
    await world.sf.sql(`ALTER USER ${user} SET TYPE = LEGACY_SERVICE PASSWORD = '${password}'`);
    // Both on the user's `type: SERVICE` line: it is what rules a password out.
    const typeLine = lineOf(text, 'type: SERVICE', lineOf(text, `- name: ${user.toLowerCase()}`));
    await expectFindings([
      {
        severity: 'error',
        objectType: 'user',
        objectName: user,
        check: 'no password',
        fix: `ALTER USER "${user}" UNSET PASSWORD`,
        source: expect.objectContaining({ line: typeLine }) as never,
      },
      {
        severity: 'error',
        objectType: 'user',
        objectName: user,
        check: 'type',
        message: `type of user ${user} is LEGACY_SERVICE, the spec says SERVICE`,
        // The password must go first: Snowflake refuses TYPE = SERVICE on a user with one.
        fix: `ALTER USER "${user}" UNSET PASSWORD; ALTER USER "${user}" SET TYPE = SERVICE`,
        source: expect.objectContaining({ line: typeLine }) as never,
      },
    ]);
  });

  test("the user's type changed", async () => {
    await world.sf.sql(`ALTER USER ${user} SET TYPE = PERSON`);
    await expectFindings([
      {
        severity: 'error',
        check: 'type',
        fix: `ALTER USER "${user}" SET TYPE = SERVICE`,
        source: expect.objectContaining({
          line: lineOf(text, 'type: SERVICE', lineOf(text, `- name: ${user.toLowerCase()}`)),
        }) as never,
      },
    ]);
  });

  test('a key unset', async () => {
    await world.sf.sql(`ALTER USER ${user} UNSET RSA_PUBLIC_KEY`);
    await expectFindings([
      {
        severity: 'error',
        objectType: 'user',
        check: 'key registered',
        message: `user ${user} has no public key registered; the spec declares a key for it`,
        fix: expect.stringMatching(/^Run mode: setup with this spec/) as never,
        source: expect.objectContaining({ line: lineOf(text, 'key:') }) as never,
      },
    ]);
  });

  /** Sets the user's key again with the emulator's clock `daysAgo` in the past. */
  async function ageKey(daysAgo: number): Promise<void> {
    const body = (await world.describe(user)).RSA_PUBLIC_KEY ?? '';
    await world.sf.clock(-daysAgo * DAY_MS);
    await world.sf.sql(`ALTER USER ${user} SET RSA_PUBLIC_KEY = '${body}'`);
    await world.sf.clock(0);
  }

  test('a key past its max_age is an error; one in the last fifth of it a warning', async () => {
    await ageKey(100);
    await expectFindings([
      {
        severity: 'error',
        check: 'age of RSA_PUBLIC_KEY',
        message: expect.stringMatching(
          /RSA_PUBLIC_KEY of user .* was set 100d ago .*, older than its max_age of 90d/,
        ) as never,
        fix: expect.stringMatching(
          /^Rotate it: mode: rotate with target-user: SEGMENT_REVERSE_ETL_USER/,
        ) as never,
        // On the max_age line, the limit the key passed.
        source: expect.objectContaining({ line: lineOf(text, 'max_age: 90d') }) as never,
      },
    ]);
    await ageKey(75);
    const run = await expectFindings([
      {
        severity: 'warning',
        check: 'age of RSA_PUBLIC_KEY',
        message: expect.stringMatching(/was set 75d ago .*: it passes its max_age of 90d in 1[45]d/) as never,
      },
    ]);
    expect(renderSummary(run.summary).text).toContain('0 errors, 1 warning in');
  });

  test('the network policy detached', async () => {
    await world.sf.sql(`ALTER USER ${user} UNSET NETWORK_POLICY`);
    await expectFindings([
      {
        severity: 'error',
        check: 'network_policy',
        message: `network_policy of user ${user} is not set, the spec says SEGMENT_REVERSE_ETL_US`,
        fix: `ALTER USER "${user}" SET NETWORK_POLICY = "SEGMENT_REVERSE_ETL_US"`,
        source: expect.objectContaining({
          line: lineOf(text, 'network_policy: segment_reverse_etl_us'),
        }) as never,
      },
    ]);
  });

  test('the key the workflows hold is no longer registered', async () => {
    const held = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
    const other = newKey();
    await world.sf.sql(`ALTER USER ${user} SET RSA_PUBLIC_KEY = '${other.publicBody}'`);
    await expectFindings(
      [
        {
          severity: 'error',
          check: 'held key registered',
          message: expect.stringMatching(
            /^the key in current-private-key \(SHA256:.*\) is not registered on user SEGMENT_REVERSE_ETL_USER/,
          ) as never,
          source: expect.objectContaining({ line: lineOf(text, 'key:') }) as never,
        },
      ],
      { 'current-private-key': held },
    );
  });
});

test("the README's KEY_AUDITOR role (MANAGE GRANTS and the provisioning role that owns the objects) verifies clean", async () => {
  // Setup runs as a provisioning role that creates, and so owns, everything in the spec; the auditor reads
  // grants with MANAGE GRANTS and describes users and policies through that role.
  await world.sf.clientIp('52.25.130.38');
  await world.sf.sql('CREATE ROLE PROVISIONER');
  for (const privilege of [
    'CREATE DATABASE',
    'CREATE WAREHOUSE',
    'CREATE ROLE',
    'CREATE USER',
    'CREATE NETWORK POLICY',
  ]) {
    await world.sf.sql(`GRANT ${privilege} ON ACCOUNT TO ROLE PROVISIONER`);
  }
  await world.sf.sql(`GRANT ROLE PROVISIONER TO USER ${ADMIN}`);
  const files = { 'snowflake/segment.yml': example('segment-reverse-etl.yml') };
  const setupRun = await world.run(
    world.rotateInputs(adminKey, {
      mode: 'setup',
      role: 'PROVISIONER',
      spec: 'snowflake/segment.yml',
      'target-user': undefined,
      'secret-name': undefined,
    }),
    { files },
  );
  expect(setupRun.errors).toEqual([]);
  await world.sf.sql('CREATE ROLE KEY_AUDITOR');
  await world.sf.sql('GRANT MANAGE GRANTS ON ACCOUNT TO ROLE KEY_AUDITOR');
  await world.sf.sql('GRANT ROLE PROVISIONER TO ROLE KEY_AUDITOR');
  await world.sf.sql(`GRANT ROLE KEY_AUDITOR TO USER ${ADMIN}`);
  expectClean(await verifyRun(files, 'snowflake/segment.yml', { role: 'KEY_AUDITOR', strict: 'true' }));
});

test('a role that may not read the grants: a finding that says so, not a crash', async () => {
  const files = await setUp('secret.yml', example('snowflake-secret.yml'));
  // ROTATOR_ROLE has neither MANAGE GRANTS nor the spec's roles.
  const run = await verifyRun(files, 'secret.yml', { role: undefined });
  expect(run.exitCode).toBe(1);
  const findings = report(run).findings;
  expect(findings.length).toBeGreaterThan(0);
  expect(findings.every((f) => f.severity === 'error')).toBe(true);
  expect(findings.map((f) => f.message).join('\n')).toMatch(
    /SHOW GRANTS TO ROLE "KEY_ADMIN" was refused \(003001/,
  );
  expect(run.errors.join('\n')).not.toMatch(/Unexpected error/);
});

test('spec is required; inputs that write are refused', async () => {
  const missing = await world.run(inputs(''), {});
  expect(missing.exitCode).toBe(1);
  expect(missing.errors.join('\n')).toMatch(/Input 'spec' is required with 'mode: verify'/);
  const files = { 's.yml': 'version: 1\n' };
  const writing = await world.run(inputs('s.yml', { 'secret-name': 'X' }), { files });
  expect(writing.errors.join('\n')).toMatch(/Input 'secret-name' does not apply to 'mode: verify'/);
  expect((await world.sf.log()).filter((e) => e.via === 'sdk')).toEqual([]);
});
