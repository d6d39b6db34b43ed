import { fingerprintOf, parsePrivateKey } from '../../src/keys.js';
import type { LogEntry as GitHubLogEntry } from '../emulators/github/control.js';
import type { LogEntry as SnowflakeLogEntry } from '../emulators/snowflake/control.js';
import { expectNoLeaks } from '../harness/leak-scan.js';
import type { ActionRun } from '../harness/run-action.js';
import {
  ADMIN,
  ADMIN_ROLE,
  REPOSITORY,
  SERVICE_USER,
  type TestKey,
  World,
  newKey,
} from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * Issue 7: races. Two rotations of SVC_LOADER started together, and a rotation racing a person's
 * `ALTER USER SVC_LOADER SET RSA_PUBLIC_KEY_2`, with dist/index.js run as the runner runs it. After every race:
 *   - at most one run succeeds; a failed run exits non-zero with an error that names its step, says another
 *     writer changed the user, and recommends a concurrency group;
 *   - the key in the destination (the repository secret) logs in; with no secret, the key consumers held;
 *   - Snowflake holds no key that nobody holds (the destination, the consumers' previous key, the person);
 *   - a re-run without the race completes, and its key logs in;
 *   - nothing leaked.
 * Interleavings are forced, not hoped for: a delay fault holds one request (a Snowflake reply after the
 * statement ran, or a GitHub request before GitHub handles it), the test polls the emulator's log until the
 * action is held there, then lets the other writer act, and checks from the log that the order it meant is
 * the order that happened. Two tests pin the windows no run can close by itself (README, "Concurrency").
 */

const SECRET = 'SNOWFLAKE_PRIVATE_KEY';
/** A second rotator with the same role, and its own GitHub token, so that the logs tell the two runs apart. */
const ADMIN_B = 'KEY_ROTATOR_B';
const TOKEN_B = 'ghs_writerB0123456789abcdefghijklmnopq';
const TOKEN_B_ID = 'writer-b';
/** Every step a rotation can name in `Step <name> failed`. */
const STEPS = [
  'login',
  'read-target',
  'choose-slot',
  'plan',
  'generate-key',
  'prepare-destinations',
  'set-key',
  'prove-login',
  'confirm-key',
  'store-secret',
  'confirm-stored',
  'record-fingerprint',
  'retire-previous',
];
const GROUP_ADVICE =
  /concurrency group \(concurrency: \{ group: snowflake-key-SVC_LOADER, cancel-in-progress: false \}\)/;
const PUT_SECRET = `^PUT /repos/${REPOSITORY}/actions/secrets/${SECRET}$`;

let world: World;
let adminKey: TestKey;
let adminKeyB: TestKey;
/** The key consumers hold before any run: in RSA_PUBLIC_KEY, set two days ago. */
let firstKey: TestKey;
useProvisionedWorld((started) => ({ world, adminKey, firstKey } = started));

beforeEach(async () => {
  adminKeyB = newKey();
  await world.sf.sql(
    `CREATE USER ${ADMIN_B} TYPE = SERVICE DEFAULT_ROLE = ${ADMIN_ROLE} RSA_PUBLIC_KEY = '${adminKeyB.publicBody}'`,
  );
  await world.sf.sql(`GRANT ROLE ${ADMIN_ROLE} TO USER ${ADMIN_B}`);
  await world.gh.addToken({
    token: TOKEN_B,
    id: TOKEN_B_ID,
    type: 'installation',
    permissions: { secrets: 'write', environments: 'write', actions_variables: 'write' },
    repositories: [REPOSITORY],
  });
  world.secrets['admin key B'] = adminKeyB.pem;
  world.secrets['github-token B'] = TOKEN_B;
  await world.sf.clearLog();
  await world.gh.clearLog();
});

const fingerprintOfPem = (pem: string): string =>
  parsePrivateKey(pem, undefined, { key: 'stored', passphrase: 'n/a' }).fingerprint;
const fp = (key: TestKey): string => fingerprintOf(key.publicBody);

/** Rotation A (KEY_ROTATOR) and B (KEY_ROTATOR_B): both hold the consumers' key, as runs queued together do. */
const runA = (env?: Record<string, string>): Promise<ActionRun> =>
  world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }), { env });
const runB = (): Promise<ActionRun> =>
  world.run(
    world.rotateInputs(adminKeyB, {
      user: ADMIN_B,
      'github-token': TOKEN_B,
      'current-private-key': firstKey.pem,
    }),
  );

// ---------------------------------------------------------------------------------------------- scheduling

/** Polls (the action runs in another process; the emulators' logs are the only way to see where it is). */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Holds the reply to the next statement matching `match` (after `skip` of them) for `ms`: the statement runs
 * at once, the action waits for its reply.
 */
async function holdReply(match: string, ms: number, skip = 0): Promise<void> {
  await world.sf.fault({ on: 'query', match, action: 'delay', after: true, delayMs: ms, times: 1, skip });
}

/** The statement whose reply is held, once it has run: from then on the action waits for that reply. */
function heldStatement(match: RegExp): Promise<SnowflakeLogEntry> {
  return until(`the action to be held after ${String(match)}`, async () =>
    (await world.sf.log()).find((e) => e.fault === 'delay' && e.faultAfter && match.test(e.sql ?? '')),
  );
}

/** Holds the next GitHub request matching `match` for `ms`, before GitHub handles it. */
async function holdRequest(match: string, ms: number): Promise<void> {
  await world.gh.fault({ match, action: 'delay', delayMs: ms, times: 1 });
}

function heldRequest(match: RegExp): Promise<GitHubLogEntry> {
  return until(`the action to be held at ${String(match)}`, async () =>
    (await world.gh.log()).find((e) => e.fault === 'delay' && match.test(`${e.method} ${e.path}`)),
  );
}

/** The statements and logins the runs made (not the test's own), in the order Snowflake ran them. */
async function actionLog(): Promise<SnowflakeLogEntry[]> {
  return (await world.sf.log()).filter((e) => e.via === 'sdk');
}

/** A request of the log as the person-scenarios name it: `login USER`, or the statement's first two words. */
function describeRequest(entry: SnowflakeLogEntry | undefined): string {
  if (!entry) return '(none)';
  if (entry.kind === 'login') return `login ${entry.user ?? ''}`;
  return (entry.sql ?? '').split(/\s+/).slice(0, 2).join(' ');
}

/** `ALTER USER ... SET <slot>` statements that took effect, by whom, in order. */
async function keyWrites(): Promise<{ seq: number; user: string | null; via: string }[]> {
  return (await world.sf.log())
    .filter((e) => e.ok && /^ALTER USER .* SET RSA_PUBLIC_KEY/i.test(e.sql ?? ''))
    .map((e) => ({ seq: e.seq, user: e.user, via: e.via }));
}

/**
 * Both runs read the same state and pass set-key's check before either writes: A reads (its reply held
 * while B starts), B reads and checks (the reply to its check held until A has written). Returns once both
 * are held that way, with the time by which B is surely released (holds are timed: each is sized from
 * what the log showed, with a margin, and the order is checked afterwards from the log).
 */
async function bothCheckedBeforeEitherWrites(
  marginMs = 3_000,
  envOfA?: Record<string, string>,
): Promise<{
  a: Promise<ActionRun>;
  b: Promise<ActionRun>;
  releaseB: number;
}> {
  const holdRead = 5_000;
  await holdReply('^DESC USER', holdRead);
  const a = runA(envOfA);
  await heldStatement(/^DESC USER/);
  // A's reply comes by this time (its hold began before the log showed it); A then has `marginMs` to get
  // as far as the test needs before B is released.
  const releaseA = Date.now() + holdRead;
  const holdCheckB = releaseA + marginMs - Date.now();
  await holdReply('^DESC USER', holdCheckB, 1);
  const b = runB();
  await until('B to be held after its set-key check', async () =>
    (await world.sf.log()).find((e) => e.user === ADMIN_B && e.fault === 'delay'),
  );
  return { a, b, releaseB: Date.now() + holdCheckB };
}

/** The order meant: A reads, B reads and checks, A checks, A writes, B writes. */
async function expectBothCheckedFirst(): Promise<{ seq: number }[]> {
  const writes = await keyWrites();
  expect(writes.map((w) => w.user)).toEqual([ADMIN, ADMIN_B]);
  const reads = (await actionLog()).filter(
    (e) => /^DESC USER/.test(e.sql ?? '') && e.seq < (writes[0]?.seq ?? 0),
  );
  expect(reads.map((e) => e.user)).toEqual([ADMIN, ADMIN_B, ADMIN_B, ADMIN]);
  return writes;
}

// ---------------------------------------------------------------------------------------------- invariants

/** The step a failed run names; its error must say another writer changed the user and what to do. */
function expectExplainedFailure(run: ActionRun): string {
  expect(run.exitCode).not.toBe(0);
  expect(run.exitCode).not.toBeNull();
  const text = run.errors.join('\n');
  const step = /Step ([a-z-]+) failed: /.exec(text)?.[1];
  expect(STEPS).toContain(step);
  expect(text).toMatch(/another writer|another rotation/);
  expect(text).toMatch(GROUP_ADVICE);
  return step ?? '';
}

interface Outcome {
  /** The secret's value after the race, if any. */
  stored?: string;
  /** The key consumers can log in with now: the secret's, or the one they held before. */
  held: string;
}

/**
 * The invariants after a race. `holders` are the private keys someone outside the runs holds (the person's);
 * `deadDestination` is for the one case a run can only report: the destination holds a key another writer
 * replaced after the run had read it back for the last time before writing.
 */
async function expectInvariants(
  runs: ActionRun[],
  options: { holders?: TestKey[]; deadDestination?: boolean } = {},
): Promise<Outcome> {
  expect(runs.filter((run) => run.exitCode === 0).length).toBeLessThanOrEqual(1);
  for (const run of runs) {
    if (run.exitCode === 0) expect(run.errors).toEqual([]);
    else expectExplainedFailure(run);
  }
  const stored = await world.secretValue(SECRET);
  const held = stored ?? firstKey.pem;
  if (options.deadDestination) {
    expect(await world.login(SERVICE_USER, held)).toBe('390144');
  } else {
    expect(await world.login(SERVICE_USER, held)).toBe('ok');
  }
  const holders = new Set([fp(firstKey), ...(options.holders ?? []).map(fp)]);
  if (stored) holders.add(fingerprintOfPem(stored));
  const desc = await world.describe(SERVICE_USER);
  const registered = [desc.RSA_PUBLIC_KEY_FP, desc.RSA_PUBLIC_KEY_2_FP].filter(
    (f): f is string => f !== undefined && f !== 'null',
  );
  expect(registered.filter((f) => !holders.has(f))).toEqual([]);
  for (const run of runs) expectNoLeaks(run, world.secrets);
  return { stored, held: options.deadDestination ? firstKey.pem : held };
}

/** A rotation without the race, from the key consumers can log in with, completes and its key logs in. */
async function expectRerunCompletes(held: string): Promise<void> {
  await world.sf.clearFaults();
  await world.gh.clearFaults();
  await world.sf.latency(0);
  await world.gh.latency(0);
  // grace-period 0s: the race left a key set moments ago in the slot the re-run replaces.
  const rerun = await world.run(
    world.rotateInputs(adminKey, { 'current-private-key': held, 'grace-period': '0s' }),
  );
  expect(rerun.errors).toEqual([]);
  expect(rerun.exitCode).toBe(0);
  const stored = (await world.secretValue(SECRET)) ?? '';
  expect(await world.login(SERVICE_USER, stored)).toBe('ok');
  expect(await world.login(SERVICE_USER, held)).toBe('ok');
  expectNoLeaks(rerun, world.secrets);
}

// ---------------------------------------------------------------------------------------------- two rotations

describe('two rotations of the same user at once', () => {
  // Interleavings as they come: the two processes start together; some repetitions add latency, which
  // stretches every round trip and so the windows between a run's read and its write.
  const repetitions: { snowflakeMs: number; githubMs: number }[] = [
    ...Array.from({ length: 6 }, () => ({ snowflakeMs: 0, githubMs: 0 })),
    { snowflakeMs: 15, githubMs: 0 },
    { snowflakeMs: 40, githubMs: 10 },
    { snowflakeMs: 0, githubMs: 60 },
    { snowflakeMs: 80, githubMs: 40 },
  ];
  const outcomes: string[] = [];

  test.each(repetitions.map((latency, i) => [i + 1, latency] as const))(
    'started together (repetition %i, latency %j): at most one succeeds, the other explains',
    async (_i, latency) => {
      await world.sf.latency(latency.snowflakeMs);
      await world.gh.latency(latency.githubMs);
      const runs = await Promise.all([runA(), runB()]);
      const { held, stored } = await expectInvariants(runs);
      outcomes.push(
        runs
          .map((run) =>
            run.exitCode === 0 ? 'ok' : `${/Step ([a-z-]+) failed/.exec(run.errors.join('\n'))?.[1]}`,
          )
          .join(' / '),
      );
      // The one that succeeded stored its key; a failed one left nothing of its own behind in Snowflake.
      const winner = runs.find((run) => run.exitCode === 0);
      if (winner) expect(fingerprintOfPem(stored ?? '')).toBe(winner.outputs.fingerprint);
      await expectRerunCompletes(held);
    },
    120_000,
  );

  afterAll(() => {
    console.log(`Outcomes of the unforced races (A / B): ${outcomes.join('; ')}`);
  });

  test('B reads after A set its key: the grace period refuses B, A completes', async () => {
    // A's ALTER runs; its reply is held while B runs from start to end.
    await holdReply('^ALTER USER .* SET RSA_PUBLIC_KEY_2', 3_000);
    const a = runA();
    const alterA = await heldStatement(/^ALTER USER/);
    const b = await runB();
    const runs = [await a, b];
    expect(alterA.user).toBe(ADMIN);
    expect(runs[0]?.exitCode).toBe(0);
    expect(expectExplainedFailure(b)).toBe('choose-slot');
    expect(b.errors.join('\n')).toMatch(
      /RSA_PUBLIC_KEY_2 of SVC_LOADER was set 0m ago, within the grace period of 60m.*If another rotation of SVC_LOADER set it and is still running, do none of these: let it finish/s,
    );
    // B changed nothing: its read came after A's write.
    expect((await keyWrites()).map((w) => w.user)).toEqual([ADMIN]);
    const { held } = await expectInvariants(runs);
    await expectRerunCompletes(held);
  }, 120_000);

  test('both read the same state, B sets its key first: A stops at set-key before changing anything', async () => {
    // A's read-target reply is held while B, reading the same state, sets its key and completes.
    await holdReply('^DESC USER', 8_000);
    const a = runA();
    const readA = await heldStatement(/^DESC USER/);
    const b = await runB();
    const runsDone = [await a, b];
    const log = await actionLog();
    const alterB = log.find((e) => e.user === ADMIN_B && /^ALTER USER/.test(e.sql ?? ''));
    const readB = log.find((e) => e.user === ADMIN_B && /^DESC USER/.test(e.sql ?? ''));
    const nextA = log.find((e) => e.user === ADMIN && e.seq > readA.seq);
    // The interleaving meant: A reads, B reads (the same state), B sets its key, then A goes on.
    expect(readB?.seq).toBeGreaterThan(readA.seq);
    expect(alterB?.seq).toBeLessThan(nextA?.seq ?? 0);
    expect(b.exitCode).toBe(0);
    expect(expectExplainedFailure(runsDone[0] as ActionRun)).toBe('set-key');
    expect(runsDone[0]?.errors.join('\n')).toMatch(
      new RegExp(
        `SVC_LOADER changed after it was read: RSA_PUBLIC_KEY_2 now holds ${b.outputs.fingerprint?.replace(/[+/]/g, '.')} \\(it held nothing when read\\).*Nothing was changed`,
        's',
      ),
    );
    expect(runsDone[0]?.outputs.changed).toBe('false');
    expect((await keyWrites()).map((w) => w.user)).toEqual([ADMIN_B]);
    const { held } = await expectInvariants(runsDone);
    await expectRerunCompletes(held);
  }, 120_000);

  /** B replaces A's key while A is held at `holdA` (a statement after A's ALTER): A must find out later. */
  async function overwriteWhileAHeld(holdA: { match: string; seen: RegExp }): Promise<ActionRun[]> {
    const { a, b, releaseB } = await bothCheckedBeforeEitherWrites();
    // A is released first, sets its key, and is held at `holdA` until well after B's ALTER.
    await holdReply(holdA.match, releaseB + 3_000 - Date.now());
    const heldA = await heldStatement(holdA.seen);
    const runs = await Promise.all([a, b]);
    const writes = await expectBothCheckedFirst();
    // A was held before B's ALTER, and sent nothing more until after it.
    expect(heldA.seq).toBeLessThan(writes[1]?.seq ?? 0);
    const nextOfA = (await actionLog()).find(
      (e) => (e.user === ADMIN || e.user === SERVICE_USER) && e.seq > heldA.seq,
    );
    expect(nextOfA?.seq).toBeGreaterThan(writes[1]?.seq ?? 0);
    return runs;
  }

  test.each([
    {
      when: 'its ALTER reply is still on the way',
      holdA: { match: '^ALTER USER .* SET RSA_PUBLIC_KEY_2', seen: /^ALTER USER/ },
      step: 'prove-login',
      message:
        /Step prove-login failed: Snowflake refused the new key when logging in as SVC_LOADER: RSA_PUBLIC_KEY_2 holds SHA256:.*, not the new key SHA256:/s,
    },
    {
      when: 'its proof login is under way',
      holdA: { match: '^SELECT CURRENT_USER', seen: /^SELECT CURRENT_USER/ },
      step: 'confirm-key',
      message:
        /Step confirm-key failed: DESC USER SVC_LOADER does not show what this run set: RSA_PUBLIC_KEY_2 holds SHA256:.*, not the new key SHA256:/s,
    },
  ])(
    "B replaces A's key while $when: A stops at $step and leaves B's key alone, B completes",
    async ({ holdA, step, message }) => {
      const [a, b] = (await overwriteWhileAHeld(holdA)) as [ActionRun, ActionRun];
      expect(b.exitCode).toBe(0);
      expect(expectExplainedFailure(a)).toBe(step);
      const text = a.errors.join('\n');
      expect(text).toMatch(message);
      expect(text).toContain(`holds ${b.outputs.fingerprint}, not the new key ${a.outputs.fingerprint}`);
      expect(text).toContain(
        `Nothing was stored, so no destination holds the new key; ${b.outputs.fingerprint} was left in RSA_PUBLIC_KEY_2`,
      );
      // A rolled nothing back: the slot held B's key, not A's.
      expect(text).not.toMatch(/Rolled back|Roll-back failed/);
      expect((await keyWrites()).map((w) => w.user)).toEqual([ADMIN, ADMIN_B]);
      const { held, stored } = await expectInvariants([a, b]);
      expect(fingerprintOfPem(stored ?? '')).toBe(b.outputs.fingerprint);
      await expectRerunCompletes(held);
    },
    120_000,
  );

  test("B replaces A's key while A writes the secret: A says the destination holds a replaced key; B's write, later, wins", async () => {
    const { a, b, releaseB } = await bothCheckedBeforeEitherWrites(5_000);
    // A sets its key, passes confirm-key, and its PUT is held in front of GitHub until B has set its key and
    // is held at its own confirm-key; then A's PUT lands, and B's only after A has finished.
    const holdPutA = releaseB + 2_500 - Date.now();
    await holdRequest(PUT_SECRET, holdPutA);
    const putA = await heldRequest(/^PUT /);
    const releasePutA = Date.now() + holdPutA;
    await holdReply('^DESC USER', releasePutA + 3_000 - Date.now());
    const runs = await Promise.all([a, b]);
    const [runOfA, runOfB] = runs as [ActionRun, ActionRun];
    const writes = await expectBothCheckedFirst();
    expect(putA.tokenId).not.toBe(TOKEN_B_ID);
    // B was held at its confirm-key (after its ALTER) while A's PUT landed.
    const confirmB = (await actionLog()).find(
      (e) => e.user === ADMIN_B && e.fault === 'delay' && e.seq > (writes[1]?.seq ?? 0),
    );
    expect(confirmB?.sql).toMatch(/^DESC USER/);
    const puts = (await world.gh.log()).filter((e) => e.method === 'PUT');
    expect(puts.map((e) => e.tokenId === TOKEN_B_ID)).toEqual([false, true]);
    expect(runOfB.exitCode).toBe(0);
    expect(expectExplainedFailure(runOfA)).toBe('confirm-stored');
    expect(runOfA.errors.join('\n')).toContain(
      `Step confirm-stored failed: The destinations hold the new key ${runOfA.outputs.fingerprint}, but another writer (another rotation, or someone running ALTER USER) replaced it in RSA_PUBLIC_KEY_2 of SVC_LOADER during this run (RSA_PUBLIC_KEY_2 now holds ${runOfB.outputs.fingerprint}), so the key they hold no longer logs in`,
    );
    expect(runOfA.errors.join('\n')).toMatch(
      /If another rotation of SVC_LOADER is running, let it finish.*current-private-key set to the key in RSA_PUBLIC_KEY \(SHA256:.*, the one consumers held before this run\) and grace-period: 0s/s,
    );
    const { held, stored } = await expectInvariants(runs);
    expect(fingerprintOfPem(stored ?? '')).toBe(runOfB.outputs.fingerprint);
    await expectRerunCompletes(held);
  }, 120_000);
});

describe('the windows no run can close by itself (a concurrency group closes them)', () => {
  test("an ALTER that takes effect long after set-key's check: both runs succeed, the later key replaces the earlier", async () => {
    // A passes set-key's check and its reply stalls (a slow network) while B rotates from start to end; A's
    // ALTER then replaces B's stored key. Neither can see the other: Snowflake's ALTER USER has no
    // conditional form. The secret ends with A's key, registered, so it logs in; runs queued with B's key
    // in between are cut off. This pins the window; README, "Concurrency", names it.
    await holdReply('^DESC USER', 8_000, 1);
    const a = runA();
    await heldStatement(/^DESC USER/);
    const b = await runB();
    const runsDone = [await a, b] as [ActionRun, ActionRun];
    expect(runsDone.map((run) => run.exitCode)).toEqual([0, 0]);
    expect((await keyWrites()).map((w) => w.user)).toEqual([ADMIN_B, ADMIN]);
    const stored = (await world.secretValue(SECRET)) ?? '';
    expect(fingerprintOfPem(stored)).toBe(runsDone[0].outputs.fingerprint);
    expect(await world.login(SERVICE_USER, stored)).toBe('ok');
    const desc = await world.describe(SERVICE_USER);
    expect([desc.RSA_PUBLIC_KEY_FP, desc.RSA_PUBLIC_KEY_2_FP]).toEqual([
      fp(firstKey),
      runsDone[0].outputs.fingerprint,
    ]);
    for (const run of runsDone) expectNoLeaks(run, world.secrets);
  }, 120_000);

  test("a loser's secret write that GitHub applies after the winner's: the loser says so, the re-run repairs", async () => {
    // As above (B replaces A's key while A writes), but A's PUT is held until B has completed, so it lands
    // last: the secret holds A's key, which Snowflake no longer has. A's confirm-stored sees it and says what
    // to do; B, finished before, cannot know. Only a concurrency group prevents this.
    // A's PUT stands for a write GitHub is slow to take (or retries): A may wait 30 s for one request.
    const { a, b, releaseB } = await bothCheckedBeforeEitherWrites(3_500, {
      SNOWFLAKE_KEYPAIR_ACTION_GITHUB_TIMEOUT_MS: '30000',
    });
    await holdRequest(PUT_SECRET, releaseB + 3_000 - Date.now());
    await heldRequest(/^PUT /);
    const runOfB = await b;
    const runOfA = await a;
    const puts = (await world.gh.log()).filter((e) => e.method === 'PUT');
    // GitHub logs a request on arrival: A's (held) came first, B's was handled while A's was held.
    expect(puts.map((e) => e.tokenId === TOKEN_B_ID)).toEqual([false, true]);
    expect(runOfB.exitCode).toBe(0);
    expect(expectExplainedFailure(runOfA)).toBe('confirm-stored');
    expect(runOfA.errors.join('\n')).toContain(
      `The destinations hold the new key ${runOfA.outputs.fingerprint}, but another writer`,
    );
    const stored = (await world.secretValue(SECRET)) ?? '';
    expect(fingerprintOfPem(stored)).toBe(runOfA.outputs.fingerprint);
    expect(await world.login(SERVICE_USER, stored)).toBe('390144');
    for (const run of [runOfA, runOfB]) expectNoLeaks(run, world.secrets);
    // What A's error says to do, with the key consumers held before (still in RSA_PUBLIC_KEY).
    await expectRerunCompletes(firstKey.pem);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------- a person

describe("a person's ALTER USER SVC_LOADER SET RSA_PUBLIC_KEY_2 during a rotation", () => {
  interface Point {
    /** Where the rotation is held when the person's ALTER runs. */
    at: string;
    hold: () => Promise<void>;
    /** Resolves once the rotation is held there. */
    held: () => Promise<unknown>;
    /**
     * The order meant, checked from Snowflake's log: the rotation's last request before the person's ALTER,
     * its first after, and how many DESC USER it had read before.
     */
    lastBefore: string;
    firstAfter: string;
    readsBefore: number;
    step: string;
    message: (ours: string, theirs: string) => string;
    /** The destination holds the key the person replaced: the run can only say so. */
    deadDestination?: boolean;
  }

  const points: Point[] = [
    {
      at: 'the reply to read-target',
      hold: () => holdReply('^DESC USER', 1_500),
      held: () => heldStatement(/^DESC USER/),
      lastBefore: 'DESC USER',
      firstAfter: 'DESC USER',
      readsBefore: 1,
      step: 'set-key',
      message: (_ours, theirs) =>
        `Step set-key failed: SVC_LOADER changed after it was read: RSA_PUBLIC_KEY_2 now holds ${theirs} (it held nothing when read). Another writer (another rotation, or someone running ALTER USER) changed it during this run. Nothing was changed`,
    },
    {
      at: 'the reply to set-key',
      hold: () => holdReply('^ALTER USER .* SET RSA_PUBLIC_KEY_2', 1_500),
      held: () => heldStatement(/^ALTER USER/),
      lastBefore: 'ALTER USER',
      firstAfter: 'login SVC_LOADER',
      readsBefore: 2,
      step: 'prove-login',
      message: (ours, theirs) =>
        `Step prove-login failed: Snowflake refused the new key when logging in as SVC_LOADER: RSA_PUBLIC_KEY_2 holds ${theirs}, not the new key ${ours}. Another writer (another rotation, or someone running ALTER USER) changed SVC_LOADER during this run. Nothing was stored, so no destination holds the new key; ${theirs} was left in RSA_PUBLIC_KEY_2 for whoever set it`,
    },
    {
      at: 'the proof login',
      hold: () => holdReply('^SELECT CURRENT_USER', 1_500),
      held: () => heldStatement(/^SELECT CURRENT_USER/),
      lastBefore: 'SELECT CURRENT_USER()',
      firstAfter: 'DESC USER',
      readsBefore: 2,
      step: 'confirm-key',
      message: (ours, theirs) =>
        `Step confirm-key failed: DESC USER SVC_LOADER does not show what this run set: RSA_PUBLIC_KEY_2 holds ${theirs}, not the new key ${ours}`,
    },
    {
      at: 'the secret write (held in front of GitHub)',
      hold: () => holdRequest(PUT_SECRET, 1_500),
      held: () => heldRequest(/^PUT /),
      lastBefore: 'DESC USER',
      firstAfter: 'DESC USER',
      readsBefore: 3,
      step: 'confirm-stored',
      message: (ours, theirs) =>
        `Step confirm-stored failed: The destinations hold the new key ${ours}, but another writer (another rotation, or someone running ALTER USER) replaced it in RSA_PUBLIC_KEY_2 of SVC_LOADER during this run (RSA_PUBLIC_KEY_2 now holds ${theirs}), so the key they hold no longer logs in`,
      deadDestination: true,
    },
  ];

  test.each(points.map((point) => [point.at, point] as const))(
    'at %s: the run stops with an explanation, and leaves the person key alone',
    async (_at, point) => {
      const person = newKey();
      world.secrets['the person key'] = person.pem;
      await point.hold();
      const run = runA();
      await point.held();
      await world.sf.sql(`ALTER USER ${SERVICE_USER} SET RSA_PUBLIC_KEY_2 = '${person.publicBody}'`);
      const done = await run;

      const log = await world.sf.log();
      const personal = log.find((e) => e.via === 'control' && /^ALTER USER/.test(e.sql ?? ''))?.seq ?? 0;
      const before = log.filter((e) => e.via === 'sdk' && e.seq < personal);
      const after = log.filter((e) => e.via === 'sdk' && e.seq > personal);
      expect(describeRequest(before.at(-1))).toBe(point.lastBefore);
      expect(describeRequest(after[0])).toBe(point.firstAfter);
      expect(before.filter((e) => /^DESC USER/.test(e.sql ?? '')).length).toBe(point.readsBefore);

      expect(expectExplainedFailure(done)).toBe(point.step);
      expect(done.errors.join('\n')).toContain(point.message(done.outputs.fingerprint ?? '', fp(person)));
      expect(done.errors.join('\n')).not.toMatch(/Rolled back|Roll-back failed/);
      // The person's key is where they put it.
      expect((await world.describe(SERVICE_USER)).RSA_PUBLIC_KEY_2_FP).toBe(fp(person));
      expect(await world.login(SERVICE_USER, person.pem)).toBe('ok');
      const { held: usable } = await expectInvariants([done], {
        holders: [person],
        deadDestination: point.deadDestination,
      });
      await expectRerunCompletes(usable);
    },
    120_000,
  );

  test.each([
    {
      at: 'the proof login',
      hold: () => holdReply('^SELECT CURRENT_USER', 1_500),
      held: () => heldStatement(/^SELECT CURRENT_USER/),
      step: 'confirm-key',
    },
    {
      at: 'the secret write',
      hold: () => holdRequest(PUT_SECRET, 1_500),
      held: () => heldRequest(/^PUT /),
      step: 'confirm-stored',
    },
  ])(
    'SET RSA_PUBLIC_KEY (the key in use) at $at: the run stops at $step and says the key in use is gone',
    async ({ hold, held, step }) => {
      const person = newKey();
      world.secrets['the person key'] = person.pem;
      await hold();
      const run = runA();
      await held();
      await world.sf.sql(`ALTER USER ${SERVICE_USER} SET RSA_PUBLIC_KEY = '${person.publicBody}'`);
      const done = await run;
      expect(expectExplainedFailure(done)).toBe(step);
      const text = done.errors.join('\n');
      expect(text).toContain(`RSA_PUBLIC_KEY holds ${fp(person)}, not the key in use ${fp(firstKey)}`);
      const desc = await world.describe(SERVICE_USER);
      expect(desc.RSA_PUBLIC_KEY_FP).toBe(fp(person));
      const stored = await world.secretValue(SECRET);
      if (step === 'confirm-key') {
        // Nothing stored: the run's own key is taken out again (it still held its slot), the person's stays.
        expect(text).toContain('Nothing was stored; the new key is taken out of RSA_PUBLIC_KEY_2 again');
        expect(text).toContain('Rolled back: restore RSA_PUBLIC_KEY_2 of SVC_LOADER');
        expect(desc.RSA_PUBLIC_KEY_2).toBe('null');
        expect(stored).toBeUndefined();
      } else {
        // Stored: the destination's key is registered and logs in; runs holding the replaced key do not.
        expect(text).toContain(
          `The destinations hold the new key ${done.outputs.fingerprint}, registered in RSA_PUBLIC_KEY_2 of SVC_LOADER, but RSA_PUBLIC_KEY holds`,
        );
        expect(await world.login(SERVICE_USER, stored ?? '')).toBe('ok');
        expect(desc.RSA_PUBLIC_KEY_2_FP).toBe(done.outputs.fingerprint);
      }
      // The consumers' previous key was replaced by the person, not by the run.
      expect(await world.login(SERVICE_USER, firstKey.pem)).toBe('390144');
      expect(await world.login(SERVICE_USER, person.pem)).toBe('ok');
      expectNoLeaks(done, world.secrets);
    },
    120_000,
  );

  test("right after set-key's check (the one round trip left): the rotation overwrites the person's key and succeeds", async () => {
    // The window that remains: the person's ALTER lands between the DESC USER that set-key checks and the
    // ALTER that follows it. Snowflake has no conditional ALTER USER, so the run cannot see it; the person's
    // key is replaced. Pinned here, named in README, "Concurrency".
    const person = newKey();
    world.secrets['the person key'] = person.pem;
    await holdReply('^DESC USER', 1_500, 1);
    const run = runA();
    await heldStatement(/^DESC USER/);
    await world.sf.sql(`ALTER USER ${SERVICE_USER} SET RSA_PUBLIC_KEY_2 = '${person.publicBody}'`);
    const done = await run;
    expect(done.exitCode).toBe(0);
    expect((await keyWrites()).map((w) => w.via)).toEqual(['control', 'sdk']);
    expect(await world.login(SERVICE_USER, person.pem)).toBe('390144');
    const { held } = await expectInvariants([done]);
    await expectRerunCompletes(held);
  }, 120_000);
});
