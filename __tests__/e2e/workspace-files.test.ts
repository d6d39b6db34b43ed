import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectNoLeaks } from '../harness/leak-scan.js';
import type { ActionRun } from '../harness/run-action.js';
import { type TestKey, World, newKey } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * Every file the action reads comes from the workspace, which a pull request controls: `spec` is the one input
 * that names a file, and verify runs on pull requests. A file is read only when its real path is inside the
 * workspace, outside .git, a regular file and at most 1 MiB; otherwise the run fails before any request, names
 * the input and what the path is, and quotes nothing of what lies behind it. Each case runs dist/index.js
 * against the emulators and asserts the exit status, the one message, that neither Snowflake nor GitHub saw a
 * request (nothing changed), and that no line of the file behind the path reached anything the run wrote.
 */

const adminKey: TestKey = newKey();
const serviceKey: TestKey = newKey();

/** A line of a file outside the workspace: it must never be printed, whatever the link. */
const OUTSIDE_LINE = 'outside-the-workspace: runner-local-secret-5f1c9a2e';
/** What actions/checkout persists in .git/config: a token in an extra header. */
const CHECKOUT_TOKEN = 'eC1hY2Nlc3MtdG9rZW46Z2hzX2NoZWNrb3V0MDEyMzQ1Njc4OWFiY2RlZg==';
const GIT_CONFIG = [
  '[core]',
  '\trepositoryformatversion = 0',
  '[http "https://github.com/"]',
  `\textraheader = AUTHORIZATION: basic ${CHECKOUT_TOKEN}`,
  '',
].join('\n');
/** Valid as a spec: a link out of the workspace is refused for where it points, not for what it holds. */
const OUTSIDE_SPEC = `version: 1\n# ${OUTSIDE_LINE}\nroles:\n  - name: reader\n`;
/** A value in a workflow of the repository: not a spec, so none of it is quoted. */
const WORKFLOW_VALUE = 'ghp_workflowvalue0123456789abcdefABCDEF';
const VALID_SPEC = 'version: 1\nroles:\n  - name: reader\n';

let world: World;
let outside: string;

useProvisionedWorld((started) => ({ world } = started), {
  perFile: true,
  keys: { adminKey, firstKey: serviceKey },
  accountAdmin: true,
});

beforeAll(async () => {
  await world.sf.sql('CREATE ROLE READER');
  outside = mkdtempSync(join(tmpdir(), 'outside-workspace-'));
  writeFileSync(join(outside, 'access.yml'), OUTSIDE_SPEC);
  writeFileSync(join(outside, 'notes.txt'), `${OUTSIDE_LINE}\nsecond line\n`);
  mkdirSync(join(outside, 'dir'));
  writeFileSync(join(outside, 'dir', 'access.yml'), OUTSIDE_SPEC);
});

afterAll(() => {
  rmSync(outside, { recursive: true, force: true });
});

interface Case {
  title: string;
  spec: string;
  mode?: 'verify' | 'setup';
  files?: Record<string, string>;
  prepare?: (workspace: string) => void;
  /** What the message says the path is. */
  problem: string;
}

const link = (target: string | (() => string), path: string) => (workspace: string) => {
  const resolved = typeof target === 'string' ? target : target();
  mkdirSync(join(workspace, path, '..'), { recursive: true });
  symlinkSync(resolved, join(workspace, path));
};

const refused: Case[] = [
  {
    title: 'a link to a file outside, by absolute path',
    spec: 'snowflake/access.yml',
    prepare: link(() => join(outside, 'access.yml'), 'snowflake/access.yml'),
    problem: 'which is a symbolic link to a file outside the workspace',
  },
  {
    title: 'a link to a non-YAML file outside (the reported case: its first line was quoted)',
    spec: 'access.yml',
    prepare: link(() => join(outside, 'notes.txt'), 'access.yml'),
    problem: 'which is a symbolic link to a file outside the workspace',
  },
  {
    title: 'a relative link climbing out of the workspace',
    spec: 'access.yml',
    prepare: (workspace) => {
      writeFileSync(join(workspace, '..', 'beside.yml'), OUTSIDE_SPEC);
      symlinkSync('../beside.yml', join(workspace, 'access.yml'));
    },
    problem: 'which is a symbolic link to a file outside the workspace',
  },
  {
    title: 'a linked directory on the way to the file',
    spec: 'snowflake/access.yml',
    prepare: link(() => join(outside, 'dir'), 'snowflake'),
    problem: 'which is a symbolic link to a file outside the workspace',
  },
  {
    title: 'a chain of links, the last leaving the workspace',
    spec: 'access.yml',
    prepare: (workspace) => {
      symlinkSync(join(outside, 'access.yml'), join(workspace, 'second.yml'));
      symlinkSync('second.yml', join(workspace, 'access.yml'));
    },
    problem: 'which is a symbolic link to a file outside the workspace',
  },
  {
    title: 'a link to a device (/dev/zero would flood the run)',
    spec: 'access.yml',
    prepare: link('/dev/zero', 'access.yml'),
    problem: 'which is a symbolic link to a file outside the workspace',
  },
  {
    title: "a link to the runner's process environment",
    spec: 'access.yml',
    prepare: link('/proc/self/environ', 'access.yml'),
    problem: 'which is a symbolic link to a file outside the workspace',
  },
  {
    title: 'a named pipe (a FIFO would hang the run)',
    spec: 'access.yml',
    prepare: (workspace) => execFileSync('mkfifo', [join(workspace, 'access.yml')]),
    problem: 'which is a named pipe (FIFO), not a regular file',
  },
  {
    title: 'a directory',
    spec: 'snowflake',
    files: { 'snowflake/access.yml': VALID_SPEC },
    problem: 'which is a directory, not a regular file',
  },
  {
    title: "Git's config, which holds the token actions/checkout persisted",
    spec: '.git/config',
    files: { '.git/config': GIT_CONFIG },
    problem: '.git), which holds the credentials actions/checkout persists and is never an access spec',
  },
  {
    title: 'a link into .git',
    spec: 'access.yml',
    files: { '.git/config': GIT_CONFIG },
    prepare: link('.git/config', 'access.yml'),
    problem: 'which is a link into .git',
  },
  {
    title: '.GIT in another case (the same directory on a case-insensitive file system)',
    spec: '.GIT/config',
    files: { '.GIT/config': GIT_CONFIG },
    problem: '.git), which holds the credentials actions/checkout persists',
  },
  {
    title: 'a file over the 1 MiB limit',
    spec: 'access.yml',
    files: { 'access.yml': `version: 1\n# ${'x'.repeat(1024 * 1024)}\n` },
    problem: 'which is larger than 1048576 bytes',
  },
  {
    title: 'setup: a link to a file outside',
    mode: 'setup',
    spec: 'access.yml',
    prepare: link(() => join(outside, 'access.yml'), 'access.yml'),
    problem: 'which is a symbolic link to a file outside the workspace',
  },
  {
    title: 'setup: a named pipe',
    mode: 'setup',
    spec: 'access.yml',
    prepare: (workspace) => execFileSync('mkfifo', [join(workspace, 'access.yml')]),
    problem: 'which is a named pipe (FIFO), not a regular file',
  },
];

function inputs(mode: 'verify' | 'setup', spec: string): Record<string, string | undefined> {
  return world.specInputs(adminKey, mode, spec);
}

async function runCase(c: Pick<Case, 'mode' | 'spec' | 'files' | 'prepare'>): Promise<ActionRun> {
  await world.sf.clearLog();
  await world.gh.clearLog();
  return world.run(inputs(c.mode ?? 'verify', c.spec), {
    files: c.files,
    prepareWorkspace: async (workspace) => c.prepare?.(workspace),
    secrets: {
      'outside line': OUTSIDE_LINE,
      'checkout token': CHECKOUT_TOKEN,
      'workflow value': WORKFLOW_VALUE,
    },
    // A FIFO that were opened would block until this kills the run.
    timeoutMs: 60_000,
  });
}

test.each(refused.map((c) => [c.title, c] as const))('refused: %s', async (_title, c) => {
  const run = await runCase(c);

  expect(run.exitCode).toBe(1);
  expect(run.errors).toHaveLength(1);
  const message = run.errors[0] ?? '';
  expect(message).toContain(`Input 'spec' names ${c.spec}, `);
  expect(message).toContain(c.problem);
  expect(run.stdout).toContain('::error title=Invalid input::');
  // Nothing was asked of Snowflake or GitHub, so nothing changed.
  expect((await world.sf.log()).filter((entry) => entry.via === 'sdk')).toEqual([]);
  expect(await world.gh.log()).toEqual([]);
  expect(await world.gh.secrets()).toEqual([]);
  expect(run.outputs.changed ?? 'false').toBe('false');
  // Nothing behind the path, nor where it points, is shown.
  expect(run.stdout).not.toContain(outside);
  expect(run.summary).not.toContain('runner-local-secret');
  expectNoLeaks(run, { 'outside line': OUTSIDE_LINE, 'checkout token': CHECKOUT_TOKEN });
});

test('a YAML file of the repository that is not a spec is named, not quoted', async () => {
  const workflow = [
    'name: deploy',
    'env:',
    `  DEPLOY_TOKEN: ${WORKFLOW_VALUE}`,
    'jobs:',
    '  deploy:',
    '    runs-on: ubuntu-latest',
    '',
  ].join('\n');
  const run = await runCase({
    spec: '.github/workflows/deploy.yml',
    files: { '.github/workflows/deploy.yml': workflow },
  });

  expect(run.exitCode).toBe(1);
  const failure = run.errors.find((error) => error.includes("'version: 1' is required at the top level"));
  expect(failure).toBeDefined();
  // Neither its fields nor their values are quoted back.
  expect(run.stdout).not.toContain('DEPLOY_TOKEN');
  expect(run.stdout).not.toContain('runs-on');
  expect((await world.sf.log()).filter((entry) => entry.via === 'sdk')).toEqual([]);
  expectNoLeaks(run, { 'workflow value': WORKFLOW_VALUE });
});

test('a link inside the workspace to a spec inside it is read, and annotated on the file it names', async () => {
  const run = await runCase({
    spec: 'access.yml',
    files: { 'snowflake/real.yml': 'version: 1\nroles:\n  - name: reader\n  - name: missing_role\n' },
    prepare: link('snowflake/real.yml', 'access.yml'),
  });

  // The spec was read: verify ran, found READER and reported MISSING_ROLE on line 4 of the linked file.
  expect(run.exitCode).toBe(1);
  expect(run.stdout).toMatch(
    /^::error title=Snowflake role MISSING_ROLE,file=snowflake\/real\.yml,line=4::/m,
  );
  expect(run.outputs.drift).toBe('1');
  expect(await world.changes()).toEqual([]);
});

test('a docker-compose file, which has a version of its own, is named, not quoted', async () => {
  const compose = [
    "version: '3.8'",
    'services:',
    '  db:',
    '    environment:',
    `      POSTGRES_PASSWORD: ${WORKFLOW_VALUE}`,
    '',
  ].join('\n');
  const run = await runCase({ spec: 'docker-compose.yml', files: { 'docker-compose.yml': compose } });

  expect(run.exitCode).toBe(1);
  expect(run.errors.some((error) => error.includes("'version: 1' is required at the top level"))).toBe(true);
  expect(run.stdout).not.toContain('services');
  expect(run.stdout).not.toContain('3.8');
  expect((await world.sf.log()).filter((entry) => entry.via === 'sdk')).toEqual([]);
  expectNoLeaks(run, { 'compose value': WORKFLOW_VALUE });
});
