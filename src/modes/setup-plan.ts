import { ActionError } from '../errors.js';
import type { SetupConfig } from '../config.js';
import type { Destination } from '../github/destinations.js';
import { keyDestinations } from '../github/placement.js';
import type { SnowflakeSession } from '../snowflake/connection.js';
import { type LiveState, readLiveState } from '../snowflake/live-state.js';
import {
  createDatabaseStatement,
  createNetworkPolicyStatement,
  createRoleStatement,
  createSchemaStatement,
  createSecretStatement,
  createUserStatement,
  createWarehouseStatement,
  grantPrivilegeStatement,
  grantRoleStatement,
  createServiceUserStatement,
} from '../snowflake/statements.js';
import { prepareSnowflakeSecret } from '../snowflake/secrets.js';
import { type UserState, describeUser } from '../snowflake/users.js';
import {
  type AccessSpec,
  type PrivilegeGrant,
  type RoleGrant,
  SpecError,
  grantsOf,
  privilegeGrantKey,
  roleGrantKey,
} from '../access-spec/model.js';
import { SnowflakeErrorCode } from '../snowflake/error-codes.js';

/**
 * setup's plan: what the account lacks of the access spec (or of the one service user without a spec), as
 * statements in dependency order, each with what the session's role needs to run it, and the users that get
 * their first key. Read-only: nothing here changes the account.
 */

/** A statement of the plan: what it does, the SQL (no values that are secret), what the role needs for it. */
export interface PlannedStatement {
  sql: string;
  /** The privilege the session's role needs, named in the error when Snowflake refuses. */
  needs: string;
  status: 'planned' | 'done' | 'failed';
}

/** A user the plan gives its first key, unless it has one. */
export interface KeyTarget {
  user: string;
  destinations: Destination[];
  exists: boolean;
  /** Undefined when Snowflake does not tell this role (SHOW USERS hides it for users the role does not own). */
  hasKey?: boolean;
}

export interface Plan {
  /** Objects, grants on them, roles to roles, users: everything the keys need. */
  before: PlannedStatement[];
  keys: KeyTarget[];
  /** Roles to users and privileges on users: after the keys, in the order of Segment's guide. */
  after: PlannedStatement[];
}

/** What setup would change: with a spec, what the account lacks of it; without, the target user. */
export function planSetup(session: SnowflakeSession, config: SetupConfig): Promise<Plan> {
  return config.spec ? planSpec(session, config.spec, config) : planTargetUser(session, config);
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
  const keys = spec.users
    .filter((u) => u.key)
    .map((u) => ({
      user: u.name,
      destinations: keyDestinations(u.key!.secret, config.workflowRepository),
      exists: live.users.has(u.name),
      hasKey: live.users.has(u.name) ? live.users.get(u.name)?.hasKey : false,
    }));
  return {
    before: [
      ...missingObjects(spec, live),
      ...missingPrivilegeGrants(grants.privileges, live, { onUsers: false }),
      ...missingRoleGrants(grants.roles, live, 'ROLE'),
      ...spec.users
        .filter((u) => !live.users.has(u.name))
        .map((u) => planned(createUserStatement(u), 'CREATE USER on the account (USERADMIN has it)')),
    ],
    keys,
    after: [
      ...missingRoleGrants(grants.roles, live, 'USER'),
      ...missingPrivilegeGrants(grants.privileges, live, { onUsers: true }),
    ],
  };
}

function planned(sql: string, needs: string): PlannedStatement {
  return { sql, needs, status: 'planned' };
}

/** The objects a grant can be on, roles and secrets, that the spec declares and the account lacks. */
function missingObjects(spec: AccessSpec, live: LiveState): PlannedStatement[] {
  return [
    ...spec.networkPolicies
      .filter((p) => !live.networkPolicies.has(p.name))
      .map((p) =>
        planned(
          createNetworkPolicyStatement(p),
          'CREATE NETWORK POLICY on the account (SECURITYADMIN has it)',
        ),
      ),
    ...spec.databases
      .filter((d) => !live.databases.has(d.name))
      .map((d) => planned(createDatabaseStatement(d), 'CREATE DATABASE on the account (SYSADMIN has it)')),
    ...spec.databases
      .flatMap((d) => d.schemas)
      .filter((s) => !live.schemas.has(`${s.database}.${s.name}`))
      .map((s) =>
        planned(createSchemaStatement(s), `CREATE SCHEMA on database ${s.database}, or its ownership`),
      ),
    ...spec.warehouses
      .filter((w) => !live.warehouses.has(w.name))
      .map((w) => planned(createWarehouseStatement(w), 'CREATE WAREHOUSE on the account (SYSADMIN has it)')),
    ...spec.roles
      .filter((r) => !live.roles.has(r.name))
      .map((r) => planned(createRoleStatement(r), 'CREATE ROLE on the account (USERADMIN has it)')),
    ...spec.secrets
      .filter((s) => !live.secrets.has(s.qualifiedName))
      .map((s) =>
        planned(
          createSecretStatement(s),
          `CREATE SECRET on schema ${s.database}.${s.schema}, and USAGE on its database and schema`,
        ),
      ),
  ];
}

/** Privileges the account lacks: on users (granted after the keys), or on everything else (before them). */
function missingPrivilegeGrants(
  privileges: PrivilegeGrant[],
  live: LiveState,
  { onUsers }: { onUsers: boolean },
): PlannedStatement[] {
  const missing = privileges.filter(
    (g) => (g.on === 'USER') === onUsers && !live.grants.has(privilegeGrantKey(g)),
  );
  return ownershipLast(missing).map((g) =>
    planned(
      grantPrivilegeStatement(g),
      onUsers
        ? `ownership of user ${g.name ?? ''}, or MANAGE GRANTS (SECURITYADMIN has it)`
        : 'ownership of the object, the privilege WITH GRANT OPTION, or MANAGE GRANTS (SECURITYADMIN has it)',
    ),
  );
}

/** Roles the account has not granted: to roles (before the keys), or to users (after them). */
function missingRoleGrants(
  roles: RoleGrant[],
  live: LiveState,
  granteeType: RoleGrant['granteeType'],
): PlannedStatement[] {
  return roles
    .filter((g) => g.granteeType === granteeType && !live.grants.has(roleGrantKey(g)))
    .map((g) =>
      planned(grantRoleStatement(g), `ownership of role ${g.role}, or MANAGE GRANTS (SECURITYADMIN has it)`),
    );
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
