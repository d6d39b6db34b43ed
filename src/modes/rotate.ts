import { ActionError } from '../errors.js';
import type { RotateConfig } from '../inputs.js';
import { exportPkcs8, type GeneratedKeyPair, generateRsaKeyPair } from '../keys.js';
import { maskSecret } from '../mask.js';
import { describeDestination } from '../github/destinations.js';
import type { PreparedDestination, SecretWriter, WriteResult } from '../github/secrets.js';
import type { SnowflakeConnector, SnowflakeSession } from '../snowflake/connection.js';
import { quoteIdentifier } from '../snowflake/identifiers.js';
import {
  type KeySlot,
  type SlotName,
  type UserState,
  describeUser,
  restoreKeySlot,
  setKeySlot,
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
  result: WriteResult | 'planned' | 'failed' | 'unknown';
  fingerprint?: string;
  updatedAt?: string;
}

export interface RotationResult {
  mode: 'rotate';
  user: string;
  account: string;
  dryRun: boolean;
  changed: boolean;
  choice: SlotChoice;
  fingerprint?: string;
  rotatedAt?: string;
  destinations: DestinationOutcome[];
  retired?: SlotName;
  timings: StepTiming[];
}

/**
 * Zero-downtime rotation through Snowflake's two key slots: the new key goes into the slot that is not in
 * use, is proven by a real login, then stored; the key in use stays valid, so runs holding it keep working.
 */
export async function rotate(config: RotateConfig, deps: RotateDependencies): Promise<RotationResult> {
  const runner = new StepRunner(deps.log);
  const target = config.targetUser;
  const selfRotation = target === config.snowflake.user;
  const destinations = config.destinations.map(describeDestination);

  const session = await runner.step('login', async () => {
    const opened = await deps.connect({ ...config.snowflake, privateKey: config.snowflake.privateKey.key });
    return { result: opened, note: `logged in to ${config.snowflake.account} as ${config.snowflake.user}` };
  });
  try {
    const before = await runner.step('read-target', async () => {
      const state = await describeUser(session, target);
      return { result: state, note: `${target}: ${describeSlots(state)}` };
    });

    const choice = await runner.step('choose-slot', async () => {
      const chosen = chooseSlot(before, config, selfRotation, deps.now());
      return { result: chosen, note: `${chosen.reason}; the new key goes into ${chosen.slot}` };
    });

    await runner.step('plan', async () => ({
      result: undefined,
      note:
        `write ${choice.slot} (replacing ${choice.replaced.fingerprint ?? 'nothing'}), keep ` +
        `${choice.inUse ? `${choice.inUse.slot} ${choice.inUse.fingerprint}` : 'no other key'}; store in ${destinations.join(', ')}` +
        (config.dryRun ? ' (dry run: nothing will be changed)' : ''),
    }));

    if (config.dryRun) {
      return {
        mode: 'rotate',
        user: target,
        account: config.snowflake.account,
        dryRun: true,
        changed: false,
        choice,
        destinations: destinations.map((destination) => ({ destination, result: 'planned' })),
        timings: runner.timings,
      };
    }

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
        const list = await Promise.all(config.destinations.map((d) => deps.secretWriter.prepare(d)));
        return { result: list, note: `public keys fetched for ${list.length} destination(s)` };
      }),
    ]);

    const rotatedAt = deps.now();
    const slotUndo = await runner.step('set-key', async () => {
      await setKeySlot(session, target, choice.slot, newKey.publicKeyBody);
      const undo = runner.onFailure('set-key', `restore ${choice.slot} of ${target}`, async () => {
        await restoreKeySlot(session, target, choice.replaced);
        const restored = await describeUser(session, target);
        if (restored.slots[choice.slot].fingerprint !== choice.replaced.fingerprint) {
          throw new ActionError(`${choice.slot} of ${target} did not read back as it was before the run`);
        }
      });
      return { result: undo, note: `${choice.slot} of ${target} set to ${newKey.fingerprint}` };
    });

    await runner.step('confirm-key', async () => {
      const after = await describeUser(session, target);
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
        await proveLogin(config, deps, newKey);
        return { result: undefined, note: `logged in as ${target} with the new key` };
      });
    } else {
      deps.log('prove-login: skipped (verify-login: false)');
    }

    const outcomes = await runner.step('store-secret', async () => {
      const results = await storeEverywhere(prepared, newKey, deps, slotUndo);
      return { result: results, note: results.map((r) => `${r.destination} ${r.result}`).join(', ') };
    });

    let retired: SlotName | undefined;
    if (config.retirePrevious && choice.inUse) {
      const inUse = choice.inUse;
      retired = await runner.step('retire-previous', async () => {
        await unsetKeySlot(session, target, inUse.slot);
        deps.warn(
          `Retired ${inUse.slot} (${inUse.fingerprint}) of ${target}: runs queued before this rotation still hold that key and will fail to log in`,
        );
        return { result: inUse.slot, note: `${inUse.slot} of ${target} unset` };
      });
    }

    return {
      mode: 'rotate',
      user: target,
      account: config.snowflake.account,
      dryRun: false,
      changed: true,
      choice,
      fingerprint: newKey.fingerprint,
      rotatedAt: rotatedAt.toISOString(),
      destinations: outcomes,
      retired,
      timings: runner.timings,
    };
  } finally {
    await session.close();
  }
}

/**
 * Decides which slot receives the new key. Refuses whenever it cannot prove that the key consumers hold
 * now stays registered, and when the other slot was set too recently (runs queued since then hold that key:
 * GitHub reads repository secrets when a run is queued).
 */
export function chooseSlot(
  user: UserState,
  config: RotateConfig,
  selfRotation: boolean,
  now: Date,
): SlotChoice {
  const [first, second] = [user.slots.RSA_PUBLIC_KEY, user.slots.RSA_PUBLIC_KEY_2];
  const quoted = quoteIdentifier(user.name);
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
          hint: `Registered: RSA_PUBLIC_KEY ${first.fingerprint ?? 'empty'}, RSA_PUBLIC_KEY_2 ${second.fingerprint ?? 'empty'}. Pass the key the consumers actually hold, or register it first (ALTER USER ${quoted} SET RSA_PUBLIC_KEY_2 = '<its public key>')`,
        },
      );
    }
    reason = `the key in 'current-private-key' is in ${inUse.slot}`;
  } else if (selfRotation) {
    inUse = bySlotFingerprint(config.snowflake.privateKey.fingerprint);
    if (!inUse) {
      throw new ActionError(`The login key of ${user.name} is registered in neither slot of the user`, {
        code: 'login-key-unregistered',
        hint: 'Another writer changed the user during the run; run the step again',
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
  if (replaced.fingerprint && !config.force) {
    if (!replaced.lastSetAt) {
      throw new ActionError(
        `Snowflake does not say when ${replaced.slot} of ${user.name} was set, so the grace period cannot be checked`,
        {
          code: 'grace-period-unknown',
          hint: "Set 'force: true' to replace it anyway",
        },
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

async function proveLogin(
  config: RotateConfig,
  deps: RotateDependencies,
  newKey: GeneratedKeyPair,
): Promise<void> {
  let proof: SnowflakeSession;
  try {
    proof = await deps.connect({
      ...config.snowflake,
      user: config.targetUser,
      role: undefined,
      privateKey: newKey.privateKey,
    });
  } catch (error) {
    throw new ActionError(
      `Logging in as ${config.targetUser} with the new key failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        code: (error as ActionError).code,
        hint: "If a network policy keeps the runner from logging in as this user, set 'verify-login: false'",
      },
    );
  }
  try {
    const rows = await proof.execute('SELECT CURRENT_USER() AS "USER"');
    const current = String(rows[0]?.USER ?? '');
    if (current !== config.targetUser) {
      throw new ActionError(`The new key logged in as ${current || 'nobody'}, not ${config.targetUser}`, {
        code: 'wrong-user',
      });
    }
  } finally {
    await proof.close();
  }
}

async function storeEverywhere(
  prepared: PreparedDestination[],
  newKey: GeneratedKeyPair,
  deps: RotateDependencies,
  slotUndo: Compensation,
): Promise<DestinationOutcome[]> {
  // From the first write on, a destination may hold the new key: Snowflake must keep it, unless every
  // write was refused outright (below).
  slotUndo.armed = false;
  const settled = await Promise.allSettled(
    prepared.map(async (destination) => {
      const result = await deps.secretWriter.write(destination, newKey.privateKeyPem);
      const metadata = await deps.secretWriter.metadata(destination.destination);
      if (!metadata) {
        throw new ActionError(
          `${describeDestination(destination.destination)} was written but GitHub does not list it`,
          { code: 'secret-not-confirmed' },
        );
      }
      return { result, updatedAt: metadata.updatedAt };
    }),
  );
  const outcomes = settled.map((outcome, index): DestinationOutcome => {
    const destination = describeDestination((prepared[index] as PreparedDestination).destination);
    if (outcome.status === 'fulfilled') {
      return {
        destination,
        result: outcome.value.result,
        fingerprint: newKey.fingerprint,
        updatedAt: outcome.value.updatedAt,
      };
    }
    return { destination, result: definitelyNotWritten(outcome.reason) ? 'failed' : 'unknown' };
  });
  const failures = settled.flatMap((outcome) =>
    outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
  );
  if (failures.length > 0) {
    const first = failures[0];
    const reason = first instanceof Error ? first.message : String(first);
    if (outcomes.every((o) => o.result === 'failed')) {
      slotUndo.armed = true;
      throw new ActionError(`No destination could be written (${reason})`, {
        code: first instanceof ActionError ? first.code : undefined,
        hint: [
          first instanceof ActionError ? first.hint : undefined,
          'GitHub refused every write, so the new key is removed from Snowflake again and every destination keeps the key it had',
        ]
          .filter(Boolean)
          .join('. '),
      });
    }
    const written = outcomes
      .filter((o) => o.result === 'created' || o.result === 'updated')
      .map((o) => o.destination);
    throw new ActionError(
      `${failures.length} of ${prepared.length} destination(s) could not be written (${reason})`,
      {
        code: first instanceof ActionError ? first.code : undefined,
        hint:
          `Snowflake keeps both keys, so every destination's key still logs in. ` +
          (written.length > 0 ? `Hold the new key ${newKey.fingerprint}: ${written.join(', ')}. ` : '') +
          `Still hold the previous key (or unknown): ${outcomes
            .filter((o) => o.result === 'failed' || o.result === 'unknown')
            .map((o) => `${o.destination} (${o.result === 'failed' ? 'previous key' : 'unknown'})`)
            .join(', ')}. ` +
          'Fix the cause and run the rotation again with current-private-key set to the key the failed destinations hold',
      },
    );
  }
  return outcomes;
}

/** A 4xx answer to a write means GitHub did not store the value; anything else may have landed. */
function definitelyNotWritten(error: unknown): boolean {
  const status = Number((error as ActionError).code);
  return status >= 400 && status < 500;
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
