import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fingerprintOf, parsePrivateKey } from '../../src/keys.js';
import { expectNoLeaks } from '../harness/leak-scan.js';
import { type ActionRun, REPO_ROOT } from '../harness/run-action.js';
import { REPOSITORY, type TestKey, WRITER_TOKEN, World, newKey } from '../harness/world.js';

/**
 * The ready-to-copy workflows in examples/workflows/, replayed against the emulators: each file is parsed, the
 * step that uses this action is found, its `${{ ... }}` expressions are filled in from a table of test values
 * (secrets, vars, matrix entries, the App token step's output), and dist/index.js runs with those inputs the
 * way the runner would run that step. The Snowflake side is set up by running the SQL of the file's own header
 * comment, and the GitHub App token has exactly the permissions the file's token step asks for. Then the test
 * checks what the workflow promises. An expression the table cannot fill in fails the test, so the examples
 * cannot drift from it; the only input added is `snowflake-url`, which points the action at the emulator.
 */

const DIRECTORY = join(REPO_ROOT, 'examples', 'workflows');
const THIS_ACTION = /^snowflake-keypair-action\/snowflake-keypair-action@[0-9a-f]{40}$/;
const APP_TOKEN_ACTION = /^actions\/create-github-app-token@[0-9a-f]{40}$/;
const TWO_DAYS_MS = 48 * 3_600_000;
/** The runner's token for its OIDC endpoint, in jobs whose permissions grant `id-token: write`. */
const ID_TOKEN_REQUEST_TOKEN = 'example-workflow-id-token-request-0123456789';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  environment?: string | { name: string };
  concurrency?: string | { group: string; 'cancel-in-progress'?: boolean };
  permissions?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; matrix?: { include?: Record<string, string>[] } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: Job['concurrency'];
  jobs: Record<string, Job>;
}

interface Example {
  file: string;
  text: string;
  workflow: Workflow;
  job: Job;
  /** The step that uses this action. */
  step: Step;
}

function example(file: string): Example {
  const text = readFileSync(join(DIRECTORY, file), 'utf8');
  const workflow = parse(text) as Workflow;
  const found = Object.values(workflow.jobs).flatMap((job) =>
    job.steps.filter((s) => THIS_ACTION.test(s.uses ?? '')).map((step) => ({ job, step })),
  );
  if (found.length !== 1 || !found[0]) {
    throw new Error(`${file}: expected one step that uses this action by SHA, found ${found.length}`);
  }
  return { file, text, workflow, ...found[0] };
}

// ---------------------------------------------------------------------------------------------------------
// `${{ ... }}`: property access (`a.b`, `a['b']`, `a[b.c]`) on the contexts; anything else fails the test.

type Contexts = Record<string, unknown>;

/** Evaluates one expression body (`secrets[matrix.secret]`). */
function evaluate(expression: string, contexts: Contexts, where: string): string {
  let position = 0;
  const source = expression.trim();
  const fail = (why: string): never => {
    throw new Error(
      `${where}: \${{ ${source} }} ${why}: add a test value to the table in example-workflows.test.ts`,
    );
  };
  const name = (): string => {
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(position));
    if (!match) fail('is not a property access the replay understands');
    position += (match as RegExpExecArray)[0].length;
    return (match as RegExpExecArray)[0];
  };
  const value = (): unknown => {
    const first = name();
    if (!(first in contexts)) fail(`uses the context '${first}', which the table does not have`);
    let current: unknown = contexts[first];
    let path = first;
    while (position < source.length && (source[position] === '.' || source[position] === '[')) {
      let key: string;
      if (source[position] === '.') {
        position++;
        key = name();
      } else {
        position++;
        const literal = /^\s*'([^']*)'\s*\]/.exec(source.slice(position));
        if (literal) {
          key = literal[1] ?? '';
          position += literal[0].length;
        } else {
          key = String(value());
          if (source[position] !== ']') fail('has an index the replay does not understand');
          position++;
        }
      }
      path += `.${key}`;
      if (current === null || typeof current !== 'object' || !(key in current))
        fail(`has no value for ${path}`);
      current = (current as Record<string, unknown>)[key];
    }
    return current;
  };
  const result = value();
  if (position !== source.length) fail('is not a property access the replay understands');
  if (result === null || typeof result === 'object') fail('is not a single value');
  return String(result);
}

/** Replaces every `${{ ... }}` in `text`. */
function substitute(text: string, contexts: Contexts, where: string): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, body: string) => evaluate(body, contexts, where));
}

/** The inputs of the action step, as the runner passes them (every value a string), plus the emulator's URL. */
function stepInputs(ex: Example, contexts: Contexts, world: World): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [name, raw] of Object.entries(ex.step.with ?? {})) {
    inputs[name] = substitute(String(raw), contexts, `${ex.file} with.${name}`);
  }
  // The one input the replay adds: the example talks to the account's real host.
  expect(inputs['snowflake-url']).toBeUndefined();
  inputs['snowflake-url'] = world.snowflake.url;
  return inputs;
}

// ---------------------------------------------------------------------------------------------------------
// The world each example starts from.

/** The SQL of the file's header comment (the block after "Snowflake, once"), one statement per entry. */
function headerSql(ex: Example, replacements: Record<string, string>): string[] {
  const lines = ex.text.split('\n');
  const start = lines.findIndex((line) => /^# Snowflake, once/.test(line));
  if (start < 0) throw new Error(`${ex.file}: no "Snowflake, once" block in the header`);
  const sql: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const match = /^# {3}(.*)$/.exec(line);
    if (!match) {
      if (sql.length > 0) break;
      continue;
    }
    sql.push((match[1] ?? '').replace(/--.*$/, ''));
  }
  let text = sql.join('\n');
  for (const [from, to] of Object.entries(replacements)) text = text.split(from).join(to);
  return text
    .split(';')
    .map((statement) => statement.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

/** GitHub's side: the repository with the job's environment, and an App token with what the token step asks. */
async function provisionGitHub(world: World, ex: Example): Promise<void> {
  const environment = typeof ex.job.environment === 'object' ? ex.job.environment.name : ex.job.environment;
  await world.gh.addRepository({ owner: 'acme', repo: 'app', environments: ['production'] });
  const appStep = ex.job.steps.find((s) => s.id === 'app');
  expect(appStep?.uses).toMatch(APP_TOKEN_ACTION);
  const permissions = Object.fromEntries(
    Object.entries(appStep?.with ?? {})
      .filter(([name]) => name.startsWith('permission-'))
      .map(([name, level]) => [name.slice('permission-'.length).replace(/-/g, '_'), String(level)]),
  );
  expect(permissions).toEqual({ secrets: 'write' });
  await world.gh.addToken({
    token: WRITER_TOKEN,
    type: 'installation',
    permissions: permissions as Record<string, 'write'>,
    repositories: [REPOSITORY],
  });
  // The runner gives a job an OIDC request token only when its permissions grant `id-token: write`.
  const permissionsOf = { ...ex.workflow.permissions, ...ex.job.permissions };
  if (permissionsOf['id-token'] !== 'write') {
    runnerEnv = { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined };
    return;
  }
  await world.gh.addIdTokenRequest({
    requestToken: ID_TOKEN_REQUEST_TOKEN,
    claims: { repository: REPOSITORY, ...(environment ? { environment } : {}) },
  });
  world.secrets['OIDC request token'] = ID_TOKEN_REQUEST_TOKEN;
  runnerEnv = {
    ACTIONS_ID_TOKEN_REQUEST_URL: world.github.oidc.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: ID_TOKEN_REQUEST_TOKEN,
  };
}

/** The runner's environment for the job, set by provisionGitHub from the workflow's permissions. */
let runnerEnv: Record<string, string | undefined> = {};

/** Runs the action step as the runner would, in the job's environment. */
function runStep(inputs: Record<string, string>, files: Record<string, string> = {}): Promise<ActionRun> {
  return world.run(inputs, { env: runnerEnv, files });
}

/** A service user as it exists before the workflow runs: TYPE = SERVICE, its key set two days ago. */
async function existingServiceUser(world: World, user: string, key: TestKey): Promise<void> {
  await world.sf.clock(-TWO_DAYS_MS);
  await world.sf.sql(`CREATE USER ${user} TYPE = SERVICE RSA_PUBLIC_KEY = '${key.publicBody}'`);
  await world.sf.clock(0);
}

const fingerprintOfPem = (pem: string): string =>
  parsePrivateKey(pem, undefined, { key: 'stored', passphrase: 'n/a' }).fingerprint;

function concurrencyGroup(value: Job['concurrency'] | undefined, contexts: Contexts, where: string): string {
  const group = typeof value === 'object' ? value.group : (value ?? '');
  return substitute(group, contexts, where);
}

/** Every `steps.<id>.outputs.<name>` that later steps read from the action step is an output the run set. */
function expectOutputsTheWorkflowReads(ex: Example, run: ActionRun, contexts: Contexts): void {
  if (!ex.step.id) return;
  const text = JSON.stringify(ex.job.steps.slice(ex.job.steps.indexOf(ex.step) + 1));
  const read = [...text.matchAll(new RegExp(`steps\\.${ex.step.id}\\.outputs\\.([A-Za-z0-9_-]+)`, 'g'))].map(
    (m) => m[1] ?? '',
  );
  for (const name of read) expect(run.outputs[name]).toMatch(/./);
  // And the step's `env:` blocks resolve with those outputs (nothing else unresolvable).
  const withOutputs = {
    ...contexts,
    steps: { ...(contexts.steps as object), [ex.step.id]: { outputs: run.outputs } },
  };
  for (const later of ex.job.steps.slice(ex.job.steps.indexOf(ex.step) + 1)) {
    for (const [name, raw] of Object.entries(later.env ?? {})) {
      expect(substitute(String(raw), withOutputs, `${ex.file} env.${name}`)).toMatch(/./);
    }
  }
}

let world: World;

beforeEach(async () => {
  runnerEnv = {};
  world = await World.start();
});

afterEach(async () => {
  await world.close();
});

test('every file in examples/workflows/ is replayed here', () => {
  expect(readdirSync(DIRECTORY).sort()).toEqual([
    'rotate-matrix.yml',
    'scheduled-rotation.yml',
    'setup-first-deploy.yml',
    'verify-pr.yml',
  ]);
});

test('an expression the table cannot fill in fails the replay', () => {
  const contexts = { secrets: { A: 'a' }, matrix: { secret: 'A' } };
  expect(substitute('${{ secrets[matrix.secret] }}-${{ secrets.A }}', contexts, 'x')).toBe('a-a');
  expect(() => substitute('${{ secrets.B }}', contexts, 'x')).toThrow(/no value for secrets\.B/);
  expect(() => substitute('${{ vars.X }}', contexts, 'x')).toThrow(/context 'vars'/);
  expect(() => substitute("${{ secrets.A || 'b' }}", contexts, 'x')).toThrow(/not a property access/);
});

test('scheduled-rotation.yml: the key is rotated by workload identity, the new key stored and logging in, the old one kept', async () => {
  const ex = example('scheduled-rotation.yml');
  const target = String(ex.step.with?.['target-user']);
  const firstKey = newKey();
  world.secrets['first service key'] = firstKey.pem;
  await existingServiceUser(world, target, firstKey);
  for (const sql of headerSql(ex, { 'MY-ORG/MY-REPO': REPOSITORY })) await world.sf.sql(sql);
  await provisionGitHub(world, ex);

  // What the workflow promises around the step: a schedule, by hand too, one queue per rotated user.
  expect(Object.keys(ex.workflow.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
  expect(ex.workflow.concurrency).toEqual({ group: `snowflake-key-${target}`, 'cancel-in-progress': false });
  expect(ex.workflow.permissions).toEqual({ contents: 'read', 'id-token': 'write' });

  const contexts: Contexts = {
    vars: { SNOWFLAKE_ACCOUNT: world.snowflake.account },
    secrets: { SNOWFLAKE_PRIVATE_KEY: firstKey.pem },
    steps: { app: { outputs: { token: WRITER_TOKEN } } },
  };
  const run = await runStep(stepInputs(ex, contexts, world));
  expect(run.errors).toEqual([]);
  expect(run.exitCode).toBe(0);
  const secretName = String(ex.step.with?.['secret-name']);
  const stored = (await world.secretValue(secretName)) ?? '';
  expect(run.outputs).toMatchObject({
    user: target,
    fingerprint: fingerprintOfPem(stored),
    'previous-fingerprint': fingerprintOf(firstKey.publicBody),
    changed: 'true',
    'secrets-written': `repository:${REPOSITORY}:${secretName}`,
  });
  expect(await world.login(target, stored)).toBe('ok');
  expect(await world.login(target, firstKey.pem)).toBe('ok');
  // The rotator logged in with the job's OIDC token: no Snowflake secret in the workflow.
  expect(
    (await world.sf.log()).filter((e) => e.kind === 'login' && e.ok).map((e) => e.authenticator),
  ).toContain('WORKLOAD_IDENTITY');
  expectOutputsTheWorkflowReads(ex, run, contexts);
  expectNoLeaks(run, world.secrets);
});

/** The setup example's world and replayed step; `dryRun` is the workflow_dispatch input. */
async function replaySetup(
  dryRun: string,
): Promise<{ ex: Example; run: ActionRun; files: Record<string, string> }> {
  const ex = example('setup-first-deploy.yml');
  const spec = String(ex.step.with?.spec);
  const files = { [spec]: readFileSync(join(REPO_ROOT, 'examples', 'segment-reverse-etl.yml'), 'utf8') };
  const contexts: Contexts = {
    vars: { SNOWFLAKE_ACCOUNT: world.snowflake.account },
    secrets: { SNOWFLAKE_PROVISIONER_KEY: world.secrets['provisioner key'] },
    steps: { app: { outputs: { token: WRITER_TOKEN } } },
    inputs: { 'dry-run': dryRun },
  };
  const run = await runStep(stepInputs(ex, contexts, world), files);
  return { ex, run, files };
}

async function provisionSetup(): Promise<Example> {
  const ex = example('setup-first-deploy.yml');
  const provisionerKey = newKey();
  world.secrets['provisioner key'] = provisionerKey.pem;
  for (const sql of headerSql(ex, { 'MIIB...': provisionerKey.publicBody })) await world.sf.sql(sql);
  await provisionGitHub(world, ex);
  return ex;
}

test('setup-first-deploy.yml: by hand, behind the production environment; the dry run changes nothing, the run creates the spec and stores the first key, a second run changes nothing', async () => {
  const ex = await provisionSetup();
  expect(Object.keys(ex.workflow.on)).toEqual(['workflow_dispatch']);
  expect(ex.job.environment).toBe('production');
  expect(ex.workflow.permissions).toEqual({ contents: 'read' });
  const dispatchInputs = (
    ex.workflow.on.workflow_dispatch as { inputs: Record<string, { default: unknown }> }
  ).inputs;

  // As dispatched with the defaults: a dry run.
  await world.sf.clearLog();
  const dry = await replaySetup(String(dispatchInputs['dry-run']?.default));
  expect(dry.run.errors).toEqual([]);
  expect(dry.run.outputs.changed).toBe('false');
  expect(await world.changes()).toEqual([]);
  expect(await world.gh.secrets()).toEqual([]);
  expectNoLeaks(dry.run, world.secrets);

  const { run } = await replaySetup('false');
  expect(run.errors).toEqual([]);
  expect(run.exitCode).toBe(0);
  expect(run.outputs.changed).toBe('true');
  expect(await world.sf.sql("SHOW DATABASES LIKE 'SEGMENT_REVERSE_ETL'")).toHaveLength(1);
  expect(await world.sf.sql("SHOW WAREHOUSES LIKE 'SEGMENT_REVERSE_ETL'")).toHaveLength(1);
  expect(await world.sf.sql("SHOW USERS LIKE 'SEGMENT_REVERSE_ETL_USER'")).toEqual([
    expect.objectContaining({
      type: 'SERVICE',
      default_role: 'SEGMENT_REVERSE_ETL',
      has_rsa_public_key: 'true',
    }),
  ]);
  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
  expect(fingerprintOfPem(stored)).toBe(run.outputs.fingerprint);
  // The user's network policy admits Segment's addresses only (hence `verify-login: false`): log in from one.
  await world.sf.clientIp('52.25.130.38');
  expect(await world.login('SEGMENT_REVERSE_ETL_USER', stored)).toBe('ok');
  await world.sf.clientIp(null);
  expectNoLeaks(run, world.secrets);

  const again = await replaySetup('false');
  expect(again.run.errors).toEqual([]);
  expect(again.run.outputs.changed).toBe('false');
  expectNoLeaks(again.run, world.secrets);
});

test('verify-pr.yml: on pull requests that touch the spec, its key behind an environment, changing nothing: clean passes; a revoked grant fails with drift 1 and an annotation on the spec line', async () => {
  await provisionSetup();
  const setup = await replaySetup('false');
  expect(setup.run.errors).toEqual([]);

  const ex = example('verify-pr.yml');
  const spec = String(ex.step.with?.spec);
  const pullRequest = ex.workflow.on.pull_request as { paths: string[] };
  expect(pullRequest.paths).toEqual([spec]);
  // KEY_AUDITOR needs MANAGE GRANTS and its users' owner: the key is only used after a reviewer approves.
  expect(ex.job.environment).toBe('snowflake-audit');
  expect(ex.workflow.on).not.toHaveProperty('pull_request_target');
  expect(ex.workflow.permissions).toEqual({ contents: 'read' });
  expect(ex.job.permissions).toBeUndefined();
  const auditorKey = newKey();
  world.secrets['auditor key'] = auditorKey.pem;
  for (const sql of headerSql(ex, { 'MIIB...': auditorKey.publicBody })) await world.sf.sql(sql);

  const contexts: Contexts = {
    vars: { SNOWFLAKE_ACCOUNT: world.snowflake.account },
    secrets: { SNOWFLAKE_AUDITOR_KEY: auditorKey.pem },
  };
  const verify = async (): Promise<ActionRun> => {
    await world.sf.clearLog();
    const run = await runStep(stepInputs(ex, contexts, world), setup.files);
    // It only reads.
    expect(await world.changes()).toEqual([]);
    expectNoLeaks(run, world.secrets);
    return run;
  };

  const clean = await verify();
  expect(clean.errors).toEqual([]);
  expect(clean.exitCode).toBe(0);
  expect(clean.outputs).toMatchObject({ drift: '0', changed: 'false' });

  await world.sf.sql('REVOKE USAGE ON WAREHOUSE SEGMENT_REVERSE_ETL FROM ROLE SEGMENT_REVERSE_ETL');
  const drifted = await verify();
  expect(drifted.exitCode).toBe(1);
  expect(drifted.outputs.drift).toBe('1');
  const specText = setup.files[spec] ?? '';
  // The line of the spec that declares the revoked privilege: `privileges: [USAGE]` under `on: warehouse`.
  const specLines = specText.split('\n');
  const warehouseGrant = specLines.findIndex((line) => /on: warehouse/.test(line));
  const warehouseGrantLine =
    specLines.findIndex((line, i) => i > warehouseGrant && /privileges: \[USAGE\]/.test(line)) + 1;
  expect(warehouseGrantLine).toBeGreaterThan(0);
  // The runner turns this into an annotation on the spec's line in the pull request's diff.
  expect(drifted.visibleLog).toMatch(
    new RegExp(
      `^::error title=[^\\n]*file=${spec.replace('.', '\\.')},line=${warehouseGrantLine}[,:][^\\n]*GRANT USAGE ON WAREHOUSE`,
      'm',
    ),
  );
});

test('rotate-matrix.yml: one job per user, one concurrency group per user; each user rotated into its own secret', async () => {
  const ex = example('rotate-matrix.yml');
  const entries = ex.job.strategy?.matrix?.include ?? [];
  expect(entries.length).toBeGreaterThan(1);
  expect(ex.job.strategy?.['fail-fast']).toBe(false);
  expect(ex.workflow.permissions).toEqual({ contents: 'read' });
  const rotatorKey = newKey();
  world.secrets['rotator key'] = rotatorKey.pem;
  const firstKeys: Record<string, TestKey> = {};
  for (const entry of entries) {
    const key = newKey();
    firstKeys[String(entry.secret)] = key;
    world.secrets[`first key of ${entry.user}`] = key.pem;
    await existingServiceUser(world, String(entry.user), key);
  }
  const sql = headerSql(ex, { 'MIIB...': rotatorKey.publicBody });
  // The header grants the rotator's role every user of the matrix.
  for (const entry of entries)
    expect(sql).toContain(
      `GRANT OWNERSHIP ON USER ${entry.user} TO ROLE KEY_ROTATOR_ROLE COPY CURRENT GRANTS`,
    );
  for (const statement of sql) await world.sf.sql(statement);
  await provisionGitHub(world, ex);

  const groups = new Set<string>();
  for (const entry of entries) {
    const contexts: Contexts = {
      vars: { SNOWFLAKE_ACCOUNT: world.snowflake.account },
      secrets: {
        KEY_ROTATOR_PRIVATE_KEY: rotatorKey.pem,
        ...Object.fromEntries(Object.entries(firstKeys).map(([name, key]) => [name, key.pem])),
      },
      steps: { app: { outputs: { token: WRITER_TOKEN } } },
      matrix: entry,
    };
    const user = String(entry.user);
    const group = concurrencyGroup(ex.job.concurrency, contexts, `${ex.file} concurrency`);
    expect(group).toBe(`snowflake-key-${user}`);
    expect(ex.job.concurrency).toMatchObject({ 'cancel-in-progress': false });
    groups.add(group);

    const run = await runStep(stepInputs(ex, contexts, world));
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    const stored = (await world.secretValue(String(entry.secret))) ?? '';
    expect(run.outputs).toMatchObject({
      user,
      fingerprint: fingerprintOfPem(stored),
      'previous-fingerprint': fingerprintOf(firstKeys[String(entry.secret)]?.publicBody ?? ''),
      'secrets-written': `repository:${REPOSITORY}:${entry.secret}`,
    });
    expect(await world.login(user, stored)).toBe('ok');
    expect(await world.login(user, firstKeys[String(entry.secret)]?.pem ?? '')).toBe('ok');
    expectNoLeaks(run, world.secrets);
  }
  expect(groups.size).toBe(entries.length);
  expect((await world.gh.secrets()).map((s) => s.name).sort()).toEqual(
    entries.map((e) => String(e.secret)).sort(),
  );
});
