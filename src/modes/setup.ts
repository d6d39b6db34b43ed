import { ActionError, ModeFailure } from '../errors.js';
import type { SetupConfig } from '../inputs.js';
import type { SnowflakeSession } from '../snowflake/connection.js';
import {
  type UserState,
  createServiceUser,
  createServiceUserStatement,
  describeUser,
  setKeySlotStatement,
} from '../snowflake/users.js';
import { StepRunner, type StepTiming } from '../steps.js';
import {
  type KeyRecord,
  type ModeDependencies,
  describeSlots,
  destinationNames,
  installKey,
  loginRequest,
} from './key-install.js';

/** The record of a setup, complete or as far as it got; names and fingerprints only. */
export interface SetupResult extends KeyRecord {
  mode: 'setup';
  user: string;
  account: string;
  dryRun: boolean;
  /** The user did not exist and this run created it (or, in a dry run, would). */
  createdUser: boolean;
  /** `installed`: its first key was set and stored. `already-set`: the user had a key and was left alone. */
  key: 'installed' | 'already-set' | 'planned';
  slot?: 'RSA_PUBLIC_KEY';
  timings: StepTiming[];
  error?: string;
}

/**
 * `setup` without an access spec: the target user as a `TYPE = SERVICE` user with its first key, stored in
 * the destinations. A user that already has a key is left alone (rotating it is `rotate`'s job), so a second
 * run changes nothing and says so.
 */
export async function setup(config: SetupConfig, deps: ModeDependencies): Promise<SetupResult> {
  const runner = new StepRunner(deps.log);
  const target = config.targetUser;
  const destinations = destinationNames(config);
  const result: SetupResult = {
    mode: 'setup',
    user: target,
    account: config.snowflake.account,
    dryRun: config.dryRun,
    changed: false,
    createdUser: false,
    key: 'planned',
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

    const existing = await runner.step('read-target', async () => {
      const state = await describeIfExists(opened, target);
      return {
        result: state,
        note: state ? `${target}: ${describeSlots(state)}` : `${target} does not exist yet`,
      };
    });
    const hasKey = existing !== undefined && Object.values(existing.slots).some((slot) => slot.fingerprint);
    result.createdUser = existing === undefined;

    await runner.step('plan', async () => {
      const statements = [
        ...(existing ? [] : [createServiceUserStatement(target)]),
        ...(hasKey ? [] : [setKeySlotStatement(target, 'RSA_PUBLIC_KEY', { redacted: 'new public key' })]),
      ];
      const note = hasKey
        ? `${target} already has a key: left alone (rotate it with mode: rotate); nothing to do`
        : `${statements.join('; ')}; then store the private key in ${destinations.join(', ')}`;
      return { result: undefined, note: config.dryRun ? `${note}. Dry run: nothing will be changed` : note };
    });
    if (config.dryRun) return result;
    if (hasKey) {
      result.key = 'already-set';
      result.destinations = [];
      return result;
    }

    let user = existing;
    if (!user) {
      user = await runner.step('create-user', async () => {
        result.changed = true;
        await createServiceUser(opened, target);
        return {
          result: await describeUser(opened, target),
          note: `${target} created as a TYPE = SERVICE user`,
        };
      });
    }
    result.slot = 'RSA_PUBLIC_KEY';
    await installKey({
      runner,
      session: opened,
      config,
      deps,
      target: user,
      slot: 'RSA_PUBLIC_KEY',
      replaced: user.slots.RSA_PUBLIC_KEY,
      record: result,
    });
    result.key = 'installed';
    return result;
  } catch (error) {
    result.error = error instanceof ActionError ? error.render() : String(error);
    throw new ModeFailure(error, result);
  } finally {
    await session?.close();
  }
}

/** DESC USER, or undefined when the user does not exist (002003 also covers a user the role may not see). */
async function describeIfExists(session: SnowflakeSession, user: string): Promise<UserState | undefined> {
  try {
    return await describeUser(session, user);
  } catch (error) {
    if (error instanceof ActionError && error.code === '002003') return undefined;
    throw error;
  }
}
