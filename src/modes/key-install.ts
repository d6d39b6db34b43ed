import { ActionError, sentences, wrapError } from '../errors.js';
import type { KeyInstallConfig, SnowflakeLogin } from '../config.js';
import type { GeneratedKeyPair } from '../keys.js';
import type { PreparedDestination } from '../github/secrets.js';
import type { SnowflakeSession } from '../snowflake/connection.js';
import { SnowflakeErrorCode } from '../snowflake/error-codes.js';
import { loginRequest } from '../snowflake/login-request.js';
import { type PreparedSnowflakeSecret, prepareSnowflakeSecret } from '../snowflake/secrets.js';
import { type UserState, describeUser, restoreKeySlot, setKeySlot } from '../snowflake/users.js';
import { type KeySlot, SLOTS, type SlotName } from '../snowflake/model.js';
import { restoreKeySlotStatement } from '../snowflake/statements.js';
import type { Compensation, StepRunner } from '../steps.js';
import type { ModeDependencies } from './context.js';
import { type Groundwork, beginGroundwork } from './groundwork.js';
import { type DestinationOutcome, destinationNames, keyStores, storeEverywhere } from './key-storage.js';
import { type StoredKeyCheck, checkStoredKeys } from './stored-keys.js';

/**
 * Putting a new key pair on a user, shared by `rotate` and `setup`: generate it (masked at once) while the
 * destinations are checked, set its public half in one slot if that slot is still as read (undone on a later
 * failure while nothing holds it), prove it by a login, read it back, store the private half everywhere, read
 * it back once more, record the fingerprint. The reads are what catches another writer (see `installing`).
 */

/** What a key installation did, filled in as it goes, so a failure part way can still be reported. */
export interface KeyRecord {
  changed: boolean;
  fingerprint?: string;
  rotatedAt?: string;
  destinations: DestinationOutcome[];
}

/** What installKey is given: the mode's session and runner, the user as read, and where the key goes. */
export interface KeyInstallation {
  runner: StepRunner;
  session: SnowflakeSession;
  config: KeyInstallConfig & { snowflake: SnowflakeLogin };
  deps: ModeDependencies;
  /** The user, as read before the change. */
  target: UserState;
  slot: SlotName;
  /** The slot's content before: what an undo puts back. */
  replaced: KeySlot;
  /** A key that must still be registered after the change (the key in use), if any. */
  keep?: KeySlot;
  record: KeyRecord;
  /** Another user holding a fingerprint, among those the mode reads (the spec's users, for setup). */
  findHolder?: (fingerprint: string) => Promise<string | undefined>;
  /** The mode checked whose key each destination holds before its first change (setup does). */
  storedKeysChecked?: boolean;
}

/** Runs the steps of a key installation, in this order, on the mode's runner; returns the new key. */
export async function installKey(
  install: KeyInstallation,
  groundwork?: Groundwork,
): Promise<GeneratedKeyPair> {
  const { config, deps, target, record } = install;
  if (config.destinations.length === 0 && !config.snowflakeSecret) {
    // A key stored nowhere would be registered and lost: refuse before going further.
    throw new ActionError(`No destination for the private key of ${target.name}`, { code: 'no-destination' });
  }
  const work = groundwork ?? beginGroundwork(config, deps);
  // Independent work runs together: generating the key and checking every destination.
  const [newKey, prepared] = await Promise.all([
    generateKey(install, work),
    prepareDestinations(install, work),
  ]);
  record.fingerprint = newKey.fingerprint;
  const state = installing(install, newKey, prepared);
  const slotUndo = await setKey(state);
  // The proof session is closed while confirm-key reads, not before: its logout is off the critical path.
  const proof = await proveNewKey(state, slotUndo);
  await confirmKey(state, slotUndo, proof.closing);
  deps.phase(`Store the private key of ${state.user} (${destinationNames(config).join(', ')})`);
  await storeSecret(state, slotUndo);
  await confirmStored(state);
  await recordFingerprint(state);
  return newKey;
}

/** What prepare-destinations hands on: every GitHub destination ready to write, and the Snowflake secret. */
interface PreparedStores {
  gitHub: PreparedDestination[];
  snowflakeSecret?: PreparedSnowflakeSecret;
}

/**
 * An installation past its first two steps: the new key and the prepared destinations, and what DESC USER
 * must show once the key is set. Each later step is a function of it; only the installation's record changes.
 */
interface Installing extends KeyInstallation, PreparedStores {
  user: string;
  newKey: GeneratedKeyPair;
  /** The slot the new key does not go into. */
  other: SlotName;
  /** The new key in its slot, the other slot as read-target saw it. */
  expected: Expected[];
}

function generateKey(install: KeyInstallation, work: Groundwork): Promise<GeneratedKeyPair> {
  return install.runner.step('generate-key', async () => {
    const generated = await work.newKey;
    return { result: generated, note: `${install.config.keyBits}-bit RSA key ${generated.fingerprint}` };
  });
}

function prepareDestinations(install: KeyInstallation, work: Groundwork): Promise<PreparedStores> {
  const { runner, session, config, deps, target } = install;
  return runner.step('prepare-destinations', async () => {
    // Everything each write needs is checked here, before the first change (issue 17, item 9): for the
    // Snowflake secret also whose key it holds (item 7).
    const [[list, stored], secret] = await Promise.all([
      work.gitHubDestinations.then(
        async (prepared) =>
          [
            prepared,
            install.storedKeysChecked
              ? 'whose key each destination holds was checked before the first statement'
              : await checkStoredKeys(storedKeyCheck(install, prepared), deps.secretWriter, deps.warn),
          ] as const,
      ),
      config.snowflakeSecret
        ? prepareSnowflakeSecret(session, config.snowflakeSecret, {
            user: target.name,
            registered: SLOTS.flatMap((name) => target.slots[name].fingerprint ?? []),
            force: config.force,
          })
        : undefined,
    ]);
    if (secret?.forced) deps.warn(secret.forced);
    return {
      result: { gitHub: list, snowflakeSecret: secret },
      note: `public keys fetched for ${list.length} destination(s); ${stored}${secret ? `; ${secret.note}` : ''}`,
    };
  });
}

// Concurrency (issue 7). Snowflake's ALTER USER has no conditional form and GitHub's secret PUT has no
// If-Match, so nothing here can lock out another writer (another rotation, or a person running ALTER USER).
// What the run can do is read DESC USER at the points where a change by someone else would make it do harm,
// and stop, say what it saw and leave the other writer's key alone. Four reads in all, each for its own
// reason: read-target (the decision), one right before the ALTER (set-key), one right before the first
// write (confirm-key) and one after the writes (confirm-stored). A fifth, on the failure path only, tells a
// proof login refused because someone replaced the key from any other refusal.
function installing(
  install: KeyInstallation,
  newKey: GeneratedKeyPair,
  prepared: PreparedStores,
): Installing {
  const { target, slot, keep } = install;
  const other: SlotName = slot === 'RSA_PUBLIC_KEY' ? 'RSA_PUBLIC_KEY_2' : 'RSA_PUBLIC_KEY';
  const otherBefore = target.slots[other];
  /** How the other slot is named in errors: the key in use (rotate), or whatever read-target saw in it. */
  const otherLabel =
    keep?.slot === other
      ? `the key in use ${keep.fingerprint ?? ''}`.trim()
      : `${otherBefore.fingerprint ?? 'nothing'}, as read before the change`;
  return {
    ...install,
    ...prepared,
    user: target.name,
    newKey,
    other,
    expected: [
      { slot, fingerprint: newKey.fingerprint, label: `the new key ${newKey.fingerprint}` },
      { slot: other, fingerprint: otherBefore.fingerprint, label: otherLabel },
    ],
  };
}

/** set-key: the new key into its slot, if the user is still as read; returns the undo, armed. */
function setKey(state: Installing): Promise<Compensation> {
  const { runner, session, deps, target, slot, replaced, record, user, newKey } = state;
  return runner.step('set-key', async () => {
    // The closest Snowflake offers to compare-and-swap: DESC USER right before the ALTER. A key someone set
    // after read-target (another rotation that read the same state, a person) would otherwise be overwritten
    // without trace; this shrinks that window from key generation plus GitHub's round trips to one Snowflake
    // round trip. Nothing is changed yet, so a failure here needs no undo.
    const now = await describeUser(session, user);
    const moved = SLOTS.filter((name) => now.slots[name].fingerprint !== target.slots[name].fingerprint).map(
      (name) =>
        `${name} now holds ${now.slots[name].fingerprint ?? 'nothing'} (it held ${target.slots[name].fingerprint ?? 'nothing'} when read)`,
    );
    if (moved.length > 0) {
      throw new ActionError(
        `${user} changed after it was read: ${moved.join('; ')}. Another writer (another rotation, or someone running ALTER USER) changed it during this run`,
        { code: 'concurrent-change', hint: `Nothing was changed. ${concurrencyAdvice(user)}` },
      );
    }
    // Armed before the ALTER: if its reply is lost, the key may be set all the same.
    const undo = runner.onFailure(
      `restore ${slot} of ${user}`,
      () => restoreIfStillOurs(session, user, replaced, newKey.fingerprint),
      `if DESC USER ${user} shows ${newKey.fingerprint} in ${slot}, put it back with ${restoreKeySlotStatement(user, replaced)} (the new private key was never stored; it is gone)`,
    );
    record.changed = true;
    record.rotatedAt = deps.now().toISOString();
    await setKeySlot(session, user, slot, newKey.publicKeyBody);
    return { result: undo, note: `${slot} of ${user} still as read, now set to ${newKey.fingerprint}` };
  });
}

/**
 * prove-login (unless verify-login is off): a login with the new key. Hands back the proof session's closing,
 * wrapped (a step would wait for a promise it returns), for confirm-key to wait for alongside its read.
 */
async function proveNewKey(state: Installing, slotUndo: Compensation): Promise<{ closing: Promise<void> }> {
  const { runner, session, config, deps, target, user, newKey } = state;
  if (!config.verifyLogin) {
    deps.log('prove-login: skipped (verify-login: false)');
    return { closing: Promise.resolve() };
  }
  return runner.step('prove-login', async () => {
    try {
      const proof = await proveLogin(config.snowflake, target, deps, newKey);
      return { result: proof, note: `logged in as ${user} with the new key` };
    } catch (error) {
      // 390144 (the key is not registered) right after our ALTER: most likely someone replaced it. One
      // DESC USER, on this failure path only, says so instead of leaving a puzzling login error.
      if (!(error instanceof ActionError && error.code === SnowflakeErrorCode.JWT_TOKEN_INVALID)) throw error;
      const now = await describeUser(session, user).catch(() => undefined);
      if (!now || differences(now, state.expected).length === 0) throw error;
      throw stopBeforeStoring(
        state,
        slotUndo,
        now,
        `Snowflake refused the new key when logging in as ${user}`,
      );
    }
  });
}

/** confirm-key: the last read before the first write. */
function confirmKey(state: Installing, slotUndo: Compensation, closingProof: Promise<void>): Promise<void> {
  const { runner, session, keep, slot, other, user } = state;
  return runner.step('confirm-key', async () => {
    // The last read before the first write (after the proof login, which takes seconds): past this point a
    // destination may hold the new key. A change after it is found by confirm-stored, but by then the run
    // can only say which destinations hold a key that no longer logs in.
    const [now] = await Promise.all([describeUser(session, user), closingProof]);
    if (differences(now, state.expected).length > 0) {
      throw stopBeforeStoring(state, slotUndo, now, `DESC USER ${user} does not show what this run set`);
    }
    return {
      result: undefined,
      note: `DESC USER shows the new key in ${slot} and ${keep?.slot === other ? `the key in use in ${other}` : `${other} as it was`}`,
    };
  });
}

/**
 * Before anything holds the new key: if another writer has taken our slot, our key is gone from Snowflake
 * and the slot holds theirs, so there is nothing of ours to undo there (the undo is disarmed rather than
 * left to find that out with a DESC USER of its own). If only the other slot moved, our key is taken out
 * again by the undo, which still compares before it swaps.
 */
function stopBeforeStoring(
  state: Installing,
  slotUndo: Compensation,
  now: UserState,
  reason: string,
): ActionError {
  const { slot, user, newKey } = state;
  const holder = now.slots[slot].fingerprint;
  const taken = holder !== newKey.fingerprint;
  if (taken) slotUndo.armed = false;
  return new ActionError(
    `${reason}: ${differences(now, state.expected).join('; ')}. Another writer (another rotation, or someone running ALTER USER) changed ${user} during this run`,
    {
      code: 'concurrent-change',
      hint: sentences(
        taken
          ? `Nothing was stored, so no destination holds the new key; ${holder ? `${holder} was left in ${slot} for whoever set it` : `${slot} was left empty`}`
          : `Nothing was stored; the new key is taken out of ${slot} again`,
        concurrencyAdvice(user),
      ),
    },
  );
}

/** store-secret: the private key to every destination (see key-storage.ts for what a failure leaves). */
function storeSecret(state: Installing, slotUndo: Compensation): Promise<void> {
  const { runner, target, replaced, record, user } = state;
  return runner.step('store-secret', async () => {
    const stores = keyStores(state, state.gitHub, state.snowflakeSecret);
    const firstKey = !Object.values(target.slots).some((held) => held.fingerprint);
    const { outcomes, failure } = await storeEverywhere(stores, state.newKey, slotUndo, {
      firstKey,
      removeStatement: restoreKeySlotStatement(user, replaced),
    });
    record.destinations = outcomes;
    if (failure) throw failure;
    return { result: undefined, note: outcomes.map((r) => `${r.destination} ${r.result}`).join(', ') };
  });
}

/** confirm-stored: the key the destinations now hold is still registered. */
function confirmStored(state: Installing): Promise<void> {
  const { runner, session, slot, other, user, newKey } = state;
  return runner.step('confirm-stored', async () => {
    // What this read proves: every write above finished (GitHub's metadata confirmed each) before it, and at
    // its time Snowflake held the new key in its slot and the other slot as before, so at that moment every
    // destination written held a key that logs in; unless another writer wrote the same destinations after
    // us, which only that writer can see (its own confirm-stored fails). No read proves anything about the
    // time after it: a later change is for the next writer's checks. Without this read the run would claim
    // success for a key someone replaced while it was being stored.
    const now = await describeUser(session, user).catch((error: unknown) => {
      throw wrapError(
        error,
        (reason) =>
          `The destinations hold the new key ${newKey.fingerprint}, but reading ${user} back after the writes failed (${reason}), so this run cannot show that ${slot} still holds it`,
        `If DESC USER ${user} shows ${newKey.fingerprint} as ${slot}_FP, the rotation is complete`,
      );
    });
    const moved = differences(now, state.expected);
    if (moved.length === 0) {
      return {
        result: undefined,
        note: `DESC USER still shows the new key in ${slot} and ${other} as before: every destination holds a registered key`,
      };
    }
    throw now.slots[slot].fingerprint === newKey.fingerprint
      ? otherSlotChanged(state, moved)
      : newKeyReplaced(state, now);
  });
}

/** After the writes, another writer replaced the new key: the destinations hold a key that no longer logs in. */
function newKeyReplaced(state: Installing, now: UserState): ActionError {
  const { slot, other, keep, user, newKey } = state;
  const holder = now.slots[slot].fingerprint;
  const remaining = now.slots[other].fingerprint;
  const rerun = remaining
    ? `run rotate again with current-private-key set to the key in ${other} (${remaining}${remaining === keep?.fingerprint ? ', the one consumers held before this run' : ''}) and grace-period: 0s, which replaces ${holder ?? 'nothing'} in ${slot}`
    : `run rotate again`;
  return new ActionError(
    `The destinations hold the new key ${newKey.fingerprint}, but another writer (another rotation, or someone running ALTER USER) replaced it in ${slot} of ${user} during this run (${slot} now holds ${holder ?? 'nothing'}), so the key they hold no longer logs in`,
    {
      code: 'concurrent-change',
      hint: sentences(
        `If another rotation of ${user} is running, let it finish: once it stores its own key after this run's writes, the destinations log in again`,
        `Otherwise, once nothing else changes ${user}, ${rerun}`,
        groupAdvice(user),
      ),
    },
  );
}

/** After the writes, the new key is still registered but the other slot changed: runs holding it may fail. */
function otherSlotChanged(state: Installing, moved: string[]): ActionError {
  const { slot, other, keep, target, user, newKey } = state;
  return new ActionError(
    `The destinations hold the new key ${newKey.fingerprint}, registered in ${slot} of ${user}, but ${moved.join('; ')}: another writer (another rotation, or someone running ALTER USER) changed it during this run`,
    {
      code: 'concurrent-change',
      hint: sentences(
        `The destinations log in; runs holding ${keep?.fingerprint ?? target.slots[other].fingerprint ?? 'the previous key'} may not. Check DESC USER ${user} with whoever changed ${other}`,
        groupAdvice(user),
      ),
    },
  );
}

/** record-fingerprint, with fingerprint-variable only: the new fingerprint beside each secret. */
async function recordFingerprint(state: Installing): Promise<void> {
  const { runner, config, deps, gitHub, newKey } = state;
  const variable = config.fingerprintVariable;
  if (!variable) return;
  await runner.step('record-fingerprint', async () => {
    // The secrets hold the new key already; a failure here fails the run but changes nothing back.
    const written = await Promise.all(
      gitHub.map((destination) => deps.secretWriter.writeVariable(destination, variable, newKey.fingerprint)),
    );
    return {
      result: undefined,
      note: `variable ${variable} = ${newKey.fingerprint} ${written.join(', ')} beside ${gitHub.length} secret(s)`,
    };
  });
}

/** What checkStoredKeys needs to know of an installation: the user's keys as read, and whether it has any. */
function storedKeyCheck(install: KeyInstallation, prepared: PreparedDestination[]): StoredKeyCheck {
  const userKeys = Object.values(install.target.slots).flatMap((held) =>
    held.fingerprint ? [held.fingerprint] : [],
  );
  return {
    user: install.target.name,
    userKeys,
    firstKey: userKeys.length === 0,
    destinations: prepared,
    fingerprintVariable: install.config.fingerprintVariable,
    force: install.config.force,
    findHolder: install.findHolder,
  };
}

/** What a slot should hold at a check, and how an error names it. */
interface Expected {
  slot: SlotName;
  fingerprint?: string;
  label: string;
}

/** The slots whose key differs from what is expected, as text ("RSA_PUBLIC_KEY_2 holds X, not Y"). */
function differences(state: UserState, expected: Expected[]): string[] {
  return expected
    .filter((e) => state.slots[e.slot].fingerprint !== e.fingerprint)
    .map((e) => `${e.slot} holds ${state.slots[e.slot].fingerprint ?? 'nothing'}, not ${e.label}`);
}

/** GitHub's own lock: runs in one concurrency group never overlap (README, "Concurrency"). */
function groupAdvice(user: string): string {
  return `Give every workflow that rotates ${user} one concurrency group (concurrency: { group: snowflake-key-${user}, cancel-in-progress: false }), so that their runs queue instead of racing`;
}

function concurrencyAdvice(user: string): string {
  return `If another rotation of ${user} is running, let it finish, then run this one again if still needed. ${groupAdvice(user)}`;
}

/**
 * Undo of set-key: puts the slot back as it was, but only while it holds our key (compare and swap). If
 * another writer has put something else there since, that key may be in use: stop and say so.
 */
async function restoreIfStillOurs(
  session: SnowflakeSession,
  user: string,
  previous: KeySlot,
  ours: string,
): Promise<void> {
  const holding = (await describeUser(session, user)).slots[previous.slot].fingerprint;
  if (holding === previous.fingerprint) return;
  if (holding !== ours) {
    throw new ActionError(
      `${previous.slot} of ${user} now holds ${holding ?? 'nothing'}, put there by another writer; it was left alone`,
    );
  }
  await restoreKeySlot(session, user, previous);
  const restored = (await describeUser(session, user)).slots[previous.slot].fingerprint;
  if (restored !== previous.fingerprint) {
    throw new ActionError(`${previous.slot} of ${user} did not read back as it was before the run`);
  }
}

/**
 * Logs in with the new key and checks who that is. The proof session's closing is handed back, not awaited
 * (wrapped, since an async function would wait for a promise it returns).
 */
async function proveLogin(
  login: SnowflakeLogin,
  target: UserState,
  deps: ModeDependencies,
  newKey: GeneratedKeyPair,
): Promise<{ closing: Promise<void> }> {
  let proof: SnowflakeSession;
  try {
    proof = await deps.connect({
      ...loginRequest(login),
      user: target.loginName,
      role: undefined,
      credential: { kind: 'key-pair', privateKey: newKey.privateKey },
      readsTimes: false,
    });
  } catch (error) {
    throw wrapError(
      error,
      (reason) => `Logging in as ${target.name} with the new key failed: ${reason}`,
      "If a network policy keeps the runner from logging in as this user, set 'verify-login: false'",
    );
  }
  try {
    const rows = await proof.execute('SELECT CURRENT_USER() AS "USER"');
    const current = String(rows[0]?.USER ?? '');
    if (current !== target.name) {
      throw new ActionError(`The new key logged in as ${current || 'nobody'}, not ${target.name}`, {
        code: 'wrong-user',
      });
    }
  } catch (error) {
    await proof.close();
    throw error;
  }
  // close() never rejects (a failed logout is only logged).
  return { closing: proof.close() };
}
