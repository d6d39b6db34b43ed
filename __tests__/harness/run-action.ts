import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Leak, findLeaks, placesOf } from './leak-scan.js';

/**
 * Runs the bundled action the way the Actions runner does: `node dist/index.js` with inputs as `INPUT_*`
 * variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, GITHUB_API_URL, GITHUB_REPOSITORY, the OIDC request
 * variables, a fresh workspace as the working directory and a separate RUNNER_TEMP; HOME and TMPDIR are fresh
 * directories too, so that nothing the run writes escapes the scan.
 *
 * Every run is scanned for leaks (leak-scan.ts) before it is returned: for what the run itself masked,
 * private-key PEM blocks and signed JWTs, and for the secrets the caller names. A leak fails the test at once
 * (unless the run is `plantedLeaks`) and is written to the suite's leak ledger (LEAK_LEDGER, set up by
 * leak-ledger-setup.cjs), whose teardown prints the count over the whole run and fails it when it is not zero.
 */

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ACTION_ENTRY = join(REPO_ROOT, 'dist', 'index.js');

export interface RunOptions {
  inputs: Record<string, string | undefined>;
  /** Extra or overriding environment (GITHUB_API_URL, GITHUB_REPOSITORY, ACTIONS_ID_TOKEN_REQUEST_*, ...). */
  env?: Record<string, string | undefined>;
  /** Files to place in the workspace before the run (path relative to the workspace -> content). */
  files?: Record<string, string>;
  /**
   * Shapes the workspace after `files` are placed and before the run: what plain files cannot express (symbolic
   * links, named pipes, directories). What it makes is not scanned unless it is a regular file.
   */
  prepareWorkspace?: (workspace: string) => Promise<void>;
  /** The node binary; E2E_NODE selects another one (CI runs the suite again on Node 24). */
  node?: string;
  /** The script to run instead of dist/index.js (the leak scan's own test uses this). */
  entry?: string;
  /**
   * Run the action from source instead of dist/index.js, the way @github/local-action (the toolkit's way to
   * debug an action) runs one: TypeScript through tsx, an entry that imports src/main.ts's run() and calls it,
   * with nothing imported before it (run-from-source.ts).
   */
  fromSource?: boolean;
  timeoutMs?: number;
  /**
   * Start reading the process's stdout only after this long, as a busy runner may: what the process writes
   * meanwhile waits in the pipe, and must still arrive whole when the process ends.
   */
  readDelayMs?: number;
  /**
   * Preload egress-hook.cjs (`node --require`), which records every outbound TCP connection attempt and DNS
   * lookup of the action's process into `ActionRun.connections`. It observes only; behaviour is unchanged.
   */
  recordConnections?: boolean;
  /**
   * Secrets the run may have seen (label -> value), scanned for in every form the masker knows, on top of what
   * is found without them. Labels appear in leak reports and the ledger; values never do.
   */
  secrets?: Record<string, string | undefined>;
  /**
   * The run leaks on purpose (the leak scan's own tests): its leaks are returned in `leaks` instead of failing
   * the test, and the ledger counts them as planted, apart from the suite's leaks. A planted run in which the
   * scan finds nothing fails instead: the scan would be blind.
   */
  plantedLeaks?: boolean;
}

/** One network operation of the action's process, as recorded by egress-hook.cjs. */
export interface Connection {
  /** `connect`: a TCP connection attempt; `lookup`: dns.lookup; `resolve`: dns.resolve*. */
  kind: 'connect' | 'lookup' | 'resolve';
  /** The host as the caller named it (a name or an address); `unix:<path>` for a Unix socket. */
  host: string;
  /** For `connect` over TCP: the port. */
  port?: number;
}

/** The preload that records connections (CommonJS, so that `node --require` loads it before any ESM). */
export const EGRESS_HOOK = join(REPO_ROOT, '__tests__', 'harness', 'egress-hook.cjs');

/** The entry of a run from source (RunOptions.fromSource), and tsx's loader, by path: the run's cwd is elsewhere. */
export const SOURCE_ENTRY = join(REPO_ROOT, '__tests__', 'harness', 'run-from-source.ts');
const TSX_LOADER = createRequire(import.meta.url).resolve('tsx');

export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Every file in the workspace after the run, with its content (files placed by the test included). */
  workspaceFiles: Record<string, string>;
  /** Every file under RUNNER_TEMP after the run (the JSON report lands there). */
  tempFiles: Record<string, string>;
  /** Every file under the run's HOME and TMPDIR (the action should leave none). */
  homeFiles: Record<string, string>;
  tmpdirFiles: Record<string, string>;
  /** `::error::` lines, unescaped. */
  errors: string[];
  warnings: string[];
  /** Lines a user sees in the log: stdout without the runner's `::add-mask::` commands. */
  visibleLog: string;
  /** Every value the run registered with `::add-mask::`, unescaped, in order. */
  masked: string[];
  /** With `recordConnections`: every connection attempt and DNS lookup, in order; otherwise empty. */
  connections: Connection[];
  /** What the scan found (always empty unless `plantedLeaks`: a leak otherwise throws). */
  leaks: Leak[];
}

/** Where a run happens: a fresh workspace, RUNNER_TEMP, HOME and TMPDIR under one temporary root. */
interface RunDirectories {
  root: string;
  workspace: string;
  runnerTemp: string;
  home: string;
  processTmp: string;
  outputFile: string;
  summaryFile: string;
  /** Outside the workspace and RUNNER_TEMP, so that the recording is not taken for something the action wrote. */
  egressFile: string;
}

function runDirectories(root: string): RunDirectories {
  const runnerTemp = join(root, 'runner-temp');
  return {
    root,
    workspace: join(root, 'workspace'),
    runnerTemp,
    home: join(root, 'home'),
    processTmp: join(root, 'tmp'),
    outputFile: join(runnerTemp, '_runner_file_commands', 'set_output'),
    summaryFile: join(runnerTemp, '_runner_file_commands', 'step_summary'),
    egressFile: join(root, 'egress.jsonl'),
  };
}

/** Makes the directories and the runner's files, and places the test's files in the workspace. */
async function prepareDirectories(dirs: RunDirectories, options: RunOptions): Promise<void> {
  for (const dir of [dirs.workspace, dirname(dirs.outputFile), dirs.home, dirs.processTmp])
    await mkdir(dir, { recursive: true });
  await writeFile(dirs.outputFile, '');
  await writeFile(dirs.summaryFile, '');
  for (const [path, content] of Object.entries(options.files ?? {})) {
    await mkdir(dirname(join(dirs.workspace, path)), { recursive: true });
    await writeFile(join(dirs.workspace, path), content);
  }
  await options.prepareWorkspace?.(dirs.workspace);
  if (options.recordConnections) await writeFile(dirs.egressFile, '');
}

/** The environment the runner gives a step: its variables, the inputs as INPUT_*, then the caller's. */
function runnerEnvironment(dirs: RunDirectories, options: RunOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // Not the developer's home: whatever a library caches there (~/.snowflake, ~/.cache) is scanned.
    HOME: dirs.home,
    TMPDIR: dirs.processTmp,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: dirs.workspace,
    RUNNER_TEMP: dirs.runnerTemp,
    GITHUB_OUTPUT: dirs.outputFile,
    GITHUB_STEP_SUMMARY: dirs.summaryFile,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_API_URL: 'https://api.github.invalid',
  };
  for (const [name, value] of Object.entries(options.inputs)) {
    if (value !== undefined) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  if (options.recordConnections) env.EGRESS_RECORD_FILE = dirs.egressFile;
  return env;
}

/** Everything the run left: its streams, outputs, summary, workflow commands and every file it wrote. */
async function collectRun(
  dirs: RunDirectories,
  options: RunOptions,
  { exitCode, stdout, stderr }: { exitCode: number | null; stdout: string; stderr: string },
): Promise<ActionRun> {
  const workspaceFiles = await readTree(dirs.workspace);
  // What the test placed is not the action's doing, unless the action changed it.
  for (const [path, content] of Object.entries(options.files ?? {})) {
    if (workspaceFiles[path] === content) delete workspaceFiles[path];
  }
  const tempFiles = await readTree(dirs.runnerTemp);
  delete tempFiles[relative(dirs.runnerTemp, dirs.outputFile)];
  delete tempFiles[relative(dirs.runnerTemp, dirs.summaryFile)];
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(dirs.outputFile, 'utf8')),
    summary: await readFile(dirs.summaryFile, 'utf8'),
    workspaceFiles,
    tempFiles,
    homeFiles: await readTree(dirs.home),
    tmpdirFiles: await readTree(dirs.processTmp),
    errors: commandLines(stdout, 'error'),
    warnings: commandLines(stdout, 'warning'),
    visibleLog: stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n'),
    masked: commandLines(stdout, 'add-mask'),
    connections: options.recordConnections ? parseConnections(await readFile(dirs.egressFile, 'utf8')) : [],
    leaks: [],
  };
}

/** Scans the run, records it in the ledger, and throws on a leak (or on a planted leak not found). */
function scanForLeaks(run: ActionRun, entry: string, options: RunOptions): void {
  run.leaks = findLeaks(run, options.secrets ?? {});
  recordInLedger(entry, placesOf(run).length, run.leaks, options.plantedLeaks ?? false);
  if (options.plantedLeaks) {
    // A planted leak the scan does not find means the scan is blind, and every "no leak" proves nothing.
    if (run.leaks.length === 0) throw new Error(`The leak planted by ${basename(entry)} was not found`);
  } else if (run.leaks.length > 0) {
    throw new Error(
      `Secrets leaked by ${relative(REPO_ROOT, entry)}:\n${run.leaks.map((leak) => `- ${leak.what} in ${leak.where}`).join('\n')}`,
    );
  }
}

export async function runAction(options: RunOptions): Promise<ActionRun> {
  const dirs = runDirectories(await mkdtemp(join(tmpdir(), 'action-run-')));
  const entry = options.entry ?? (options.fromSource ? SOURCE_ENTRY : ACTION_ENTRY);
  let run: ActionRun;
  try {
    await prepareDirectories(dirs, options);
    const env = runnerEnvironment(dirs, options);
    const node = options.node ?? process.env.E2E_NODE ?? process.execPath;
    const result = await spawnCollect(
      node,
      [
        ...(options.recordConnections ? ['--require', EGRESS_HOOK] : []),
        ...(options.fromSource ? ['--import', TSX_LOADER] : []),
        entry,
      ],
      dirs.workspace,
      env,
      options.timeoutMs ?? 120_000,
      options.readDelayMs ?? 0,
    );
    run = await collectRun(dirs, options, result);
  } finally {
    await rm(dirs.root, { recursive: true, force: true });
  }
  scanForLeaks(run, entry, options);
  return run;
}

/** One line of the leak ledger: a run, where it was made, how much was scanned, what leaked (never the values). */
export interface LedgerRecord {
  /** The test file, relative to the repository. */
  file: string;
  test?: string;
  /** `dist/index.js`, or the name of the test's own script. */
  entry: string;
  places: number;
  leaks: Leak[];
  planted: boolean;
}

/** The environment variable naming the suite's ledger file (one JSON line per run, from every Jest worker). */
export const LEAK_LEDGER_VARIABLE = 'LEAK_LEDGER';

function recordInLedger(entry: string, places: number, leaks: Leak[], planted: boolean): void {
  const ledger = process.env[LEAK_LEDGER_VARIABLE];
  if (!ledger) return;
  // Jest's `expect` is a global inside a test file only (scripts/demo.ts runs the harness too).
  const state = typeof expect === 'undefined' ? undefined : expect.getState();
  const record: LedgerRecord = {
    file: state?.testPath ? relative(REPO_ROOT, state.testPath) : 'unknown',
    test: state?.currentTestName,
    entry: entry === ACTION_ENTRY ? relative(REPO_ROOT, ACTION_ENTRY) : basename(entry),
    places,
    leaks,
    planted,
  };
  // One write of one line with O_APPEND: lines of concurrent workers do not interleave.
  appendFileSync(ledger, `${JSON.stringify(record)}\n`);
}

/** The runner's file-command format: `name<<DELIMITER\nvalue\nDELIMITER\n`. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    outputs[name ?? ''] = value.join('\n');
  }
  return outputs;
}

function parseConnections(text: string): Connection[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const entry = JSON.parse(line) as Connection & { path?: string };
      return entry.path === undefined ? entry : { kind: entry.kind, host: `unix:${entry.path}` };
    });
}

/** Undoes the escaping of workflow commands (`%25`, `%0D`, `%0A`). */
function commandLines(stdout: string, command: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(`::${command}`))
    .map((line) =>
      line
        .slice(line.indexOf('::', 2) + 2)
        .replace(/%0A/g, '\n')
        .replace(/%0D/g, '\r')
        .replace(/%25/g, '%'),
    );
}

async function readTree(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch {
    return files;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(root, path)] = await readFile(path, 'utf8');
  }
  return files;
}

function spawnCollect(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
  readDelayMs: number,
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    if (readDelayMs > 0) {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), readDelayMs);
    }
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolvePromise({ exitCode, stdout, stderr });
    });
  });
}
