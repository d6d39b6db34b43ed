import { ActionError, WriteError } from '../errors.js';
import type { RotateConfig } from '../inputs.js';
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
import { checkSnowflakeSecret, describeSnowflakeSecret, setSnowflakeSecret } from '../snowflake/secrets.js';
import {
  type KeySlot,
  type SlotName,
  type UserState,
  describeUser,
  restoreKeySlot,
  restoreKeySlotStatement,
  setKeySlot,
  setKeySlotStatement,
  unsetKeySlot,
} from '../snowflake/users.js';
import { type Compensation, StepRunner, type StepTiming } from '../steps.js';

/** What a rotation needs from the outside world; tests pass their own. */
export interface RotateDependencies {
  connect: SnowflakeConnector;
  secretWriter: SecretWriter;
  now: () => Date;
  setSecret: (value: string) => void;
  log: (line: string) => void;
  warn: (line: string) => void;
  generateKeyPair?: typeof generateRsaKeyPair;
}

export interface SlotChoice {
  /** The slot the new key goes into. */
  slot: SlotName;
  /** The slot holding the key consumers use now, kept valid; undefined when the user has no key. */
  inUse?: KeySlot;
  /** What the new key replaces in its slot (possibly nothing). */
  replaced: KeySlot;
  /** How the key in use was identified, for the log. */
  reason: string;
}

export interface DestinationOutcome {
  destination: string;
  /**
   * `created`/`updated`: written and confirmed. `unconfirmed`: GitHub accepted the write but its metadata
   * did not confirm it. `failed`: GitHub refused it, the value was not stored. `unknown`: it may have been.
   */
  result: WriteResult | 'planned' | 'unconfirmed' | 'failed' | 'unknown';
  fingerprint?: string;
  updatedAt?: string;
}

/** The record of a rotation, complete or as far as it got; it holds names and fingerprints only. */
export interface RotationResult {
  mode: 'rotate';
  user: string;
  account: string;
  dryRun: boolean;
  /** True as soon as Snowflake or GitHub may have been changed, and still true after a roll-back. */
  changed: boolean;
  choice?: SlotChoice;
  fingerprint?: string;
  rotatedAt?: string;
  destinations: DestinationOutcome[];
  retired?: SlotName;
  timings: StepTiming[];
  /** What failed, when the run failed. */
  error?: string;
}

/** A failed rotation, carrying how far it got, so outputs and the report can say what changed. */
export class RotationFailure extends ActionError {
  constructor(
    readonly original: unknown,
    readonly result: RotationResult,
  ) {
    const base = original instanceof ActionError ? original : undefined;
    super(
      base?.message ?? `Unexpected error: ${original instanceof Error ? original.message : String(original)}`,
      {
        code: base?.code,
        hint: base?.hint,
        cause: original,
      },
    );
    this.name = 'RotationFailure';
  }
}

/** How far GitHub's `updated_at` may trail our clock and still confirm a write of this run. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Zero-downtime rotation through Snowflake's two key slots: the new key goes into the slot that is not in
 * use, is proven by a real login, then stored; the key in use stays valid, so runs holding it keep working.
 */
export async function rotate(config: RotateConfig, deps: RotateDependencies): Promise<RotationResult> {
  const runner = new StepRunner(deps.log);
  const target = config.targetUser;
  const destinations = [
    ...config.destinations.map(describeDestination),
    ...(config.snowflakeSecret ? [describeSnowflakeSecret(config.snowflakeSecret)] : []),
  ];
  const result: RotationResult = {
    mode: 'rotate',
    user: target,
    account: config.snowflake.account,
    dryRun: config.dryRun,
    changed: false,
    destinations: destinations.map((destination) => ({ destination, result: 'planned' })),
    timings: runner.timings,
  };
  let session: SnowflakeSession | undefined;
  try {
    const opened = await runner.step('login', async () => ({
      result: await deps.connect(loginRequest(config.snowflake)),
      note: `logged in to ${config.snowflake.account} as ${config.snowflake.user ?? 'the workload identity user'} (${config.snowflake.method.kind})`,
    }));
    session = opened;

    const before = await runner.step('read-target', async () => {
      const state = await describeUser(opened, target);
      return { result: state, note: `${target}: ${describeSlots(state)}` };
    });

    const choice = await runner.step('choose-slot', async () => {
      const chosen = chooseSlot(before, config, deps.now());
      return { result: chosen, note: `${chosen.reason}; the new key goes into ${chosen.slot}` };
    });
    result.choice = choice;

    await runner.step('plan', async () => ({
      result: undefined,
      note:
        `write ${choice.slot} (replacing ${choice.replaced.fingerprint ?? 'nothing'}), keep ` +
        `${choice.inUse ? `${choice.inUse.slot} ${choice.inUse.fingerprint}` : 'no other key'}; store in ${destinations.join(', ')}` +
        (config.dryRun
          ? `. Dry run: nothing will be changed; the rotation would run ${setKeySlotStatement(target, choice.slot, { redacted: 'new public key' })}`
          : ''),
    }));
    if (config.dryRun) return result;

    // Independent work runs together: generating the key and fetching every destination's public key.
    const [newKey, prepared] = await Promise.all([
      runner.step('generate-key', async () => {
        const generated = await (deps.generateKeyPair ?? generateRsaKeyPair)(
          config.keyBits,
          config.keyPassphrase,
        );
        maskGenerated(generated, deps.setSecret);
        return { result: generated, note: `${config.keyBits}-bit RSA key ${generated.fingerprint}` };
      }),
      runner.step('prepare-destinations', async () => {
        const [list] = await Promise.all([
          Promise.all(config.destinations.map((d) => deps.secretWriter.prepare(d))),
          config.snowflakeSecret ? checkSnowflakeSecret(opened, config.snowflakeSecret) : undefined,
        ]);
        return {
          result: list,
          note: `public keys fetched for ${list.length} destination(s)${config.snowflakeSecret ? `; ${describeSnowflakeSecret(config.snowflakeSecret)} is a GENERIC_STRING secret` : ''}`,
        };
      }),
    ]);
    result.fingerprint = newKey.fingerprint;

    const slotUndo = await runner.step('set-key', async () => {
      // Armed before the ALTER: if its reply is lost, the key may be set all the same.
      const undo = runner.onFailure(
        `restore ${choice.slot} of ${target}`,
        () => restoreIfStillOurs(opened, target, choice.replaced, newKey.fingerprint),
        `if DESC USER ${target} shows ${newKey.fingerprint} in ${choice.slot}, put it back with ${restoreKeySlotStatement(target, choice.replaced)} (the new private key was never stored; it is gone)`,
      );
      result.changed = true;
      result.rotatedAt = deps.now().toISOString();
      await setKeySlot(opened, target, choice.slot, newKey.publicKeyBody);
      return { result: undo, note: `${choice.slot} of ${target} set to ${newKey.fingerprint}` };
    });

    await runner.step('confirm-key', async () => {
      const after = await describeUser(opened, target);
      if (after.slots[choice.slot].fingerprint !== newKey.fingerprint) {
        throw new ActionError(
          `${choice.slot} of ${target} reads back ${after.slots[choice.slot].fingerprint ?? 'empty'}, not the new key: another writer changed the user during the run`,
          {
            code: 'concurrent-change',
            hint: 'Use a concurrency group for rotation workflows, then run the step again',
          },
        );
      }
      if (choice.inUse && after.slots[choice.inUse.slot].fingerprint !== choice.inUse.fingerprint) {
        throw new ActionError(
          `${choice.inUse.slot} of ${target} no longer holds the key in use (${choice.inUse.fingerprint}): another writer changed the user during the run`,
          {
            code: 'concurrent-change',
            hint: 'Use a concurrency group for rotation workflows, then check DESC USER',
          },
        );
      }
      return {
        result: undefined,
        note: `DESC USER shows the new key in ${choice.slot}${choice.inUse ? ` and the key in use in ${choice.inUse.slot}` : ''}`,
      };
    });

    if (config.verifyLogin) {
      await runner.step('prove-login', async () => {
        await proveLogin(config, before, deps, newKey);
        return { result: undefined, note: `logged in as ${target} with the new key` };
      });
    } else {
      deps.log('prove-login: skipped (verify-login: false)');
    }

    await runner.step('store-secret', async () => {
      const stores = [
        ...prepared.map((destination) => gitHubStore(destination, newKey, deps)),
        ...(config.snowflakeSecret ? [snowflakeStore(opened, config.snowflakeSecret, newKey)] : []),
      ];
      const { outcomes, failure } = await storeEverywhere(stores, newKey, slotUndo);
      result.destinations = outcomes;
      if (failure) throw failure;
      return {
        result: undefined,
        note: result.destinations.map((r) => `${r.destination} ${r.result}`).join(', '),
      };
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

    const inUse = choice.inUse;
    if (config.retirePrevious && inUse) {
      result.retired = await runner.step('retire-previous', async () => {
        await unsetKeySlot(opened, target, inUse.slot);
        deps.warn(
          `Retired ${inUse.slot} (${inUse.fingerprint}) of ${target}: runs queued before this rotation still hold that key and will fail to log in`,
        );
        return { result: inUse.slot, note: `${inUse.slot} of ${target} unset` };
      });
    }
    return result;
  } catch (error) {
    result.error = error instanceof ActionError ? error.render() : String(error);
    throw new RotationFailure(error, result);
  } finally {
    await session?.close();
  }
}

/** The connection's view of the configured login. */
function loginRequest(login: RotateConfig['snowflake']): LoginRequest {
  const { method, ...rest } = login;
  const credential: Credential =
    method.kind === 'key-pair' ? { kind: 'key-pair', privateKey: method.privateKey.key } : method;
  return { ...rest, credential };
}

/**
 * Decides which slot receives the new key. Refuses whenever it cannot prove that the key consumers hold
 * now stays registered, and when the other slot was set too recently (runs queued since then hold that key:
 * GitHub reads repository secrets when a run is queued).
 */
export function chooseSlot(user: UserState, config: RotateConfig, now: Date): SlotChoice {
  const [first, second] = [user.slots.RSA_PUBLIC_KEY, user.slots.RSA_PUBLIC_KEY_2];
  // Only a key-pair login holds a key of its own; the other methods leave both slots to the consumers.
  const { method } = config.snowflake;
  const loginKey = method.kind === 'key-pair' ? method.privateKey.fingerprint : undefined;
  const selfRotation =
    loginKey !== undefined && user.loginName.toUpperCase() === (config.snowflake.user ?? '').toUpperCase();
  const bySlotFingerprint = (fingerprint: string): KeySlot | undefined =>
    [first, second].find((slot) => slot.fingerprint === fingerprint);

  let inUse: KeySlot | undefined;
  let reason: string;
  if (config.currentPrivateKey) {
    inUse = bySlotFingerprint(config.currentPrivateKey.fingerprint);
    if (!inUse) {
      throw new ActionError(
        `The key in 'current-private-key' (${config.currentPrivateKey.fingerprint}) is registered in neither slot of ${user.name}, so rotating would not help the workflows that hold it`,
        {
          code: 'current-key-unregistered',
          hint: `Registered: RSA_PUBLIC_KEY ${first.fingerprint ?? 'empty'}, RSA_PUBLIC_KEY_2 ${second.fingerprint ?? 'empty'}. Pass the key the consumers actually hold, or register it first in a slot no consumer uses: ${setKeySlotStatement(user.name, first.fingerprint ? 'RSA_PUBLIC_KEY_2' : 'RSA_PUBLIC_KEY', { redacted: 'its public key' })}`,
        },
      );
    }
    reason = `the key in 'current-private-key' is in ${inUse.slot}`;
  } else if (selfRotation && loginKey) {
    inUse = bySlotFingerprint(loginKey);
    if (!inUse) {
      throw new ActionError(`The key ${user.name} logged in with (${loginKey}) is in neither of its slots`, {
        code: 'login-key-unregistered',
        hint: 'The user changed between the login and DESC USER; check DESC USER and run the step again',
      });
    }
    reason = `${user.name} rotates its own key; the login key is in ${inUse.slot}`;
  } else if (first.fingerprint && second.fingerprint) {
    if (!config.force) {
      throw new ActionError(
        `Both key slots of ${user.name} are set and nothing says which key the workflows hold`,
        {
          code: 'key-in-use-unknown',
          hint: "Pass the key they hold in 'current-private-key' (e.g. ${{ secrets.SNOWFLAKE_PRIVATE_KEY }}), or set 'force: true' to keep RSA_PUBLIC_KEY and replace RSA_PUBLIC_KEY_2",
        },
      );
    }
    inUse = first;
    reason = 'both slots are set and the key in use is unknown; force keeps RSA_PUBLIC_KEY';
  } else if (first.fingerprint || second.fingerprint) {
    inUse = first.fingerprint ? first : second;
    reason = `only ${inUse.slot} is set, so it holds the key in use`;
  } else {
    inUse = undefined;
    reason = `${user.name} has no key yet`;
  }

  const replaced = inUse === undefined ? first : inUse.slot === 'RSA_PUBLIC_KEY' ? second : first;
  if (selfRotation && replaced.fingerprint === loginKey) {
    // The key this run logged in with is in use by definition, whatever current-private-key says.
    throw new ActionError(
      `${replaced.slot} of ${user.name} holds the key this run logged in with, so it cannot be replaced`,
      {
        code: 'login-key-in-use',
        hint: "Pass that key as 'current-private-key', or log in with the key the consumers hold",
      },
    );
  }
  if (replaced.fingerprint && !config.force) {
    if (!replaced.lastSetAt) {
      throw new ActionError(
        `Snowflake does not say when ${replaced.slot} of ${user.name} was set, so the grace period cannot be checked`,
        { code: 'grace-period-unknown', hint: "Set 'force: true' to replace it anyway" },
      );
    }
    const ageMs = now.getTime() - replaced.lastSetAt.getTime();
    if (ageMs < config.gracePeriodMs) {
      throw new ActionError(
        `${replaced.slot} of ${user.name} was set ${formatAge(Math.max(ageMs, 0))} ago, within the grace period of ${formatAge(config.gracePeriodMs)}: replacing it now would cut off runs queued with that key`,
        {
          code: 'grace-period',
          hint: `Wait until ${new Date(replaced.lastSetAt.getTime() + config.gracePeriodMs).toISOString()}, shorten 'grace-period', or set 'force: true'`,
        },
      );
    }
  }
  return { slot: replaced.slot, inUse, replaced, reason };
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

async function proveLogin(
  config: RotateConfig,
  target: UserState,
  deps: RotateDependencies,
  newKey: GeneratedKeyPair,
): Promise<void> {
  let proof: SnowflakeSession;
  try {
    proof = await deps.connect({
      ...loginRequest(config.snowflake),
      user: target.loginName,
      role: undefined,
      credential: { kind: 'key-pair', privateKey: newKey.privateKey },
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
  } finally {
    await proof.close();
  }
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
  deps: RotateDependencies,
): KeyStore {
  const name = describeDestination(destination.destination);
  return {
    name,
    store: async () => {
      const writeStart = deps.now().getTime();
      const written = await deps.secretWriter.write(destination, newKey.privateKeyPem);
      const metadata = await deps.secretWriter.metadata(destination.destination).catch(() => undefined);
      const updatedAt = metadata ? Date.parse(metadata.updatedAt) : Number.NaN;
      // GitHub accepted the write; its metadata must show it happened in this run.
      const confirmed = updatedAt >= writeStart - CLOCK_SKEW_MS;
      return {
        destination: name,
        result: confirmed ? written : 'unconfirmed',
        fingerprint: newKey.fingerprint,
        updatedAt: metadata?.updatedAt,
      };
    },
  };
}

function snowflakeStore(
  session: SnowflakeSession,
  secret: NonNullable<RotateConfig['snowflakeSecret']>,
  newKey: GeneratedKeyPair,
): KeyStore {
  const name = describeSnowflakeSecret(secret);
  return {
    name,
    store: async () => {
      try {
        await setSnowflakeSecret(session, secret, newKey.privateKeyPem);
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
): Promise<{ outcomes: DestinationOutcome[]; failure?: ActionError }> {
  // From the first write on, a destination may hold the new key: Snowflake must keep it, unless every
  // write was refused outright (below).
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
        'Every write was refused, so the new key is removed from Snowflake again and every destination keeps the key it had',
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
        'Snowflake keeps both keys, so every destination still logs in',
        holdingNew.length > 0
          ? `Holding the new key ${newKey.fingerprint}: ${holdingNew.map((o) => o.destination).join(', ')}`
          : undefined,
        others.length > 0
          ? `Holding the previous key: ${others.map((o) => `${o.destination}${o.result === 'unknown' ? ' (or the new one: the outcome is unknown)' : ''}`).join(', ')}`
          : undefined,
        'Fix the cause, then run the rotation again once the grace period has passed, with current-private-key set to the new key',
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

function describeSlots(state: UserState): string {
  return Object.values(state.slots)
    .map(
      (slot) =>
        `${slot.slot} ${slot.fingerprint ? `${slot.fingerprint} (set ${slot.lastSetAt?.toISOString() ?? 'at an unknown time'})` : 'empty'}`,
    )
    .join(', ');
}

export function formatAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 72) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}
