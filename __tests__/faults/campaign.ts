import { parsePrivateKey } from '../../src/keys.js';
import type { ActionRun } from '../harness/run-action.js';
import { World } from '../harness/world.js';

/**
 * The fault campaign (issue 7). For each mode, one normal run is made first and every request it makes is
 * read back from the emulators' logs: each Snowflake login (by user) and statement (by its SQL text and
 * occurrence), and each GitHub request (`METHOD /path` and occurrence). Then, for every such request and
 * every fault that applies to it, a fresh World runs the same job once with that fault injected on exactly
 * that request, and the invariants are checked:
 *   a. the key in every destination logs in (no secret yet: the key consumers held before still does);
 *   b. Snowflake holds no key that no destination holds, except after a write whose outcome is unknown, or
 *      when Snowflake stopped answering before the roll-back could run (the error names the key and the fix);
 *   c. a failed run exits non-zero with an error that names the failing step;
 *   d. a run without the fault completes the job;
 *   e. nothing leaked, in either run (the harness scans every run, and a leak fails the row);
 *   f. a secret write is settled by the secret's metadata when it can be: answered with a 5xx on every
 *      attempt without GitHub storing the value, the run fails with every destination `failed` (so b holds
 *      with Snowflake rolled back, not as an unknown outcome); stored, its reply lost (5xx, reset, stall), the
 *      run completes;
 *   plus what a mode promises on its own (verify: changes nothing and never reports drift it did not find).
 * New requests of the action are covered automatically: the list is derived, not written down.
 */

/** Shortened waits, so that a request that never answers costs seconds: read by src/inputs/snowflake-login.ts and src/inputs/key-install.ts. */
export const RUN_ENV = {
  SNOWFLAKE_KEYPAIR_ACTION_STATEMENT_DEADLINE_MS: '5000',
  SNOWFLAKE_KEYPAIR_ACTION_GITHUB_TIMEOUT_MS: '2000',
};
/** The stall: longer than every one of the action's waits (login 8 s, statement and GitHub as above). */
const STALL_MS = 30_000;
/** A plausible Snowflake error for a statement: 000603 (SQL execution internal error). */
const SQL_ERROR_CODE = '000603';
/** A public key in SQL: long base64. It differs in every run, so statements are matched with it left open. */
const KEY_LITERAL = /'[A-Za-z0-9+/=]{40,}'/g;

export type Mode = 'rotate' | 'setup' | 'verify';

/** A key-holding service user and where its private key is kept. */
export interface KeyedUser {
  user: string;
  secretName: string;
  /** The private key consumers held before the run (rotate), if any. */
  heldBefore?: string;
}

/** A job the campaign runs: how to build its world, its inputs, and its re-run. */
export interface Scenario {
  mode: Mode;
  /** Provisions a fresh World for one run (the same state every time). */
  prepare(world: World): Promise<Prepared>;
}

export interface Prepared {
  inputs: Record<string, string | undefined>;
  files?: Record<string, string>;
  keyed: KeyedUser[];
  /** The inputs of the clean re-run, given what each destination holds now (by user). */
  rerunInputs(held: Map<string, string | undefined>): Record<string, string | undefined>;
}

export interface Target {
  service: 'snowflake' | 'github';
  kind: 'login' | 'query' | 'request';
  /** Whether the request changes something (a lost reply then leaves its work done). */
  writes: boolean;
  /** What a reader sees in the table. */
  label: string;
  /** The fault's `match`: anchored and regex-escaped. */
  match: string;
  /** How many identical requests come before this one in the normal run. */
  occurrence: number;
}

export interface FaultSpec {
  label: string;
  action: 'http-500' | 'http-503' | 'reset' | 'delay' | 'sql-error' | 'session-expired';
  after?: boolean;
  /** Only for faults the client does not retry; otherwise the fault stays, so retries cannot hide it. */
  times?: number;
  code?: string;
  delayMs?: number;
}

export interface Row {
  mode: Mode;
  target: Target;
  fault: FaultSpec;
}

export interface RowResult {
  outcome: string;
  failures: string[];
}

export interface Enumeration {
  mode: Mode;
  targets: Target[];
  /** The steps the normal run names in its log (`<step>: <decision>`). */
  steps: string[];
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const fingerprintOfPem = (pem: string): string =>
  parsePrivateKey(pem, undefined, { key: 'stored', passphrase: 'n/a' }).fingerprint;

const READ_ONLY_SQL = /^\s*(DESC|DESCRIBE|SHOW|SELECT|ALTER SESSION)\b/i;

/** Numbers each key's occurrences in order: the n-th identical request gets n. */
function occurrences<T>(items: T[], key: (item: T) => string): { item: T; occurrence: number }[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const k = key(item);
    const occurrence = seen.get(k) ?? 0;
    seen.set(k, occurrence + 1);
    return { item, occurrence };
  });
}

/** One normal run of the scenario in a fresh World; every request it made, in order. */
export async function enumerate(scenario: Scenario): Promise<Enumeration> {
  const world = await World.start();
  try {
    const prepared = await scenario.prepare(world);
    await world.sf.clearLog();
    await world.gh.clearLog();
    const run = await world.run(prepared.inputs, { files: prepared.files, env: RUN_ENV });
    if (run.exitCode !== 0) {
      throw new Error(`The normal ${scenario.mode} run failed: ${run.errors.join('\n')}`);
    }

    const sfEntries = (await world.sf.log()).filter((entry) => entry.via !== 'control');
    const sfKey = (entry: (typeof sfEntries)[number]): string =>
      entry.kind === 'login' ? `login ${entry.user ?? ''}` : (entry.sql ?? '').replace(KEY_LITERAL, "'…'");
    const snowflake = occurrences(sfEntries, sfKey).map(({ item: entry, occurrence }): Target => {
      if (entry.kind === 'login') {
        return {
          service: 'snowflake',
          kind: 'login',
          writes: false,
          label: `Snowflake login ${entry.user ?? ''} #${occurrence}`,
          match: `^${escapeRegex(entry.user ?? '')}$`,
          occurrence,
        };
      }
      const sql = entry.sql ?? '';
      return {
        service: 'snowflake',
        kind: 'query',
        writes: !READ_ONLY_SQL.test(sql),
        label: `${sql.replace(KEY_LITERAL, "'<new public key>'")} #${occurrence}`,
        match: `^${sql.split(KEY_LITERAL).map(escapeRegex).join("'[A-Za-z0-9+/=]+'")}$`,
        occurrence,
      };
    });

    const ghRequests = (await world.gh.log()).map((entry) => `${entry.method} ${entry.path.split('?')[0]}`);
    const github = occurrences(ghRequests, (r) => r).map(({ item: request, occurrence }): Target => ({
      service: 'github',
      kind: 'request',
      writes: !request.startsWith('GET '),
      label: `GitHub ${request} #${occurrence}`,
      match: `^${escapeRegex(request)}$`,
      occurrence,
    }));
    const steps = [...run.visibleLog.matchAll(/^([a-z][a-z-]*): /gm)].map((m) => m[1] ?? '');
    return { mode: scenario.mode, targets: [...snowflake, ...github], steps: [...new Set(steps)] };
  } finally {
    await world.close();
  }
}

/**
 * The faults for a request. Before it: 500, 503, a reset, a 30-second stall; for statements also an SQL error
 * and an expired session (390112). After it (the work was done, the reply was lost) only where the request
 * changes something: for a read, losing the reply is the same as failing it.
 */
export function faultsFor(target: Target): FaultSpec[] {
  const transport: FaultSpec[] = [
    // 5xx, resets and stalls stay for the rest of the run: the clients retry them, and `times` cannot tell
    // a retry from a later request with the same text (a roll-back's DESC USER), which meets the fault too,
    // as it would during an outage.
    { label: 'http-500', action: 'http-500' },
    { label: 'http-503', action: 'http-503' },
    { label: 'reset', action: 'reset' },
    { label: 'stall 30 s', action: 'delay', delayMs: STALL_MS },
  ];
  const lostReply: FaultSpec[] = target.writes
    ? [
        { label: 'http-500 after', action: 'http-500', after: true },
        { label: 'reset after', action: 'reset', after: true },
        { label: 'stall 30 s after', action: 'delay', delayMs: STALL_MS, after: true },
      ]
    : [];
  switch (target.kind) {
    case 'login':
      return transport;
    case 'query':
      return [
        ...transport,
        ...lostReply,
        // Not retried by the SDK: once is exactly this statement.
        { label: `sql-error ${SQL_ERROR_CODE}`, action: 'sql-error', code: SQL_ERROR_CODE, times: 1 },
        // The SDK renews the session with its master token and sends the statement again.
        { label: 'session expired 390112', action: 'session-expired', times: 1 },
      ];
    case 'request':
      return [...transport, ...lostReply];
  }
}

async function inject(world: World, { target, fault }: Row): Promise<void> {
  if (target.service === 'github') {
    if (fault.action === 'sql-error' || fault.action === 'session-expired') {
      throw new Error(`${fault.action} is a Snowflake fault`);
    }
    await world.gh.fault({
      match: target.match,
      action: fault.action,
      skip: target.occurrence,
      after: fault.after,
      times: fault.times,
      delayMs: fault.delayMs,
    });
  } else {
    await world.sf.fault({
      on: target.kind === 'login' ? 'login' : 'query',
      match: target.match,
      action: fault.action,
      skip: target.occurrence,
      after: fault.after,
      times: fault.times,
      code: fault.code,
      delayMs: fault.delayMs,
    });
  }
}

/** The JSON report the run wrote to RUNNER_TEMP. */
function reportOf(run: ActionRun): { destinations?: { result?: string }[] } {
  const text = Object.entries(run.tempFiles).find(([path]) => path.endsWith('.json'))?.[1];
  return JSON.parse(text ?? '{}') as { destinations?: { result?: string }[] };
}

/** Whether the row's fault answered at least once (otherwise the row tested nothing). */
async function faultFired(world: World, row: Row): Promise<boolean> {
  return row.target.service === 'github'
    ? (await world.gh.log()).some((entry) => entry.fault !== undefined)
    : (await world.sf.log()).some((entry) => entry.fault !== undefined);
}

/** What the faulty run left for one keyed user, checked against invariants a and b. */
interface KeyedCheck {
  /** The key consumers hold now: the stored one, or the one they held before. */
  held: string | undefined;
  /** The user's slots and secret, for the report of a failed row. */
  state: string;
  /** The removal statement the error gave, run as a person would run it. */
  manualFix?: string;
}

async function checkKeyedUser(
  world: World,
  keyed: KeyedUser,
  errorText: string,
  partialWrite: boolean,
  failures: string[],
): Promise<KeyedCheck> {
  const stored = await world.secretValue(keyed.secretName);
  const desc = await describeIfExists(world, keyed.user);
  const slots = [desc?.RSA_PUBLIC_KEY_FP, desc?.RSA_PUBLIC_KEY_2_FP].filter(
    (fp): fp is string => fp !== undefined && fp !== 'null' && fp !== '',
  );
  const state = `${keyed.user}: ${desc ? `slots ${slots.join(', ') || 'empty'}` : 'does not exist'}; secret ${keyed.secretName}: ${stored === undefined ? 'absent' : fingerprintOfPem(stored)}${keyed.heldBefore ? `; held before ${fingerprintOfPem(keyed.heldBefore)}` : ''}`;

  // a. The key in every destination logs in; with no secret, the key consumers held before.
  const key = stored ?? keyed.heldBefore;
  if (key !== undefined) {
    const login = await world.login(keyed.user, key);
    if (login !== 'ok') {
      failures.push(
        `a: the ${stored === undefined ? 'previously held' : 'stored'} key of ${keyed.user} does not log in (${login})`,
      );
    }
  }

  // b. No key registered that no destination (nor the consumers' previous key) holds.
  const holders = new Set([keyed.heldBefore, stored].filter((k) => k !== undefined).map(fingerprintOfPem));
  const orphans = slots.filter((fp) => !holders.has(fp));
  // Snowflake stopped answering before the roll-back could read the slot back: the run says so, names
  // the leftover key (this run's own, whose private half was never stored) and gives the statement
  // that removes it.
  const rollbackImpossible =
    /Roll-back failed \(restore RSA_PUBLIC_KEY(_2)? of [^)]+\).*the new private key was never stored/s.test(
      errorText,
    ) && orphans.every((fp) => errorText.includes(`shows ${fp}`));
  if (orphans.length > 0 && !partialWrite && !rollbackImpossible) {
    failures.push(`b: ${keyed.user} holds ${orphans.join(', ')}, which no destination holds`);
  }
  // A first key that nobody holds stays when its removal could not be proved safe; setup leaves a key
  // alone on a re-run, so the error gives the statement that removes it. Do what it says, as a person would.
  const removal = new RegExp(`(ALTER USER "${keyed.user}" UNSET RSA_PUBLIC_KEY(?:_2)?)`).exec(errorText);
  if (orphans.length > 0 && stored === undefined && keyed.heldBefore === undefined && removal) {
    await world.sf.sql(removal[1] as string);
    return { held: key, state, manualFix: removal[1] as string };
  }
  return { held: key, state };
}

/** f. What the secret's metadata settles about a failed secret write. */
function checkSecretWrite(row: Row, run: ActionRun, failures: string[]): void {
  if (
    row.target.service !== 'github' ||
    !/^PUT \S+\/secrets\//.test(row.target.label.replace(/^GitHub /, ''))
  )
    return;
  const results = (reportOf(run).destinations ?? []).map((d) => d.result);
  const answeredWithoutStoring =
    !row.fault.after && (row.fault.action === 'http-500' || row.fault.action === 'http-503');
  if (answeredWithoutStoring && (run.exitCode === 0 || !results.every((r) => r === 'failed'))) {
    failures.push(
      `f: GitHub answered ${row.fault.action} without storing, yet the destinations read ${results.join(', ') || '(none)'} (exit ${run.exitCode})`,
    );
  }
  if (row.fault.after && run.exitCode !== 0) {
    failures.push('f: GitHub stored the value (the reply was lost), yet the run failed');
  }
}

/** verify reads only, and a fault never turns into a verdict about the account. */
async function checkVerifyRun(
  world: World,
  run: ActionRun,
  errorText: string,
  failures: string[],
): Promise<void> {
  const changes = await world.changes();
  if (changes.length > 0) failures.push(`verify changed something: ${changes.join('; ')}`);
  if (run.exitCode === 0 && run.outputs.drift !== '0') {
    failures.push(`verify passed with drift ${run.outputs.drift ?? '(none)'}`);
  }
  if (run.exitCode !== 0 && /Verify found drift/.test(errorText)) {
    failures.push('verify reported drift that a fault caused, instead of failing the read');
  }
}

/** d. A clean re-run completes the job. */
async function checkRerun(
  world: World,
  scenario: Scenario,
  prepared: Prepared,
  held: Map<string, string | undefined>,
  failures: string[],
): Promise<void> {
  const rerun = await world.run(prepared.rerunInputs(held), { files: prepared.files, env: RUN_ENV });
  if (rerun.exitCode !== 0) {
    failures.push(`d: the re-run failed: ${rerun.errors.join('\n') || `exit ${rerun.exitCode}`}`);
    return;
  }
  for (const keyed of prepared.keyed) {
    const stored = await world.secretValue(keyed.secretName);
    if (stored === undefined || (await world.login(keyed.user, stored)) !== 'ok') {
      failures.push(`d: after the re-run the stored key of ${keyed.user} does not log in`);
    }
  }
  if (scenario.mode === 'verify' && rerun.outputs.drift !== '0') {
    failures.push(`d: the re-run of verify found drift ${rerun.outputs.drift ?? '(none)'}`);
  }
}

/** Runs one row: a fresh World, the fault, one run, the invariants, a clean re-run. */
export async function runRow(scenario: Scenario, row: Row, steps: string[]): Promise<RowResult> {
  const failures: string[] = [];
  const world = await World.start();
  try {
    const prepared = await scenario.prepare(world);
    await world.sf.clearLog();
    await inject(world, row);
    const run = await world.run(prepared.inputs, { files: prepared.files, env: RUN_ENV });
    await world.sf.clearFaults();
    await world.gh.clearFaults();

    if (!(await faultFired(world, row)))
      failures.push(`the fault never fired: nothing matched ${row.target.match}`);

    const errorText = run.errors.join('\n');
    const step = /Step ([a-z-]+) failed/.exec(errorText)?.[1];
    const outcome = run.exitCode === 0 ? 'succeeded' : `failed at ${step ?? '(no step named)'}`;

    // c. A failed run exits non-zero with an error naming one of the job's steps.
    if (run.exitCode !== 0 && (step === undefined || !steps.includes(step))) {
      failures.push(`c: the run failed without an error naming one of its steps (${steps.join(', ')})`);
    }
    if (run.exitCode === 0 && run.errors.length > 0) failures.push('c: the run succeeded with errors');

    const partialWrite =
      errorText.includes('the outcome is unknown') ||
      (reportOf(run).destinations ?? []).some((d) => d.result === 'unconfirmed' || d.result === 'unknown');
    const held = new Map<string, string | undefined>();
    const checks: KeyedCheck[] = [];
    for (const keyed of prepared.keyed) {
      const check = await checkKeyedUser(world, keyed, errorText, partialWrite, failures);
      held.set(keyed.user, check.held);
      checks.push(check);
    }
    checkSecretWrite(row, run, failures);
    if (scenario.mode === 'verify') await checkVerifyRun(world, run, errorText, failures);
    await checkRerun(world, scenario, prepared, held, failures);

    if (failures.length > 0) {
      failures.push(
        `state after the faulty run:\n    exit ${run.exitCode}; error: ${errorText || '(none)'}\n    ${checks.map((c) => c.state).join('\n    ')}`,
      );
    }
    const fixed = checks.some((c) => c.manualFix !== undefined);
    return { outcome: fixed ? `${outcome}; the fix it gave was run` : outcome, failures };
  } finally {
    await world.close();
  }
}

async function describeIfExists(world: World, user: string): Promise<Record<string, string> | undefined> {
  try {
    return await world.describe(user);
  } catch (error) {
    if ((error as { code?: string }).code === '002003') return undefined;
    throw error;
  }
}
