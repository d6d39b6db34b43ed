import { ActionError } from '../errors.js';
import type { Destination, SetupConfig } from '../inputs.js';
import { describeDestination } from '../github/destinations.js';
import type { SnowflakeSession } from '../snowflake/connection.js';
import { StatementError, StatementTimeout } from '../snowflake/connection.js';
import {
  type LiveState,
  createDatabaseStatement,
  createNetworkPolicyStatement,
  createRoleStatement,
  createSchemaStatement,
  createSecretStatement,
  createUserStatement,
  createWarehouseStatement,
  grantPrivilegeStatement,
  grantRoleStatement,
  readLiveState,
} from '../snowflake/objects.js';
import { prepareSnowflakeSecret } from '../snowflake/secrets.js';
import {
  type UserState,
  createServiceUserStatement,
  describeUser,
  setKeySlotStatement,
} from '../snowflake/users.js';
import {
  type AccessSpec,
  type PrivilegeGrant,
  grantsOf,
  keyDestinations,
  privilegeGrantKey,
  roleGrantKey,
} from '../access-spec/model.js';
import { SpecError } from '../access-spec/model.js';
import { StepRunner, type StepTiming } from '../steps.js';
import { type ModeDependencies, describeSlots, inSession } from './context.js';
import { type Groundwork, beginGroundwork } from './groundwork.js';
import { type KeyRecord, installKey } from './key-install.js';
import { checkStoredKeys } from './stored-keys.js';
import { REFUSAL_CODES, SnowflakeErrorCode } from '../snowflake/error-codes.js';

/** A statement of the plan: what it does, the SQL (no values that are secret), what the role needs for it. */
export interface PlannedStatement {
  sql: string;
  /** The privilege the session's role needs, named in the error when Snowflake refuses. */
  needs: string;
  status: 'planned' | 'done' | 'failed';
}

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

interface KeyTarget {
  user: string;
  destinations: Destination[];
  exists: boolean;
  /** Undefined when Snowflake does not tell this role (SHOW USERS hides it for users the role does not own). */
  hasKey?: boolean;
}

interface Plan {
  /** Objects, grants on them, roles to roles, users: everything the keys need. */
  before: PlannedStatement[];
  keys: KeyTarget[];
  /** Roles to users and privileges on users: after the keys, in the order of Segment's guide. */
  after: PlannedStatement[];
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
  return inSession(runner, config.snowflake, deps, result, async (opened) => {
    const plan = await runner.step('read-account', async () => {
      const planned = config.spec
        ? await planSpec(opened, config.spec, config)
        : await planTargetUser(opened, config);
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
    const findHolder = holderAmong(opened, config.spec?.users.map((u) => u.name) ?? []);
    // Before the first statement, every GitHub destination of a first key is checked for everything its write
    // needs (token, permission, repository, environment, public key) and for whose key it holds: a refusal
    // stops setup with nothing done. The prepared destinations (and the new keys, begun now) go to installKey.
    const firstKeys = plan.keys.filter((key) => key.hasKey === false);
    const groundwork = new Map<string, Groundwork>();
    if (firstKeys.length > 0) {
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
    }
    if (config.dryRun) return result;

    await applyStatements(runner, opened, plan.before, result, deps);
    for (const key of plan.keys) {
      const planned = result.keys.find((k) => k.user === key.user) as PlannedKey;
      if (planned.result === 'already-set') continue;
      deps.phase(`First key pair for ${key.user}`);
      // DESC USER says for sure; a key found now (in either slot) is never replaced: rotating is rotate's job.
      const target = await runner.step('read-user', async () => {
        const read = await describeIfReadable(opened, key.user);
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
        continue;
      }
      const record: KeyRecord = { changed: false, destinations: [] };
      try {
        await installKey(
          {
            runner,
            session: opened,
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
            storedKeysChecked: groundwork.has(key.user),
          },
          groundwork.get(key.user),
        );
        planned.result = 'installed';
        planned.fingerprint = record.fingerprint;
      } finally {
        mergeKeyRecord(result, record);
      }
    }
    await applyStatements(runner, opened, plan.after, result, deps);
    if (!result.changed) deps.log('nothing to change: the account already matches');
    return result;
  });
}

/** Without a spec: the target user, created as a service user when missing, and its first key. */
async function planTargetUser(session: SnowflakeSession, config: SetupConfig): Promise<Plan> {
  const existing = await describeIfExists(session, config.targetUser);
  const hasKey = existing !== undefined && Object.values(existing.slots).some((slot) => slot.fingerprint);
  if (config.snowflakeSecret && !hasKey) {
    // Now, before CREATE USER: the secret the first key goes to must take it, or nothing changes at all
    // (installKey checks it again right before the key is set).
    await prepareSnowflakeSecret(session, config.snowflakeSecret, {
      user: config.targetUser,
      registered: [],
      force: config.force,
    });
  }
  return {
    before: existing
      ? []
      : [
          {
            sql: createServiceUserStatement(config.targetUser),
            needs:
              'CREATE USER on the account (USERADMIN has it): GRANT CREATE USER ON ACCOUNT TO ROLE <role>',
            status: 'planned',
          },
        ],
    keys: [
      {
        user: config.targetUser,
        destinations: config.destinations,
        exists: existing !== undefined,
        hasKey,
      },
    ],
    after: [],
  };
}

/** With a spec: what the account lacks of it, in dependency order. */
async function planSpec(session: SnowflakeSession, spec: AccessSpec, config: SetupConfig): Promise<Plan> {
  const live = await readLiveState(session, spec);
  checkReferences(spec, live);
  const grants = grantsOf(spec);
  const statement = (sql: string, needs: string): PlannedStatement => ({ sql, needs, status: 'planned' });
  const grantNeeds =
    'ownership of the object, the privilege WITH GRANT OPTION, or MANAGE GRANTS (SECURITYADMIN has it)';
  const before: PlannedStatement[] = [
    ...spec.networkPolicies
      .filter((p) => !live.networkPolicies.has(p.name))
      .map((p) =>
        statement(
          createNetworkPolicyStatement(p),
          'CREATE NETWORK POLICY on the account (SECURITYADMIN has it)',
        ),
      ),
    ...spec.databases
      .filter((d) => !live.databases.has(d.name))
      .map((d) => statement(createDatabaseStatement(d), 'CREATE DATABASE on the account (SYSADMIN has it)')),
    ...spec.databases
      .flatMap((d) => d.schemas)
      .filter((s) => !live.schemas.has(`${s.database}.${s.name}`))
      .map((s) =>
        statement(createSchemaStatement(s), `CREATE SCHEMA on database ${s.database}, or its ownership`),
      ),
    ...spec.warehouses
      .filter((w) => !live.warehouses.has(w.name))
      .map((w) =>
        statement(createWarehouseStatement(w), 'CREATE WAREHOUSE on the account (SYSADMIN has it)'),
      ),
    ...spec.roles
      .filter((r) => !live.roles.has(r.name))
      .map((r) => statement(createRoleStatement(r), 'CREATE ROLE on the account (USERADMIN has it)')),
    ...spec.secrets
      .filter((s) => !live.secrets.has(s.qualifiedName))
      .map((s) =>
        statement(
          createSecretStatement(s),
          `CREATE SECRET on schema ${s.database}.${s.schema}, and USAGE on its database and schema`,
        ),
      ),
    ...ownershipLast(
      grants.privileges.filter((g) => g.on !== 'USER' && !live.grants.has(privilegeGrantKey(g))),
    ).map((g) => statement(grantPrivilegeStatement(g), grantNeeds)),
    ...grants.roles
      .filter((g) => g.granteeType === 'ROLE' && !live.grants.has(roleGrantKey(g)))
      .map((g) =>
        statement(
          grantRoleStatement(g),
          `ownership of role ${g.role}, or MANAGE GRANTS (SECURITYADMIN has it)`,
        ),
      ),
    ...spec.users
      .filter((u) => !live.users.has(u.name))
      .map((u) => statement(createUserStatement(u), 'CREATE USER on the account (USERADMIN has it)')),
  ];
  const after: PlannedStatement[] = [
    ...grants.roles
      .filter((g) => g.granteeType === 'USER' && !live.grants.has(roleGrantKey(g)))
      .map((g) =>
        statement(
          grantRoleStatement(g),
          `ownership of role ${g.role}, or MANAGE GRANTS (SECURITYADMIN has it)`,
        ),
      ),
    ...ownershipLast(
      grants.privileges.filter((g) => g.on === 'USER' && !live.grants.has(privilegeGrantKey(g))),
    ).map((g) =>
      statement(
        grantPrivilegeStatement(g),
        `ownership of user ${g.name ?? ''}, or MANAGE GRANTS (SECURITYADMIN has it)`,
      ),
    ),
  ];
  const keys = spec.users
    .filter((u) => u.key)
    .map((u) => ({
      user: u.name,
      destinations: keyDestinations(u.key!.secret, config.workflowRepository),
      exists: live.users.has(u.name),
      hasKey: live.users.has(u.name) ? live.users.get(u.name)?.hasKey : false,
    }));
  return { before, keys, after };
}

function singleKeyedUser(spec: AccessSpec): string {
  const keyed = spec.users.filter((u) => u.key);
  return keyed.length === 1 ? (keyed[0]?.name ?? '') : '';
}

/** Grants of OWNERSHIP go last: once an object has another owner, granting on it needs MANAGE GRANTS. */
function ownershipLast(grants: PrivilegeGrant[]): PrivilegeGrant[] {
  return [
    ...grants.filter((g) => g.privilege !== 'OWNERSHIP'),
    ...grants.filter((g) => g.privilege === 'OWNERSHIP'),
  ];
}

/**
 * A grant on an object the spec does not declare is fine when the account has it (a shared warehouse, say);
 * when neither has it, the spec is wrong: fail before anything changes, on the spec's line.
 */
function checkReferences(spec: AccessSpec, live: LiveState): void {
  const exists: Record<string, (name: string) => boolean> = {
    DATABASE: (name) => live.databases.has(name),
    SCHEMA: (name) => live.schemas.has(name),
    WAREHOUSE: (name) => live.warehouses.has(name),
    USER: (name) => live.users.has(name) || spec.users.some((u) => u.name === name),
    SECRET: (name) => live.secrets.has(name),
  };
  const missing = grantsOf(spec).privileges.filter(
    (g) => !g.declared && g.name && exists[g.on] && !exists[g.on]!(g.name),
  );
  if (missing.length === 0) return;
  throw new SpecError(
    missing.map((g) => ({
      ...g.source,
      message: `grants ${g.privilege} on ${g.on.toLowerCase()} ${g.name}, which the spec does not declare and the account does not have (or the session's role cannot see). Declare it in the spec, or correct its name`,
    })),
  );
}

async function applyStatements(
  runner: StepRunner,
  session: SnowflakeSession,
  statements: PlannedStatement[],
  result: SetupResult,
  deps: Pick<ModeDependencies, 'phase'>,
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
    hint: [
      error instanceof StatementError && REFUSAL_CODES.has(error.snowflakeCode ?? '')
        ? `The session's role needs ${statement.needs}`
        : undefined,
      [...done, ...keys].length > 0
        ? `Already done by this run: ${[...done, ...keys].join('; ')}`
        : 'Nothing was changed',
      'Run setup again once fixed: it continues where it stopped',
    ]
      .filter(Boolean)
      .join('. '),
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

/** DESC USER, or undefined when the user does not exist (002003 also covers a user the role may not see). */
async function describeIfExists(session: SnowflakeSession, user: string): Promise<UserState | undefined> {
  try {
    return await describeUser(session, user);
  } catch (error) {
    if (
      error instanceof ActionError &&
      error.code === SnowflakeErrorCode.OBJECT_DOES_NOT_EXIST_OR_NOT_AUTHORIZED
    )
      return undefined;
    throw error;
  }
}
