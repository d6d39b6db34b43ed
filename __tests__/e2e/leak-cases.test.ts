import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectNoLeaks } from '../harness/leak-scan.js';
import { renderSummary } from '../harness/markdown.js';
import type { ActionRun } from '../harness/run-action.js';
import { ADMIN, REPOSITORY, SERVICE_USER, type TestKey, World, newKey } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * The runs most likely to leak, end to end (dist/index.js, the real SDK and Octokit, both emulators): step debug
 * logging on, errors that quote back what was sent (a statement carrying the key, a login token, a request with
 * its Authorization header), a report or summary that cannot be written, and errors that are not the action's
 * own. runAction scans every run (leak-scan.ts) for what the run masked, private-key PEM blocks, signed JWTs and
 * every secret of the world, in the log (debug lines included), stderr, outputs, summary, and every file in the
 * workspace, RUNNER_TEMP, HOME and TMPDIR, and fails the test on any leak; each test here also checks that
 * the run wrote nothing to disk but its report.
 */

let world: World;
let adminKey: TestKey;
let firstKey: TestKey;
let scratch: string;
useProvisionedWorld((started) => ({ world, adminKey, firstKey } = started));

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'leak-cases-'));
});

afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** What the runner sets when a workflow is re-run with debug logging (or the ACTIONS_STEP_DEBUG secret is true). */
const DEBUG = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' };

const rotation = (overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> =>
  world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem, ...overrides });

/** `::debug::` lines, unescaped. */
const debugLines = (run: ActionRun): string[] =>
  run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::debug::'))
    .map((line) =>
      line.slice('::debug::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'),
    );

/** The SDK's share of the debug log. */
const sdkDebugLines = (run: ActionRun): string[] =>
  debugLines(run).filter((line) => line.startsWith('snowflake-sdk: '));

/** Key material never touches the disk: no file at all, anywhere, but the JSON report in RUNNER_TEMP. */
function expectNothingOnDiskButTheReport(run: ActionRun): void {
  expect(run.workspaceFiles).toEqual({});
  expect(run.homeFiles).toEqual({});
  expect(run.tmpdirFiles).toEqual({});
  for (const path of Object.keys(run.tempFiles)) {
    expect(path).toMatch(/^snowflake-keypair-action-[0-9TZ-]+\.json$/);
  }
}

/** A stack trace only ever in the debug log: not in what a user sees, not on stderr. */
function expectNoStackOutsideDebug(run: ActionRun): void {
  const shown = run.visibleLog.split('\n').filter((line) => !line.startsWith('::debug::'));
  expect(shown.filter((line) => /%0A\s+at |^\s+at .*:\d+:\d+\)?$|dist\/index\.js:\d+/.test(line))).toEqual(
    [],
  );
  expect(run.stderr).toBe('');
}

describe('with step debug logging on (ACTIONS_STEP_DEBUG)', () => {
  test('a rotation that succeeds: the SDK debug log is written, and carries no key, JWT or token', async () => {
    const run = await world.run(rotation(), { env: DEBUG });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    // Not vacuous: the SDK logged both logins (the rotator's and the proof login with the new key) in detail.
    const sdk = sdkDebugLines(run);
    expect(sdk.length).toBeGreaterThan(50);
    expect(sdk.filter((line) => /authentication successful using: SNOWFLAKE_JWT/.test(line))).toHaveLength(2);
    expect(sdk.some((line) => line.includes(`user: ${SERVICE_USER}`))).toBe(true);
    // The stored key is known now: scan for it by name too, besides the run's own masking of it.
    expect(await world.secretValue('SNOWFLAKE_PRIVATE_KEY')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expectNoLeaks(run, world.secrets);
    expectNothingOnDiskButTheReport(run);
  });

  test('a login refused (JWT rejected): the debug log says so and never shows the JWT that was sent', async () => {
    const wrong = newKey();
    world.secrets['unregistered key'] = wrong.pem;
    const quiet = await world.run(world.rotateInputs(wrong));
    const debug = await world.run(world.rotateInputs(wrong), { env: DEBUG });
    for (const run of [quiet, debug]) {
      expect(run.exitCode).toBe(1);
      expect(run.errors.join('\n')).toMatch(/rejected the key-pair login of user KEY_ROTATOR .*390144/s);
      expectNothingOnDiskButTheReport(run);
    }
    // A JWT was sent each time: the scan had something to find.
    const logins = (await world.sf.log()).filter((e) => e.kind === 'login' && e.via === 'sdk');
    expect(logins.map((e) => [e.authenticator, e.ok])).toEqual([
      ['SNOWFLAKE_JWT', false],
      ['SNOWFLAKE_JWT', false],
    ]);
    expect(sdkDebugLines(debug).length).toBeGreaterThan(sdkDebugLines(quiet).length + 10);
    expect(sdkDebugLines(debug).some((line) => /connection failed .*JWT token is invalid/.test(line))).toBe(
      true,
    );
  });

  test('a rotation that fails after the key was set (GitHub refuses the write) is rolled back, and the debug log holds no key', async () => {
    await world.gh.fault({
      match: '^PUT /repos/acme/app/actions/secrets/',
      action: 'http-error',
      status: 403,
    });
    const run = await world.run(rotation(), { env: DEBUG });
    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(/Step store-secret failed: .*403.*removed from Snowflake again/s);
    // The generated key was masked, and the SDK logged the statements that set and then removed it.
    expect(run.masked.some((value) => value.includes('\n'))).toBe(true);
    expect(sdkDebugLines(run).length).toBeGreaterThan(50);
    expect(await world.gh.secrets()).toEqual([]);
    expectNothingOnDiskButTheReport(run);
  });
});

describe('errors that quote back what was sent', () => {
  beforeEach(async () => {
    await world.sf.sql('CREATE DATABASE KEYS_DB');
    await world.sf.sql('CREATE SCHEMA KEYS_DB.ROTATION');
    await world.sf.sql("CREATE SECRET KEYS_DB.ROTATION.SVC_KEY TYPE = GENERIC_STRING SECRET_STRING = ''");
    await world.sf.sql('GRANT USAGE ON DATABASE KEYS_DB TO ROLE ROTATOR_ROLE');
    await world.sf.sql('GRANT USAGE ON SCHEMA KEYS_DB.ROTATION TO ROLE ROTATOR_ROLE');
    await world.sf.sql('GRANT OWNERSHIP ON SECRET KEYS_DB.ROTATION.SVC_KEY TO ROLE ROTATOR_ROLE');
  });

  /**
   * Snowflake's syntax errors quote the statement from the point they failed (`syntax error line 1 at position
   * 66 unexpected '...'`). The key in the statement is made inside the run, so the message quotes a stand-in the
   * test knows: a private key (the first service key, which the run also holds as current-private-key), whole
   * with the statement around it, or only the line of it where the parser stopped (no PEM armour to spot).
   */
  const quoting = {
    statement: (): string =>
      `SQL compilation error:\nsyntax error line 1 at position 66 unexpected 'ALTER SECRET "KEYS_DB"."ROTATION"."SVC_KEY" SET SECRET_STRING = '${firstKey.pem}''.`,
    'a line of the key': (): string =>
      `SQL compilation error:\nsyntax error line 2 at position 0 unexpected '${firstKey.pem.split('\n')[3]}'.`,
  };

  test.each([
    [
      '001003',
      'statement',
      /\(001003: Snowflake's message is withheld because the statement carries a secret\)/,
    ],
    // A code whose message Snowflake keeps to the object's name is passed on, with anything secret in it redacted.
    [
      '003001',
      'statement',
      /may not change Snowflake secret .*\(003001: SQL compilation error: syntax error .*unexpected 'ALTER SECRET .* = '\*\*\* ''/s,
    ],
    [
      '003001',
      'a line of the key',
      /may not change Snowflake secret .*\(003001: SQL compilation error: syntax error line 2 at position 0 unexpected '\*\*\*'/s,
    ],
  ] as const)(
    'ALTER SECRET ... SET SECRET_STRING failing with %s, the message quoting the %s: the key is not shown',
    async (code, quoted, shown) => {
      await world.sf.fault({
        on: 'query',
        match: '^ALTER SECRET',
        action: 'sql-error',
        code,
        message: quoting[quoted](),
      });
      const run = await world.run(rotation({ 'snowflake-secret': 'KEYS_DB.ROTATION.SVC_KEY' }), {
        env: DEBUG,
      });
      expect(run.exitCode).toBe(1);
      const errors = run.errors.join('\n');
      expect(errors).toMatch(/Step store-secret failed: .*ALTER SECRET|Step store-secret failed: .*SVC_KEY/s);
      expect(errors).toMatch(shown);
      // GitHub holds the new key; the Snowflake secret is as it was.
      expect((await world.sf.secrets()).find((s) => s.name === 'SVC_KEY')?.secretString).toBe('');
      expect(await world.secretValue('SNOWFLAKE_PRIVATE_KEY')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expectNoLeaks(run, world.secrets);
      expectNothingOnDiskButTheReport(run);
    },
  );

  test('a login refused with a message that quotes a token: the JWT is not shown', async () => {
    // A real signed JWT as the stand-in for the one the run sent (made inside the SDK, never seen by the test).
    const jwt = await world.gh.mintIdToken({ repository: REPOSITORY });
    world.secrets['quoted JWT'] = jwt;
    await world.sf.fault({
      on: 'login',
      match: `^${ADMIN}$`,
      action: 'sql-error',
      code: '390144',
      message: `JWT token is invalid: ${jwt}`,
    });
    const run = await world.run(rotation(), { env: DEBUG });
    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(
      /rejected the key-pair login .*\(390144: JWT token is invalid: \*\*\*\)/s,
    );
    expect(await world.changes()).toEqual([]);
    expectNothingOnDiskButTheReport(run);
  });

  test.each([
    // GitHub's validation errors quote the values they reject: here only the sealed value, which is no secret.
    ['body', /GitHub refused to write the secret of .*\(422 Validation Failed.*encrypted_value/s],
    // A proxy's or a broken server's error page quoting the whole request, Authorization header and all.
    ['request', /GitHub refused to write the secret of .*\(422 Validation Failed.*authorization: \*\*\*/s],
  ] as const)(
    'GitHub answering the secret write with 422 quoting the %s: the token is not shown, and the rotation is rolled back',
    async (echo, shown) => {
      await world.gh.fault({
        match: '^PUT /repos/acme/app/actions/secrets/',
        action: 'http-error',
        status: 422,
        echo,
      });
      const run = await world.run(rotation(), { env: DEBUG });
      expect(run.exitCode).toBe(1);
      expect(run.errors.join('\n')).toMatch(shown);
      expect(await world.gh.secrets()).toEqual([]);
      expectNothingOnDiskButTheReport(run);
    },
  );

  test('GitHub answering 500 to the public-key request, quoting the request: the token is not shown', async () => {
    await world.gh.fault({ match: '/secrets/public-key$', action: 'http-500', echo: 'request' });
    const run = await world.run(rotation(), { env: DEBUG });
    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(
      /Step prepare-destinations failed: GitHub answered 500 .*public key.*authorization: \*\*\*/s,
    );
    expect(await world.changes()).toEqual([]);
    expectNothingOnDiskButTheReport(run);
  });

  test("the runner's OIDC endpoint answering 500 quoting the request: its request token is not shown", async () => {
    await world.gh.fault({ match: '/idtoken$', action: 'http-500', echo: 'request' });
    const run = await world.run(
      rotation({ 'private-key': undefined, user: undefined, 'workload-identity': 'true' }),
      {
        env: DEBUG,
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(
      /Step login failed: Could not get the job's GitHub OIDC token .*Error Code : 500.*authorization: \*\*\*/s,
    );
    expect(await world.changes()).toEqual([]);
    expectNothingOnDiskButTheReport(run);
  });
});

describe('a report or summary that cannot be written', () => {
  /** A RUNNER_TEMP below a file: mkdir fails with ENOTDIR (permissions would not stop root). */
  async function blockedRunnerTemp(): Promise<string> {
    await writeFile(join(scratch, 'not-a-directory'), '');
    return join(scratch, 'not-a-directory', 'runner-temp');
  }

  test('a rotation whose report cannot be written completes, with its outputs, and a warning says so', async () => {
    const runnerTemp = await blockedRunnerTemp();
    const run = await world.run(rotation(), { env: { ...DEBUG, RUNNER_TEMP: runnerTemp } });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Could not write the JSON report to ${runnerTemp} \\(ENOTDIR: not a directory.*\\)\\. The run itself is not affected.*RUNNER_TEMP is a writable directory$`,
          's',
        ),
      ),
    ]);
    expect(run.stdout).toContain('::warning title=Report not written::');
    expect(run.outputs).toMatchObject({
      changed: 'true',
      'secrets-written': 'repository:acme/app:SNOWFLAKE_PRIVATE_KEY',
      report: '',
    });
    expect(renderSummary(run.summary).text).toContain('Snowflake key rotated for SVC_LOADER');
    expect(run.tempFiles).toEqual({});
    const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
    expect(await world.login(SERVICE_USER, stored)).toBe('ok');
    expectNoLeaks(run, world.secrets);
    expectNothingOnDiskButTheReport(run);
  });

  test('a failed run whose report and summary cannot be written still says why it failed', async () => {
    const wrong = newKey();
    world.secrets['unregistered key'] = wrong.pem;
    const run = await world.run(world.rotateInputs(wrong), {
      env: { ...DEBUG, RUNNER_TEMP: await blockedRunnerTemp(), GITHUB_STEP_SUMMARY: scratch },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/^Step login failed: .*390144/s)]);
    expect(run.warnings).toEqual([
      expect.stringMatching(/^Could not write the JSON report to .*ENOTDIR/s),
      expect.stringMatching(
        /^Could not write the job summary \(EISDIR.*\)\. The run itself is not affected$/s,
      ),
    ]);
    expect(run.outputs.report).toBe('');
    expectNothingOnDiskButTheReport(run);
  });
});

describe('errors that are not the action’s own', () => {
  test('GitHub answering a malformed public key: the library error is named, without a stack, and the rotation is rolled back', async () => {
    await world.gh.fault({
      match: '/secrets/public-key$',
      action: 'respond',
      body: { key_id: '568250167242549743', key: 'AAAA' },
    });
    const run = await world.run(rotation(), { env: DEBUG });
    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(
      /Step store-secret failed: No destination could be written \(TypeError: invalid publicKey length\).*removed from Snowflake again/s,
    );
    expectNoStackOutsideDebug(run);
    expect(await world.gh.secrets()).toEqual([]);
    expectNothingOnDiskButTheReport(run);
  });

  test('an unexpected error reaching the top level (GITHUB_OUTPUT is a directory): its message for the user, its stack in the debug log only', async () => {
    const run = await world.run(rotation(), { env: { ...DEBUG, GITHUB_OUTPUT: scratch } });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `Unexpected error: EISDIR: illegal operation on a directory, open '${scratch}'`,
    ]);
    const stacks = debugLines(run).filter((line) => line.startsWith('Stack of the unexpected error: '));
    expect(stacks).toEqual([
      expect.stringMatching(/^Stack of the unexpected error: Error: EISDIR.*\n\s+at /s),
    ]);
    expectNoStackOutsideDebug(run);
    expect(renderSummary(run.summary).text).toContain('Unexpected error: EISDIR');
    // It failed before anything happened.
    expect(await world.changes()).toEqual([]);
    expectNothingOnDiskButTheReport(run);
  });
});
