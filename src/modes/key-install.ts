import { ActionError, ModeFailure, WriteError, renderError } from '../errors.js';
import type { KeyInstallConfig, SnowflakeLogin } from '../config.js';
import { exportPkcs8, type GeneratedKeyPair, generateRsaKeyPair } from '../keys.js';
import { maskSecret } from '../mask.js';
import { describeDestination } from '../github/destinations.js';
import type { PreparedDestination, SecretWriter, WriteResult } from '../github/secrets.js';
import {
  type Credential,
  type LoginRequest,
  type SnowflakeConnector,
  type SnowflakeSession,
  StatementTimeout,
} from '../snowflake/connection.js';
import {
  type PreparedSnowflakeSecret,
  describeSnowflakeSecret,
  prepareSnowflakeSecret,
  setSnowflakeSecret,
} from '../snowflake/secrets.js';
import {
  type KeySlot,
  SLOTS,
  type SlotName,
  type UserState,
  describeUser,
  restoreKeySlot,
  setKeySlot,
} from '../snowflake/users.js';
import { restoreKeySlotStatement } from '../snowflake/statements.js';
import type { Compensation, StepRunner } from '../steps.js';
import { type StoredKeyCheck, checkStoredKeys } from './stored-keys.js';
import { SnowflakeErrorCode } from '../snowflake/error-codes.js';

/**
 * Putting a new key pair on a user, shared by `rotate` and `setup`: generate it (masked at once) while the
 * destinations are checked, set its public half in one slot if that slot is still as read (undone on a later
 * failure while nothing holds it), prove it by a login, read it back, store the private half everywhere, read
 * it back once more, record the fingerprint. The reads are what catches another writer (see installKey).
 */

/** What a mode needs from the outside world; tests pass their own. */
export interface ModeDependencies {
  connect: SnowflakeConnector;
  secretWriter: SecretWriter;
  now: () => Date;
  setSecret: (value: string) => void;
  log: (line: string) => void;
  /** Starts a group of log lines (a phase of the run, collapsed in the Actions log); ends the previous one. */
  phase: (title: string) => void;
  warn: (line: string) => void;
  generateKeyPair?: typeof generateRsaKeyPair;
}

export interface DestinationOutcome {
  destination: string;
  /**
   * `created`/`updated`: written and confirmed. `unconfirmed`: GitHub accepted the write but its metadata
   * did not confirm it. `failed`: the write was refused, the value was not stored. `unknown`: it may have been.
   */
  result: WriteResult | 'planned' | 'unconfirmed' | 'failed' | 'unknown';
  fingerprint?: string;
  updatedAt?: string;
}

/** What a key installation did, filled in as it goes, so a failure part way can still be reported. */
export interface KeyRecord {
  changed: boolean;
  fingerprint?: string;
  rotatedAt?: string;
  destinations: DestinationOutcome[];
}

/** Every destination's name, as outputs and logs show it. */
export function destinationNames(config: KeyInstallConfig): string[] {
  return [
    ...config.destinations.map(describeDestination),
    ...(config.snowflakeSecret ? [describeSnowflakeSecret(config.snowflakeSecret)] : []),
  ];
}

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

/**
 * The part of a key installation that needs nothing from Snowflake: generating the key (masked as soon as it
 * exists) and fetching every GitHub destination's public key. A rotation begins it before its login, so both
 * run alongside the login instead of after it; installKey's steps then wait for them.
 */
export interface Groundwork {
  newKey: Promise<GeneratedKeyPair>;
  gitHubDestinations: Promise<PreparedDestination[]>;
}

export function beginGroundwork(
  config: KeyInstallConfig,
  deps: ModeDependencies,
  /** A dry run checks the destinations but makes no key. */
  options: { generate: boolean } = { generate: true },
): Groundwork {
  const newKey = options.generate
    ? (deps.generateKeyPair ?? generateRsaKeyPair)(config.keyBits, config.keyPassphrase).then((generated) => {
        maskGenerated(generated, deps.setSecret);
        return generated;
      })
    : Promise.reject(new Error('A dry run makes no key'));
  const gitHubDestinations = Promise.all(config.destinations.map((d) => deps.secretWriter.prepare(d)));
  // A failure here is reported by the step that waits for it; until then (or when the run ends earlier, at
  // its login) it must not count as an unhandled rejection, which would end the process.
  newKey.catch(() => undefined);
  gitHubDestinations.catch(() => undefined);
  return { newKey, gitHubDestinations };
}

export async function installKey(
  install: KeyInstallation,
  groundwork?: Groundwork,
): Promise<GeneratedKeyPair> {
  const { runner, session, config, deps, target, slot, replaced, keep, record } = install;
  const user = target.name;
  if (config.destinations.length === 0 && !config.snowflakeSecret) {
    // A key stored nowhere would be registered and lost: refuse before going further.
    throw new ActionError(`No destination for the private key of ${user}`, { code: 'no-destination' });
  }
  const work = groundwork ?? beginGroundwork(config, deps);
  // Independent work runs together: generating the key and checking every destination.
  const [newKey, { gitHub: prepared, snowflake: snowflakeSecret }] = await Promise.all([
    runner.step('generate-key', async () => {
      const generated = await work.newKey;
      return { result: generated, note: `${config.keyBits}-bit RSA key ${generated.fingerprint}` };
    }),
    runner.step('prepare-destinations', async () => {
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
              user,
              registered: SLOTS.flatMap((name) => target.slots[name].fingerprint ?? []),
              force: config.force,
            })
          : undefined,
      ]);
      if (secret?.forced) deps.warn(secret.forced);
      return {
        result: { gitHub: list, snowflake: secret },
        note: `public keys fetched for ${list.length} destination(s); ${stored}${secret ? `; ${secret.note}` : ''}`,
      };
    }),
  ]);
  record.fingerprint = newKey.fingerprint;

  // Concurrency (issue 7). Snowflake's ALTER USER has no conditional form and GitHub's secret PUT has no
  // If-Match, so nothing here can lock out another writer (another rotation, or a person running ALTER USER).
  // What the run can do is read DESC USER at the points where a change by someone else would make it do harm,
  // and stop, say what it saw and leave the other writer's key alone. Four reads in all, each for its own
  // reason: read-target (the decision), one right before the ALTER (set-key), one right before the first
  // write (confirm-key) and one after the writes (confirm-stored). A fifth, on the failure path only, tells a
  // proof login refused because someone replaced the key from any other refusal.
  const other: SlotName = slot === 'RSA_PUBLIC_KEY' ? 'RSA_PUBLIC_KEY_2' : 'RSA_PUBLIC_KEY';
  const otherBefore = target.slots[other];
  /** How the other slot is named in errors: the key in use (rotate), or whatever read-target saw in it. */
  const otherLabel =
    keep?.slot === other
      ? `the key in use ${keep.fingerprint ?? ''}`.trim()
      : `${otherBefore.fingerprint ?? 'nothing'}, as read before the change`;
  const expectInstalled: Expected[] = [
    { slot, fingerprint: newKey.fingerprint, label: `the new key ${newKey.fingerprint}` },
    { slot: other, fingerprint: otherBefore.fingerprint, label: otherLabel },
  ];

  const slotUndo = await runner.step('set-key', async () => {
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

  /**
   * Before anything holds the new key: if another writer has taken our slot, our key is gone from Snowflake
   * and the slot holds theirs, so there is nothing of ours to undo there (the undo is disarmed rather than
   * left to find that out with a DESC USER of its own). If only the other slot moved, our key is taken out
   * again by the undo, which still compares before it swaps.
   */
  const stopBeforeStoring = (now: UserState, reason: string): ActionError => {
    const taken = now.slots[slot].fingerprint !== newKey.fingerprint;
    if (taken) slotUndo.armed = false;
    const holder = now.slots[slot].fingerprint;
    return new ActionError(
      `${reason}: ${differences(now, expectInstalled).join('; ')}. Another writer (another rotation, or someone running ALTER USER) changed ${user} during this run`,
      {
        code: 'concurrent-change',
        hint: [
          taken
            ? `Nothing was stored, so no destination holds the new key; ${holder ? `${holder} was left in ${slot} for whoever set it` : `${slot} was left empty`}`
            : `Nothing was stored; the new key is taken out of ${slot} again`,
          concurrencyAdvice(user),
        ].join('. '),
      },
    );
  };

  // The proof session is closed while confirm-key reads, not before: its logout is off the critical path.
  let closingProof: Promise<void> = Promise.resolve();
  if (config.verifyLogin) {
    await runner.step('prove-login', async () => {
      try {
        closingProof = (await proveLogin(config.snowflake, target, deps, newKey)).closing;
      } catch (error) {
        // 390144 (the key is not registered) right after our ALTER: most likely someone replaced it. One
        // DESC USER, on this failure path only, says so instead of leaving a puzzling login error.
        if (!(error instanceof ActionError && error.code === SnowflakeErrorCode.JWT_TOKEN_INVALID))
          throw error;
        const now = await describeUser(session, user).catch(() => undefined);
        if (!now || differences(now, expectInstalled).length === 0) throw error;
        throw stopBeforeStoring(now, `Snowflake refused the new key when logging in as ${user}`);
      }
      return { result: undefined, note: `logged in as ${user} with the new key` };
    });
  } else {
    deps.log('prove-login: skipped (verify-login: false)');
  }

  await runner.step('confirm-key', async () => {
    // The last read before the first write (after the proof login, which takes seconds): past this point a
    // destination may hold the new key. A change after it is found by confirm-stored, but by then the run
    // can only say which destinations hold a key that no longer logs in.
    const [now] = await Promise.all([describeUser(session, user), closingProof]);
    if (differences(now, expectInstalled).length > 0) {
      throw stopBeforeStoring(now, `DESC USER ${user} does not show what this run set`);
    }
    return {
      result: undefined,
      note: `DESC USER shows the new key in ${slot} and ${keep?.slot === other ? `the key in use in ${other}` : `${other} as it was`}`,
    };
  });

  deps.phase(`Store the private key of ${user} (${destinationNames(config).join(', ')})`);
  await runner.step('store-secret', async () => {
    const stores = [
      ...prepared.map((destination) => gitHubStore(destination, newKey, deps)),
      ...(snowflakeSecret ? [snowflakeStore(session, snowflakeSecret, user, newKey)] : []),
    ];
    const firstKey = !Object.values(target.slots).some((held) => held.fingerprint);
    const { outcomes, failure } = await storeEverywhere(stores, newKey, slotUndo, {
      firstKey,
      removeStatement: restoreKeySlotStatement(user, replaced),
    });
    record.destinations = outcomes;
    if (failure) throw failure;
    return { result: undefined, note: outcomes.map((r) => `${r.destination} ${r.result}`).join(', ') };
  });

  await runner.step('confirm-stored', async () => {
    // What this read proves: every write above finished (GitHub's metadata confirmed each) before it, and at
    // its time Snowflake held the new key in its slot and the other slot as before, so at that moment every
    // destination written held a key that logs in; unless another writer wrote the same destinations after
    // us, which only that writer can see (its own confirm-stored fails). No read proves anything about the
    // time after it: a later change is for the next writer's checks. Without this read the run would claim
    // success for a key someone replaced while it was being stored.
    const now = await describeUser(session, user).catch((error: unknown) => {
      const base = error instanceof ActionError ? error : undefined;
      throw new ActionError(
        `The destinations hold the new key ${newKey.fingerprint}, but reading ${user} back after the writes failed (${base?.message ?? String(error)}), so this run cannot show that ${slot} still holds it`,
        {
          code: base?.code,
          hint: [
            base?.hint,
            `If DESC USER ${user} shows ${newKey.fingerprint} as ${slot}_FP, the rotation is complete`,
          ]
            .filter(Boolean)
            .join('. '),
        },
      );
    });
    const moved = differences(now, expectInstalled);
    if (moved.length === 0) {
      return {
        result: undefined,
        note: `DESC USER still shows the new key in ${slot} and ${other} as before: every destination holds a registered key`,
      };
    }
    const holder = now.slots[slot].fingerprint;
    if (holder !== newKey.fingerprint) {
      const remaining = now.slots[other].fingerprint;
      const rerun = remaining
        ? `run rotate again with current-private-key set to the key in ${other} (${remaining}${remaining === keep?.fingerprint ? ', the one consumers held before this run' : ''}) and grace-period: 0s, which replaces ${holder ?? 'nothing'} in ${slot}`
        : `run rotate again`;
      throw new ActionError(
        `The destinations hold the new key ${newKey.fingerprint}, but another writer (another rotation, or someone running ALTER USER) replaced it in ${slot} of ${user} during this run (${slot} now holds ${holder ?? 'nothing'}), so the key they hold no longer logs in`,
        {
          code: 'concurrent-change',
          hint: [
            `If another rotation of ${user} is running, let it finish: once it stores its own key after this run's writes, the destinations log in again`,
            `Otherwise, once nothing else changes ${user}, ${rerun}`,
            groupAdvice(user),
          ].join('. '),
        },
      );
    }
    throw new ActionError(
      `The destinations hold the new key ${newKey.fingerprint}, registered in ${slot} of ${user}, but ${moved.join('; ')}: another writer (another rotation, or someone running ALTER USER) changed it during this run`,
      {
        code: 'concurrent-change',
        hint: [
          `The destinations log in; runs holding ${keep?.fingerprint ?? otherBefore.fingerprint ?? 'the previous key'} may not. Check DESC USER ${user} with whoever changed ${other}`,
          groupAdvice(user),
        ].join('. '),
      },
    );
  });

  const variable = config.fingerprintVariable;
  if (variable) {
    await runner.step('record-fingerprint', async () => {
      // The secrets hold the new key already; a failure here fails the run but changes nothing back.
      const written = await Promise.all(
        prepared.map((destination) =>
          deps.secretWriter.writeVariable(destination, variable, newKey.fingerprint),
        ),
      );
      return {
        result: undefined,
        note: `variable ${variable} = ${newKey.fingerprint} ${written.join(', ')} beside ${prepared.length} secret(s)`,
      };
    });
  }
  return newKey;
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

/** The connection's view of the configured login. */
export function loginRequest(login: SnowflakeLogin): LoginRequest {
  const { method, ...rest } = login;
  const credential: Credential =
    method.kind === 'key-pair' ? { kind: 'key-pair', privateKey: method.privateKey.key } : method;
  return { ...rest, credential };
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
    const base = error instanceof ActionError ? error : undefined;
    throw new ActionError(
      `Logging in as ${target.name} with the new key failed: ${base?.message ?? String(error)}`,
      {
        code: base?.code,
        hint: [
          base?.hint,
          "If a network policy keeps the runner from logging in as this user, set 'verify-login: false'",
        ]
          .filter(Boolean)
          .join('. '),
      },
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

/** A place the private key is stored in: a GitHub secret or a Snowflake secret. */
interface KeyStore {
  name: string;
  /** Writes the key; a failure is a WriteError that says whether the key may have landed. */
  store(): Promise<DestinationOutcome>;
}

function gitHubStore(
  destination: PreparedDestination,
  newKey: GeneratedKeyPair,
  deps: ModeDependencies,
): KeyStore {
  const name = describeDestination(destination.destination);
  return {
    name,
    store: async () => {
      // The secret writer confirms the write with the secret's metadata, and settles a write whose reply was
      // lost with it; a failure is a WriteError that says whether the key may have landed.
      const written = await deps.secretWriter.write(destination, newKey.privateKeyPem, deps.now());
      if (written.replyLost) {
        deps.log(
          `store-secret: ${name}: GitHub's reply to the write was lost (${written.replyLost}), but the secret reads back as ${written.result} at ${written.updatedAt ?? '?'}, after this run read it: the key is stored`,
        );
      }
      return {
        destination: name,
        result: written.confirmed ? written.result : 'unconfirmed',
        fingerprint: newKey.fingerprint,
        updatedAt: written.updatedAt,
      };
    },
  };
}

function snowflakeStore(
  session: SnowflakeSession,
  secret: PreparedSnowflakeSecret,
  user: string,
  newKey: GeneratedKeyPair,
): KeyStore {
  const name = describeSnowflakeSecret(secret.secret);
  return {
    name,
    store: async () => {
      try {
        // The secret's comment records whose key it now holds, for the next run's prepare-destinations.
        await setSnowflakeSecret(
          session,
          secret,
          { user, fingerprint: newKey.fingerprint },
          newKey.privateKeyPem,
        );
      } catch (error) {
        // Snowflake answered with an error: not written. No answer: it may have run.
        const answered =
          error instanceof ActionError &&
          /^\d{6}$/.test(error.code ?? '') &&
          !(error instanceof StatementTimeout);
        throw new WriteError(error, answered ? 'not-written' : 'unknown');
      }
      return { destination: name, result: 'updated', fingerprint: newKey.fingerprint };
    },
  };
}

async function storeEverywhere(
  stores: KeyStore[],
  newKey: GeneratedKeyPair,
  slotUndo: Compensation,
  newSlot: { firstKey: boolean; removeStatement: string },
): Promise<{ outcomes: DestinationOutcome[]; failure?: ActionError }> {
  // From the first write on, a destination may hold the new key: Snowflake must keep it, unless every
  // write is known not to have landed (below): refused, or settled by the secret writer from the metadata.
  slotUndo.armed = false;
  const settled = await Promise.allSettled(stores.map((store) => store.store()));
  const outcomes = settled.map((outcome, index): DestinationOutcome => {
    if (outcome.status === 'fulfilled') return outcome.value;
    const destination = (stores[index] as KeyStore).name;
    const notWritten = outcome.reason instanceof WriteError && outcome.reason.outcome === 'not-written';
    return { destination, result: notWritten ? 'failed' : 'unknown' };
  });
  const failures = settled.flatMap((outcome) =>
    outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
  );
  const unconfirmed = outcomes.filter((o) => o.result === 'unconfirmed');
  if (failures.length === 0 && unconfirmed.length === 0) return { outcomes };

  const first = failures[0];
  const reason =
    first === undefined
      ? 'GitHub does not list the secret as updated'
      : first instanceof Error
        ? first.message
        : String(first);
  const firstHint = first instanceof ActionError ? first.hint : undefined;
  if (outcomes.every((o) => o.result === 'failed')) {
    slotUndo.armed = true;
    const failure = new ActionError(`No destination could be written (${reason})`, {
      code: first instanceof ActionError ? first.code : undefined,
      hint: [
        firstHint,
        'No write landed (each was refused, or the secret read back shows the value was not stored), so the new key is removed from Snowflake again and every destination keeps the key it had',
      ]
        .filter(Boolean)
        .join('. '),
    });
    return { outcomes, failure };
  }
  const holdingNew = outcomes.filter(
    (o) => o.result === 'created' || o.result === 'updated' || o.result === 'unconfirmed',
  );
  const others = outcomes.filter((o) => o.result === 'failed' || o.result === 'unknown');
  const failure = new ActionError(
    `${failures.length + unconfirmed.length} of ${stores.length} destination(s) could not be written and confirmed (${reason})`,
    {
      code: first instanceof ActionError ? first.code : 'secret-not-confirmed',
      hint: [
        firstHint,
        newSlot.firstKey
          ? 'Snowflake keeps the new key, since a destination may hold it'
          : 'Snowflake keeps both keys, so every destination still logs in',
        holdingNew.length > 0
          ? `Holding the new key ${newKey.fingerprint}: ${holdingNew.map((o) => o.destination).join(', ')}`
          : undefined,
        others.length > 0
          ? `Holding ${newSlot.firstKey ? 'no key yet' : 'the previous key'}: ${others.map((o) => `${o.destination}${o.result === 'unknown' ? ' (or the new one: the outcome is unknown)' : ''}`).join(', ')}`
          : undefined,
        newSlot.firstKey
          ? `Fix the cause, then: if every destination shows its secret updated by this run, the key is in place; otherwise run mode: rotate, which adds a key and stores it everywhere (or remove the key with ${newSlot.removeStatement} and run setup again with force: true, since the destinations written hold only that key)`
          : 'Fix the cause, then run the rotation again once the grace period has passed, with current-private-key set to the new key',
      ]
        .filter(Boolean)
        .join('. '),
    },
  );
  return { outcomes, failure };
}

function maskGenerated(key: GeneratedKeyPair, setSecret: (value: string) => void): void {
  maskSecret(key.privateKeyPem, setSecret);
  // The unencrypted form exists in memory for the proof login: mask it too.
  maskSecret(exportPkcs8(key.privateKey), setSecret);
}

export function describeSlots(state: UserState): string {
  return Object.values(state.slots)
    .map(
      (slot) =>
        `${slot.slot} ${slot.fingerprint ? `${slot.fingerprint} (set ${slot.lastSetAt?.toISOString() ?? 'at an unknown time'})` : 'empty'}`,
    )
    .join(', ');
}

/**
 * Logs in (a step of its own), runs a mode's body in that session and closes it. A failure is rethrown as a
 * ModeFailure carrying the mode's result so far, so outputs and the report can say what was done.
 */
export async function inSession<Result extends { error?: string }>(
  runner: StepRunner,
  login: SnowflakeLogin,
  deps: Pick<ModeDependencies, 'connect'>,
  result: Result,
  body: (session: SnowflakeSession) => Promise<Result>,
): Promise<Result> {
  let session: SnowflakeSession | undefined;
  try {
    const opened = await runner.step('login', async () => ({
      result: await deps.connect(loginRequest(login)),
      note: `logged in to ${login.account} as ${login.user ?? 'the workload identity user'} (${login.method.kind})`,
    }));
    session = opened;
    return await body(opened);
  } catch (error) {
    result.error = renderError(error);
    throw new ModeFailure(error, result);
  } finally {
    await session?.close();
  }
}
