import { parsePrivateKey } from '../../src/keys.js';
import { expectNoLeaks } from '../harness/leak-scan.js';
import type { ActionRun } from '../harness/run-action.js';
import { SERVICE_USER, type TestKey, World, newKey } from '../harness/world.js';

/**
 * Issue 3's fault matrix. One normal rotation is run first and every request it makes is read back from the
 * emulators' logs: each Snowflake login (by user) and statement (by its SQL text and occurrence), and each
 * GitHub request (`METHOD /path` and occurrence). Then, for every such request and every fault that applies
 * to it, a fresh World runs the rotation once with that fault injected on exactly that request, and checks:
 *   a. the key in every destination logs in (no secret: the key consumers held before still does);
 *   b. Snowflake holds no key that no destination holds, except after a write whose outcome is unknown, or
 *      when Snowflake stopped answering before the roll-back could run (the error names the key and the fix);
 *   c. a failed run exits non-zero with an error that names the failing step;
 *   d. a run without the fault, passing the key the destination now holds, completes and its key logs in;
 *   e. nothing leaked, in either run.
 * New steps of the action are covered automatically: the list is derived, not written down.
 */

const SECRET_NAME = 'SNOWFLAKE_PRIVATE_KEY';
/** Keeps a stalled statement (the SDK retries 5xx and resets for hours) to seconds. */
const RUN_ENV = { SNOWFLAKE_KEYPAIR_ACTION_STATEMENT_DEADLINE_MS: '5000' };
/** A plausible Snowflake error for a statement: 000603 (SQL execution internal error). */
const SQL_ERROR_CODE = '000603';
/** A public key in SQL: long base64. It differs in every run, so statements are matched with it left open. */
const KEY_LITERAL = /'[A-Za-z0-9+/=]{40,}'/g;

interface Target {
  service: 'snowflake' | 'github';
  kind: 'login' | 'query' | 'request';
  /** What a reader sees in the matrix. */
  label: string;
  /** The fault's `match`: anchored and regex-escaped. */
  match: string;
  /** How many identical requests come before this one in the normal run. */
  occurrence: number;
}

interface FaultSpec {
  label: string;
  action: 'http-500' | 'reset' | 'sql-error';
  after?: boolean;
  /** Only for faults the client does not retry; otherwise the fault stays, so retries cannot hide it. */
  times?: number;
  code?: string;
}

interface Row {
  target: Target;
  fault: FaultSpec;
}

interface RowResult {
  outcome: string;
  failures: string[];
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const fingerprintOfPem = (pem: string): string =>
  parsePrivateKey(pem, undefined, { key: 'stored', passphrase: 'n/a' }).fingerprint;

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

/** One normal rotation in a fresh World; every request it made, in order. */
async function enumerateRequests(): Promise<{ targets: Target[]; steps: string[] }> {
  const world = await World.start();
  try {
    const adminKey = newKey();
    const firstKey = newKey();
    await world.provision(adminKey, firstKey);
    await world.sf.clearLog();
    await world.gh.clearLog();
    const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }), {
      env: RUN_ENV,
    });
    if (run.exitCode !== 0) throw new Error(`The normal rotation failed: ${run.errors.join('\n')}`);

    const sfEntries = (await world.sf.log()).filter((entry) => entry.via !== 'control');
    const sfKey = (entry: (typeof sfEntries)[number]): string =>
      entry.kind === 'login' ? `login ${entry.user ?? ''}` : (entry.sql ?? '').replace(KEY_LITERAL, "'…'");
    const snowflake = occurrences(sfEntries, sfKey).map(({ item: entry, occurrence }): Target => {
      if (entry.kind === 'login') {
        return {
          service: 'snowflake',
          kind: 'login',
          label: `Snowflake login ${entry.user ?? ''} #${occurrence}`,
          match: `^${escapeRegex(entry.user ?? '')}$`,
          occurrence,
        };
      }
      const sql = entry.sql ?? '';
      return {
        service: 'snowflake',
        kind: 'query',
        label: `SQL ${sql.replace(KEY_LITERAL, "'<new public key>'")} #${occurrence}`,
        match: `^${sql.split(KEY_LITERAL).map(escapeRegex).join("'[A-Za-z0-9+/=]+'")}$`,
        occurrence,
      };
    });

    const ghRequests = (await world.gh.log()).map((entry) => `${entry.method} ${entry.path.split('?')[0]}`);
    const github = occurrences(ghRequests, (r) => r).map(({ item: request, occurrence }): Target => ({
      service: 'github',
      kind: 'request',
      label: `GitHub ${request} #${occurrence}`,
      match: `^${escapeRegex(request)}$`,
      occurrence,
    }));
    // The steps the action names in its log (`<step>: <decision>`).
    const steps = [...run.visibleLog.matchAll(/^([a-z][a-z-]*): /gm)].map((m) => m[1] ?? '');
    return { targets: [...snowflake, ...github], steps };
  } finally {
    await world.close();
  }
}

function faultsFor(target: Target): FaultSpec[] {
  switch (target.kind) {
    case 'login':
      // The SDK retries a login twice: the fault stays for every attempt.
      return [
        { label: 'http-500', action: 'http-500' },
        { label: 'reset', action: 'reset' },
      ];
    case 'query':
      // 5xx and resets stay for the rest of the run: the SDK retries the statement until the deadline, and
      // `times` cannot tell its retries from later statements with the same text (such as a roll-back's
      // DESC USER), so those meet the fault too, as they would during an outage.
      return [
        { label: 'http-500', action: 'http-500' },
        { label: 'http-500 after', action: 'http-500', after: true },
        { label: 'reset', action: 'reset' },
        { label: 'reset after', action: 'reset', after: true },
        // Not retried by the SDK: once is exactly this statement.
        { label: `sql-error ${SQL_ERROR_CODE}`, action: 'sql-error', code: SQL_ERROR_CODE, times: 1 },
      ];
    case 'request':
      return [
        { label: 'http-500', action: 'http-500' },
        { label: 'http-500 after', action: 'http-500', after: true },
        { label: 'reset', action: 'reset' },
        { label: 'reset after', action: 'reset', after: true },
      ];
  }
}

async function inject(world: World, { target, fault }: Row): Promise<void> {
  if (target.service === 'github') {
    if (fault.action === 'sql-error') throw new Error('sql-error is a Snowflake fault');
    await world.gh.fault({
      match: target.match,
      action: fault.action,
      skip: target.occurrence,
      after: fault.after,
      times: fault.times,
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
    });
  }
}

const { targets, steps } = await enumerateRequests();
const rows: Row[] = targets.flatMap((target) => faultsFor(target).map((fault) => ({ target, fault })));
const results = new Map<number, RowResult>();

test('the normal rotation makes the requests the matrix needs', () => {
  const labels = targets.map((t) => t.label);
  expect(labels).toContainEqual(expect.stringMatching(/^SQL ALTER USER "SVC_LOADER" SET RSA_PUBLIC_KEY/));
  expect(labels).toContain(`Snowflake login ${SERVICE_USER} #0`);
  expect(labels).toContainEqual(
    expect.stringMatching(/^GitHub GET \/repos\/acme\/app\/actions\/secrets\/public-key #0$/),
  );
  expect(labels).toContainEqual(
    expect.stringMatching(/^GitHub PUT \/repos\/acme\/app\/actions\/secrets\/SNOWFLAKE_PRIVATE_KEY #0$/),
  );
  expect(steps).toEqual(expect.arrayContaining(['login', 'set-key', 'prove-login', 'store-secret']));
  expect(rows.length).toBeGreaterThanOrEqual(20);
});

/** Runs one row: a fresh World, the fault, one rotation, the invariants, a clean re-run. */
async function runRow(row: Row): Promise<RowResult> {
  const failures: string[] = [];
  const world = await World.start();
  try {
    const adminKey: TestKey = newKey();
    const firstKey: TestKey = newKey();
    await world.provision(adminKey, firstKey);
    await inject(world, row);
    const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }), {
      env: RUN_ENV,
    });
    await world.sf.clearFaults();
    await world.gh.clearFaults();

    // The fault must have answered at least once, or the row tested nothing.
    const fired =
      row.target.service === 'github'
        ? (await world.gh.log()).some((entry) => entry.fault !== undefined)
        : (await world.sf.log()).some((entry) => entry.fault !== undefined);
    if (!fired) failures.push(`the fault never fired: nothing matched ${row.target.match}`);

    const errorText = run.errors.join('\n');
    const step = /Step ([a-z-]+) failed/.exec(errorText)?.[1];
    const outcome = run.exitCode === 0 ? 'succeeded' : `failed at ${step ?? '(no step named)'}`;
    const stored = await world.secretValue(SECRET_NAME);
    const desc = await world.describe(SERVICE_USER);
    const state = (): string =>
      [
        `exit ${run.exitCode}; error: ${errorText || '(none)'}`,
        `DESC USER: RSA_PUBLIC_KEY_FP=${desc.RSA_PUBLIC_KEY_FP} (set ${desc.RSA_PUBLIC_KEY_LAST_SET_TIME}), RSA_PUBLIC_KEY_2_FP=${desc.RSA_PUBLIC_KEY_2_FP} (set ${desc.RSA_PUBLIC_KEY_2_LAST_SET_TIME})`,
        `secret ${SECRET_NAME}: ${stored === undefined ? 'absent' : fingerprintOfPem(stored)}; first key ${fingerprintOfPem(firstKey.pem)}`,
      ].join('\n    ');

    // a. The key in every destination logs in; with no secret, the key consumers held before.
    const held = stored ?? firstKey.pem;
    const login = await world.login(SERVICE_USER, held);
    if (login !== 'ok') {
      failures.push(`a: the ${stored === undefined ? 'first key' : 'stored key'} does not log in (${login})`);
    }

    // b. No key registered that no destination (nor the consumers' previous key) holds.
    const holders = new Set([fingerprintOfPem(firstKey.pem), ...(stored ? [fingerprintOfPem(stored)] : [])]);
    const orphans = [desc.RSA_PUBLIC_KEY_FP, desc.RSA_PUBLIC_KEY_2_FP].filter(
      (fp): fp is string => fp !== undefined && fp !== 'null' && !holders.has(fp),
    );
    const report = JSON.parse(Object.values(run.tempFiles)[0] ?? '{}') as {
      destinations?: { result?: string }[];
    };
    const partialWrite =
      errorText.includes('the outcome is unknown') ||
      (report.destinations ?? []).some((d) => d.result === 'unconfirmed');
    // Snowflake stopped answering before the roll-back could read the slot back: the run says so, names the
    // leftover key (this run's own, whose private half was never stored) and gives the statement that removes it.
    const rollbackImpossible =
      /Roll-back failed \(restore RSA_PUBLIC_KEY(_2)? of SVC_LOADER\).*the new private key was never stored/s.test(
        errorText,
      ) && orphans.every((fp) => errorText.includes(`shows ${fp}`));
    if (orphans.length > 0 && !partialWrite && !rollbackImpossible) {
      failures.push(`b: Snowflake holds ${orphans.join(', ')}, which no destination holds`);
    }

    // c. A failed run exits non-zero with an error naming the step.
    if (run.exitCode !== 0 && (step === undefined || !steps.includes(step))) {
      failures.push(`c: the run failed without an error naming one of its steps (${steps.join(', ')})`);
    }
    if (run.exitCode === 0 && run.errors.length > 0) failures.push('c: the run succeeded with errors');

    // e. No leak in the faulty run.
    try {
      expectNoLeaks(run, world.secrets);
    } catch (error) {
      failures.push(`e (faulty run): ${(error as Error).message}`);
    }

    // d. A clean re-run from what the destination holds completes, and the stored key logs in.
    const rerun: ActionRun = await world.run(
      world.rotateInputs(adminKey, { 'current-private-key': held, 'grace-period': '0s' }),
      { env: RUN_ENV },
    );
    const storedAfter = await world.secretValue(SECRET_NAME);
    if (rerun.exitCode !== 0) {
      failures.push(`d: the re-run failed: ${rerun.errors.join('\n') || `exit ${rerun.exitCode}`}`);
    } else if (storedAfter === undefined || (await world.login(SERVICE_USER, storedAfter)) !== 'ok') {
      failures.push('d: after the re-run the stored key does not log in');
    }
    try {
      expectNoLeaks(rerun, world.secrets);
    } catch (error) {
      failures.push(`e (re-run): ${(error as Error).message}`);
    }

    if (failures.length > 0) failures.push(`state after the faulty run:\n    ${state()}`);
    return { outcome, failures };
  } finally {
    await world.close();
  }
}

test.concurrent.each(rows.map((row, index) => [`${row.target.label} × ${row.fault.label}`, index] as const))(
  '%s',
  async (_name, index) => {
    const row = rows[index] as Row;
    const result = await runRow(row);
    results.set(index, result);
    expect(result.failures).toEqual([]);
  },
  240_000,
);

afterAll(() => {
  const table = rows.map((row, index) => {
    const result = results.get(index);
    return {
      'target request': row.target.label,
      fault: row.fault.label,
      outcome: result?.outcome ?? '(not run)',
      'invariants ok': result === undefined ? '?' : result.failures.length === 0 ? 'yes' : 'NO',
    };
  });
  console.log(`Fault matrix (${rows.length} rows)`);
  console.table(table);
});
