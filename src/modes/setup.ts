import { ActionError, sentences } from '../errors.js';
import type { SetupConfig } from '../config.js';
import { describeDestination } from '../github/destinations.js';
import type { SnowflakeSession } from '../snowflake/connection.js';
import { StatementError, StatementTimeout } from '../snowflake/connection.js';
import { type UserState, describeUser } from '../snowflake/users.js';
import { setKeySlotStatement } from '../snowflake/statements.js';
import { singleKeyedUser } from '../access-spec/model.js';
import { StepRunner, type StepTiming } from '../steps.js';
import { type ModeDependencies, describeSlots, inSession } from './context.js';
import { type Groundwork, beginGroundwork } from './groundwork.js';
import { type KeyRecord, installKey } from './key-install.js';
import { type KeyTarget, type Plan, type PlannedStatement, planSetup } from './setup-plan.js';
import { checkStoredKeys } from './stored-keys.js';
import { REFUSAL_CODES } from '../snowflake/error-codes.js';

/** A user that gets (or has) its first key. */
export interface PlannedKey {
  user: string;
  /** `unknown`: the session's role may not read the user (it is owned by another role), so it was left alone. */
  result: 'planned' | 'installed' | 'already-set' | 'unknown';
  destinations: string[];
  fingerprint?: string;
}

/** The record of a setup, complete or as far as it got; names, SQL without values, fingerprints only. */
export interface SetupResult extends KeyRecord {
  mode: 'setup';
  user: string;
  account: string;
  dryRun: boolean;
  /** The spec applied, if any. */
  spec?: string;
  statements: PlannedStatement[];
  keys: PlannedKey[];
  /** Where the first key went, when exactly one was installed. */
  slot?: 'RSA_PUBLIC_KEY';
  timings: StepTiming[];
  error?: string;
}

/**
 * `setup`: creates what the access spec declares and the account lacks, in dependency order, never dropping
 * or revoking anything; then gives each user with a `key` block and no key its first key pair, stored where
 * the block says. Without a spec, `target-user` as a `TYPE = SERVICE` user with its first key. A second run
 * changes nothing and says so.
 */
export async function setup(config: SetupConfig, deps: ModeDependencies): Promise<SetupResult> {
  const runner = new StepRunner(deps.log);
  const result: SetupResult = {
    mode: 'setup',
    // With a spec, the one user it gives a key, if there is exactly one; otherwise the target user.
    user: config.spec ? singleKeyedUser(config.spec) : config.targetUser,
    account: config.snowflake.account,
    dryRun: config.dryRun,
    spec: config.spec?.file,
    changed: false,
    statements: [],
    keys: [],
    destinations: [],
    timings: runner.timings,
  };
  deps.phase(
    `Read ${config.snowflake.account} and plan ${config.spec ? `what ${config.spec.file} declares` : `the user ${config.targetUser}`}`,
  );
  return inSession(runner, config.snowflake, deps, result, async (session) => {
    const run: SetupRun = {
      runner,
      session,
      config,
      deps,
      result,
      findHolder: holderAmong(session, config.spec?.users.map((u) => u.name) ?? []),
    };
    const plan = await readAndPlan(run);
    const groundwork = await checkDestinations(
      run,
      plan.keys.filter((key) => key.hasKey === false),
    );
    if (config.dryRun) return result;

    await applyStatements(run, plan.before);
    for (const key of plan.keys) await giveFirstKey(run, key, groundwork.get(key.user));
    await applyStatements(run, plan.after);
    if (!result.changed) deps.log('nothing to change: the account already matches');
    return result;
  });
}

/** What the steps of one setup share; only its result changes as they go. */
interface SetupRun {
  runner: StepRunner;
  session: SnowflakeSession;
  config: SetupConfig;
  deps: ModeDependencies;
  result: SetupResult;
  /** Which of the spec's users holds a fingerprint, for naming it when a destination holds that key. */
  findHolder: (fingerprint: string) => Promise<string | undefined>;
}

/** read-account and plan: what the account lacks, each user's key as SHOW USERS tells it, the plan logged. */
async function readAndPlan({ runner, session, config, deps, result }: SetupRun): Promise<Plan> {
  const plan = await runner.step('read-account', async () => {
    const planned = await planSetup(session, config);
    return { result: planned, note: describeRead(planned) };
  });
  result.statements = [...plan.before, ...plan.after];
  result.keys = plan.keys.map((key) => ({
    user: key.user,
    result: key.hasKey === true ? 'already-set' : 'planned',
    destinations: key.destinations.map(describeDestination),
  }));

  await runner.step('plan', async () => ({
    result: undefined,
    note: describePlan(plan, result.keys, config.dryRun),
  }));
  for (const key of result.keys.filter((k) => k.result === 'already-set')) {
    deps.log(`${key.user} already has a key: left alone (rotate it with mode: rotate)`);
  }
  return plan;
}

/**
 * check-destinations: before the first statement, every GitHub destination of a first key is checked for
 * everything its write needs (token, permission, repository, environment, public key) and for whose key it
 * holds: a refusal stops setup with nothing done. The prepared destinations (and the new keys, begun now) go
 * to installKey, by user.
 */
async function checkDestinations(
  { runner, config, deps, findHolder }: SetupRun,
  firstKeys: KeyTarget[],
): Promise<Map<string, Groundwork>> {
  const groundwork = new Map<string, Groundwork>();
  if (firstKeys.length === 0) return groundwork;
  await runner.step('check-destinations', async () => {
    const notes = await Promise.all(
      firstKeys.map(async (key) => {
        const work = beginGroundwork({ ...config, destinations: key.destinations }, deps, {
          generate: !config.dryRun,
        });
        groundwork.set(key.user, work);
        const note = await checkStoredKeys(
          {
            user: key.user,
            userKeys: [],
            firstKey: true,
            destinations: await work.gitHubDestinations,
            fingerprintVariable: config.fingerprintVariable,
            force: config.force,
            findHolder,
          },
          deps.secretWriter,
          deps.warn,
        );
        return `${key.user}: ${note}`;
      }),
    );
    return { result: undefined, note: notes.join('; ') };
  });
  return groundwork;
}

/**
 * A user's first key, unless DESC USER now shows one: DESC USER says for sure, and a key found now (in either
 * slot) is never replaced: rotating is rotate's job. `groundwork` is what check-destinations began for it.
 */
async function giveFirstKey(run: SetupRun, key: KeyTarget, groundwork?: Groundwork): Promise<void> {
  const { runner, session, config, deps, result, findHolder } = run;
  const planned = result.keys.find((k) => k.user === key.user) as PlannedKey;
  if (planned.result === 'already-set') return;
  deps.phase(`First key pair for ${key.user}`);
  const target = await runner.step('read-user', async () => {
    const read = await describeIfReadable(session, key.user);
    return { result: read, note: `${key.user}: ${read ? describeSlots(read) : 'cannot be read'}` };
  });
  if (!target || Object.values(target.slots).some((slot) => slot.fingerprint)) {
    planned.result = target ? 'already-set' : 'unknown';
    if (target) deps.log(`${key.user} already has a key: left alone (rotate it with mode: rotate)`);
    else {
      deps.warn(
        `${key.user} is owned by a role this session does not have, so whether it has a key cannot be read: left alone. Run setup as a role with MANAGE GRANTS, or one that inherits the owner`,
      );
    }
    return;
  }
  const record: KeyRecord = { changed: false, destinations: [] };
  try {
    await installKey(
      {
        runner,
        session,
        config: {
          ...config,
          destinations: key.destinations,
          snowflakeSecret: config.spec ? undefined : config.snowflakeSecret,
        },
        deps,
        target,
        slot: 'RSA_PUBLIC_KEY',
        replaced: target.slots.RSA_PUBLIC_KEY,
        record,
        findHolder,
        storedKeysChecked: groundwork !== undefined,
      },
      groundwork,
    );
    planned.result = 'installed';
    planned.fingerprint = record.fingerprint;
  } finally {
    mergeKeyRecord(result, record);
  }
}

async function applyStatements(
  { runner, session, deps, result }: SetupRun,
  statements: PlannedStatement[],
): Promise<void> {
  if (statements.length > 0) deps.phase(`Apply ${statements.length} statement(s)`);
  for (const statement of statements) {
    await runner.step('apply', async () => {
      try {
        await session.execute(statement.sql);
      } catch (error) {
        statement.status = 'failed';
        // No answer: the statement may have run.
        if (error instanceof StatementTimeout) result.changed = true;
        throw refusal(statement, error, result);
      }
      result.changed = true;
      statement.status = 'done';
      return { result: undefined, note: statement.sql };
    });
  }
}

/** A statement Snowflake refused: which one, what the role needs, and what this run already did. */
function refusal(statement: PlannedStatement, error: unknown, result: SetupResult): ActionError {
  const done = result.statements.filter((s) => s.status === 'done').map((s) => s.sql);
  const keys = result.keys.filter((k) => k.result === 'installed').map((k) => `first key of ${k.user}`);
  const reason =
    error instanceof StatementError ? `${error.snowflakeCode ?? 'no code'}: ${error.reason}` : String(error);
  return new ActionError(`${statement.sql} failed (${reason})`, {
    code: error instanceof ActionError ? error.code : undefined,
    hint: sentences(
      error instanceof StatementError && REFUSAL_CODES.has(error.snowflakeCode ?? '')
        ? `The session's role needs ${statement.needs}`
        : undefined,
      [...done, ...keys].length > 0
        ? `Already done by this run: ${[...done, ...keys].join('; ')}`
        : 'Nothing was changed',
      'Run setup again once fixed: it continues where it stopped',
    ),
  });
}

function mergeKeyRecord(result: SetupResult, record: KeyRecord): void {
  result.changed ||= record.changed;
  result.destinations.push(...record.destinations);
  const installed = result.keys.filter((k) => k.result === 'installed');
  result.fingerprint = installed.length === 1 ? installed[0]?.fingerprint : undefined;
  result.rotatedAt = record.rotatedAt ?? result.rotatedAt;
  result.slot = installed.length > 0 ? 'RSA_PUBLIC_KEY' : undefined;
}

function describeRead(plan: Plan): string {
  const missing = plan.before.length + plan.after.length;
  const keys = plan.keys.map((k) =>
    k.hasKey ? `${k.user} has a key` : k.exists ? `${k.user} has no key yet` : `${k.user} does not exist yet`,
  );
  return [`${missing} statement(s) to run`, ...keys].join('; ');
}

function describePlan(plan: Plan, keys: PlannedKey[], dryRun: boolean): string {
  const toInstall = keys.filter((k) => k.result === 'planned');
  const statements = [
    ...plan.before.map((s) => s.sql),
    ...toInstall.map((k) => setKeySlotStatement(k.user, 'RSA_PUBLIC_KEY', { redacted: 'new public key' })),
    ...plan.after.map((s) => s.sql),
  ];
  if (statements.length === 0) return 'nothing to change';
  const secrets = toInstall.flatMap((k) => k.destinations.map((d) => `${d} (private key of ${k.user})`));
  return [
    `${statements.length} statement(s): ${statements.join('; ')}`,
    ...(secrets.length > 0 ? [`Then store ${secrets.join(', ')}`] : []),
    ...(dryRun ? ['Dry run: nothing will be changed'] : []),
  ].join('. ');
}

/** Which of `users` holds a key with a given fingerprint (those the role may read), for naming it in a refusal. */
function holderAmong(
  session: SnowflakeSession,
  users: readonly string[],
): (fingerprint: string) => Promise<string | undefined> {
  return async (fingerprint) => {
    for (const user of users) {
      const state = await describeIfReadable(session, user).catch(() => undefined);
      if (state && Object.values(state.slots).some((held) => held.fingerprint === fingerprint)) return user;
    }
    return undefined;
  };
}

/** DESC USER, or undefined when the role may not read the user (owned by a role it does not have). */
async function describeIfReadable(session: SnowflakeSession, user: string): Promise<UserState | undefined> {
  try {
    return await describeUser(session, user);
  } catch (error) {
    if (error instanceof ActionError && REFUSAL_CODES.has(error.code ?? '')) return undefined;
    throw error;
  }
}
