import {
  type AccessSpec,
  type PrivilegeGrant,
  grantsOf,
  privilegeGrantKey,
  roleGrantKey,
} from '../access-spec/model.js';
import { type Answer, AccountReader, type LiveUser, settled } from './account-reader.js';
import { type LiveGrant } from './model.js';
import type { SnowflakeSession } from './connection.js';

/** What exists in the account, as far as the spec is concerned. */
export interface LiveState {
  databases: Set<string>;
  /** `DB.SCHEMA` */
  schemas: Set<string>;
  warehouses: Set<string>;
  networkPolicies: Set<string>;
  roles: Set<string>;
  /**
   * Users that exist, and whether they have a key: SHOW USERS' has_rsa_public_key, which Snowflake shows only
   * for users the role owns (or with MANAGE GRANTS); undefined when it does not say.
   */
  users: Map<string, LiveUser>;
  /** `DB.SCHEMA.NAME` */
  secrets: Set<string>;
  /** privilegeGrantKey / roleGrantKey of every grant to a role or user the spec grants to. */
  grants: Set<string>;
}

/** What the spec talks about, so that only that is read. */
interface Wanted {
  /** Databases named by the spec's objects and grants (the existing ones are listed for their schemas). */
  databases: string[];
  warehouses: boolean;
  networkPolicies: boolean;
  users: boolean;
  /** `DB.SCHEMA` of every schema a secret of the spec is in, or a secret grant names. */
  secretSchemas: Set<string>;
  /** Every role the spec grants something to, system roles included. */
  roleGrantees: Set<string>;
  userGrantees: Set<string>;
}

/**
 * Reads what the spec talks about, with as few statements as the job allows: one SHOW per kind of object the
 * spec mentions, one SHOW SCHEMAS per database and one SHOW SECRETS per schema it mentions, one SHOW GRANTS
 * per role and user it grants to. Independent reads run together; a refused read fails the whole.
 */
export async function readLiveState(session: SnowflakeSession, spec: AccessSpec): Promise<LiveState> {
  // No pool limit: setup sends every independent read at once.
  const reader = new AccountReader(session, Infinity);
  const wanted = wantedBy(spec);
  const read = <T>(needed: boolean, answer: () => Promise<Answer<T>>, empty: T): Promise<T> =>
    needed ? answer().then(settled) : Promise.resolve(empty);
  const [databases, warehouses, networkPolicies, roles, users] = await Promise.all([
    read(wanted.databases.length > 0, () => reader.databases(), new Set<string>()),
    read(wanted.warehouses, () => reader.warehouses(), new Map<string, unknown>()),
    read(wanted.networkPolicies, () => reader.networkPolicies(), new Set<string>()),
    read(true, () => reader.roles(), new Set<string>()),
    read(wanted.users, () => reader.allUsers(), new Map<string, LiveUser>()),
  ]);
  const schemas = await schemasOf(reader, wanted.databases, databases);
  const secrets = await secretsOf(reader, wanted.secretSchemas, schemas);
  const grants = await liveGrants(reader, wanted, roles, users);
  return {
    databases,
    schemas: new Set(schemas.keys()),
    warehouses: new Set(warehouses.keys()),
    networkPolicies,
    roles,
    users,
    secrets,
    grants,
  };
}

function wantedBy(spec: AccessSpec): Wanted {
  const grants = grantsOf(spec);
  const referenced = (type: string): string[][] =>
    grants.privileges.filter((g) => g.on === type).map((g) => g.parts);
  return {
    databases: [
      ...spec.databases.map((d) => d.name),
      ...spec.secrets.map((s) => s.database),
      ...[...referenced('DATABASE'), ...referenced('SCHEMA'), ...referenced('SECRET')].map(
        (parts) => parts[0] ?? '',
      ),
    ],
    warehouses: spec.warehouses.length > 0 || referenced('WAREHOUSE').length > 0,
    networkPolicies: spec.networkPolicies.length > 0 || spec.users.some((u) => u.networkPolicy),
    users: spec.users.length > 0 || referenced('USER').length > 0,
    secretSchemas: new Set([
      ...spec.secrets.map((s) => `${s.database}.${s.schema}`),
      ...referenced('SECRET').map((parts) => parts.slice(0, 2).join('.')),
    ]),
    roleGrantees: new Set([
      ...grants.privileges.map((g) => g.role),
      ...grants.roles.filter((g) => g.granteeType === 'ROLE').map((g) => g.grantee),
    ]),
    userGrantees: new Set(grants.roles.filter((g) => g.granteeType === 'USER').map((g) => g.grantee)),
  };
}

/** The schemas of the wanted databases that exist, keyed `DB.SCHEMA`, each with its two parts. */
async function schemasOf(
  reader: AccountReader,
  wanted: string[],
  databases: Set<string>,
): Promise<Map<string, [string, string]>> {
  const lists = await Promise.all(
    [...new Set(wanted)]
      .filter((database) => databases.has(database))
      .map(async (database) =>
        [...settled(await reader.schemas(database))].map((schema): [string, string] => [database, schema]),
      ),
  );
  return new Map(lists.flat().map((parts) => [parts.join('.'), parts]));
}

/** `DB.SCHEMA.NAME` of the secrets in the wanted schemas that exist. */
async function secretsOf(
  reader: AccountReader,
  wanted: Set<string>,
  schemas: Map<string, [string, string]>,
): Promise<Set<string>> {
  const lists = await Promise.all(
    [...wanted]
      .map((schema) => schemas.get(schema))
      .filter((parts): parts is [string, string] => parts !== undefined)
      .map(async ([database, schema]) =>
        [...settled(await reader.secrets(database, schema))].map((name) => `${database}.${schema}.${name}`),
      ),
  );
  return new Set(lists.flat());
}

/** The grants to the wanted roles and users that exist, as the keys the spec's grants would have. */
async function liveGrants(
  reader: AccountReader,
  wanted: Wanted,
  roles: Set<string>,
  users: Map<string, LiveUser>,
): Promise<Set<string>> {
  const [toRoles, toUsers] = await Promise.all([
    Promise.all(
      [...wanted.roleGrantees]
        .filter((role) => roles.has(role))
        .map(async (role) => settled(await reader.grantsToRole(role)).map((grant) => grantKey(role, grant))),
    ),
    Promise.all(
      [...wanted.userGrantees]
        .filter((user) => users.has(user))
        .map(async (user) =>
          settled(await reader.rolesOfUser(user)).map((role) =>
            // Keyed by the role as SHOW GRANTS TO USER printed it.
            roleGrantKey({ granteeType: 'USER', grantee: user, role: role.shownName }),
          ),
        ),
    ),
  ]);
  return new Set([...toRoles.flat(), ...toUsers.flat()]);
}

/** A row of SHOW GRANTS TO ROLE as the key the spec's grant would have. */
function grantKey(role: string, grant: LiveGrant): string {
  if (grant.on === 'ROLE' && grant.privilege === 'USAGE') {
    return roleGrantKey({ granteeType: 'ROLE', grantee: role, role: grant.name });
  }
  return privilegeGrantKey({
    role,
    on: grant.on as PrivilegeGrant['on'],
    name: grant.name,
    privilege: grant.privilege,
  });
}
