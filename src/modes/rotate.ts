import { ActionError } from '../errors.js';
import type { RotateConfig } from '../config.js';
import { type UserState, describeUser, unsetKeySlot } from '../snowflake/users.js';
import { type KeySlot, type SlotName } from '../snowflake/model.js';
import { setKeySlotStatement } from '../snowflake/statements.js';
import { StepRunner, type StepTiming } from '../steps.js';
import { type ModeDependencies, describeSlots, inSession } from './context.js';
import { beginGroundwork } from './groundwork.js';
import { installKey } from './key-install.js';
import { type DestinationOutcome, destinationNames } from './key-storage.js';

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

/**
 * Zero-downtime rotation through Snowflake's two key slots: the new key goes into the slot that is not in
 * use, is proven by a real login, then stored; the key in use stays valid, so runs holding it keep working.
 */
export async function rotate(config: RotateConfig, deps: ModeDependencies): Promise<RotationResult> {
  const runner = new StepRunner(deps.log);
  const target = config.targetUser;
  const destinations = destinationNames(config);
  const result: RotationResult = {
    mode: 'rotate',
    user: target,
    account: config.snowflake.account,
    dryRun: config.dryRun,
    changed: false,
    destinations: destinations.map((destination) => ({ destination, result: 'planned' })),
    timings: runner.timings,
  };
  // Alongside the login, not after it: the new key and the destinations' public keys need nothing from it.
  const groundwork = config.dryRun ? undefined : beginGroundwork(config, deps);
  deps.phase(`Read ${target} and choose the slot for the new key`);
  return inSession(runner, config.snowflake, deps, result, async (opened) => {
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

    deps.phase(`Put a new key in ${choice.slot} of ${target} and prove it`);
    await installKey(
      {
        runner,
        session: opened,
        config,
        deps,
        target: before,
        slot: choice.slot,
        replaced: choice.replaced,
        keep: choice.inUse,
        record: result,
      },
      groundwork,
    );

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
  });
}

/**
 * Decides which slot receives the new key. Refuses whenever it cannot prove that the key consumers hold
 * now stays registered, and when the other slot was set too recently (runs queued since then hold that key:
 * GitHub reads repository secrets when a run is queued).
 */
export function chooseSlot(user: UserState, config: RotateConfig, now: Date): SlotChoice {
  const [first, second] = [user.slots.RSA_PUBLIC_KEY, user.slots.RSA_PUBLIC_KEY_2];
  const loginKey = selfRotationKey(user, config);
  const { inUse, reason } = keyInUse(user, config, loginKey);
  const replaced = inUse === undefined ? first : inUse.slot === 'RSA_PUBLIC_KEY' ? second : first;
  if (loginKey !== undefined && replaced.fingerprint === loginKey) {
    // The key this run logged in with is in use by definition, whatever current-private-key says.
    throw new ActionError(
      `${replaced.slot} of ${user.name} holds the key this run logged in with, so it cannot be replaced`,
      {
        code: 'login-key-in-use',
        hint: "Pass that key as 'current-private-key', or log in with the key the consumers hold",
      },
    );
  }
  if (replaced.fingerprint && !config.force) checkGracePeriod(user, config, now, replaced, inUse);
  return { slot: replaced.slot, inUse, replaced, reason };
}

/** The key this run logged in with, when the user rotates its own key (only a key-pair login holds one). */
function selfRotationKey(user: UserState, config: RotateConfig): string | undefined {
  const { method } = config.snowflake;
  const loginKey = method.kind === 'key-pair' ? method.privateKey.fingerprint : undefined;
  const selfRotation =
    loginKey !== undefined && user.loginName.toUpperCase() === (config.snowflake.user ?? '').toUpperCase();
  return selfRotation ? loginKey : undefined;
}

/** The slot of the key consumers hold now, and how it was found; undefined when the user has no key. */
function keyInUse(
  user: UserState,
  config: RotateConfig,
  loginKey: string | undefined,
): { inUse?: KeySlot; reason: string } {
  const [first, second] = [user.slots.RSA_PUBLIC_KEY, user.slots.RSA_PUBLIC_KEY_2];
  const bySlotFingerprint = (fingerprint: string): KeySlot | undefined =>
    [first, second].find((slot) => slot.fingerprint === fingerprint);
  if (config.currentPrivateKey) {
    const inUse = bySlotFingerprint(config.currentPrivateKey.fingerprint);
    if (!inUse) {
      throw new ActionError(
        `The key in 'current-private-key' (${config.currentPrivateKey.fingerprint}) is registered in neither slot of ${user.name}, so rotating would not help the workflows that hold it`,
        {
          code: 'current-key-unregistered',
          hint: `Registered: RSA_PUBLIC_KEY ${first.fingerprint ?? 'empty'}, RSA_PUBLIC_KEY_2 ${second.fingerprint ?? 'empty'}. Pass the key the consumers actually hold, or register it first in a slot no consumer uses: ${setKeySlotStatement(user.name, first.fingerprint ? 'RSA_PUBLIC_KEY_2' : 'RSA_PUBLIC_KEY', { redacted: 'its public key' })}`,
        },
      );
    }
    return { inUse, reason: `the key in 'current-private-key' is in ${inUse.slot}` };
  }
  if (loginKey) {
    const inUse = bySlotFingerprint(loginKey);
    if (!inUse) {
      throw new ActionError(`The key ${user.name} logged in with (${loginKey}) is in neither of its slots`, {
        code: 'login-key-unregistered',
        hint: 'The user changed between the login and DESC USER; check DESC USER and run the step again',
      });
    }
    return { inUse, reason: `${user.name} rotates its own key; the login key is in ${inUse.slot}` };
  }
  if (first.fingerprint && second.fingerprint) {
    if (!config.force) {
      throw new ActionError(
        `Both key slots of ${user.name} are set and nothing says which key the workflows hold`,
        {
          code: 'key-in-use-unknown',
          hint: "Pass the key they hold in 'current-private-key' (e.g. ${{ secrets.SNOWFLAKE_PRIVATE_KEY }}), or set 'force: true' to keep RSA_PUBLIC_KEY and replace RSA_PUBLIC_KEY_2",
        },
      );
    }
    return {
      inUse: first,
      reason: 'both slots are set and the key in use is unknown; force keeps RSA_PUBLIC_KEY',
    };
  }
  if (first.fingerprint || second.fingerprint) {
    const inUse = first.fingerprint ? first : second;
    return { inUse, reason: `only ${inUse.slot} is set, so it holds the key in use` };
  }
  return { inUse: undefined, reason: `${user.name} has no key yet` };
}

/** Refuses to replace a key set within the grace period, or while the key in use was set within it. */
function checkGracePeriod(
  user: UserState,
  config: RotateConfig,
  now: Date,
  replaced: KeySlot,
  inUse: KeySlot | undefined,
): void {
  if (!replaced.lastSetAt) {
    throw new ActionError(
      `Snowflake does not say when ${replaced.slot} of ${user.name} was set, so the grace period cannot be checked`,
      { code: 'grace-period-unknown', hint: "Set 'force: true' to replace it anyway" },
    );
  }
  // Runs queued since the replaced key was set may hold it; so may runs queued before the key in use
  // replaced it in the secret. The later of the two times counts.
  const since = inUse?.lastSetAt && inUse.lastSetAt > replaced.lastSetAt ? inUse : replaced;
  const setAt = since.lastSetAt as Date;
  const ageMs = now.getTime() - setAt.getTime();
  if (ageMs >= config.gracePeriodMs) return;
  const what =
    since === inUse
      ? `the key in use (${inUse.slot}) of ${user.name} was set ${formatAge(Math.max(ageMs, 0))} ago, within the grace period of ${formatAge(config.gracePeriodMs)}: ${replaced.slot} held the key in use until then, and runs queued before the change may still hold it`
      : `${replaced.slot} of ${user.name} was set ${formatAge(Math.max(ageMs, 0))} ago, within the grace period of ${formatAge(config.gracePeriodMs)}: replacing it now would cut off runs queued with that key`;
  throw new ActionError(what.charAt(0).toUpperCase() + what.slice(1), {
    code: 'grace-period',
    // This is also what stops a second rotation started together with a first one that has already
    // set its key: both hold the same key in use, so the second would replace the first's new key.
    hint: `Wait until ${new Date(setAt.getTime() + config.gracePeriodMs).toISOString()}, shorten 'grace-period', or set 'force: true'. If another rotation of ${user.name} set it and is still running, do none of these: let it finish, and give every workflow that rotates ${user.name} one concurrency group (concurrency: { group: snowflake-key-${user.name}, cancel-in-progress: false }) so that their runs queue`,
  });
}

export function formatAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 72) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}
