import { ActionError } from '../errors.js';
import {
  type AccessSpec,
  type DatabaseSpec,
  type NetworkPolicySpec,
  type PrivilegeGrant,
  type RoleGrant,
  type RoleSpec,
  type SchemaSpec,
  type SecretSpec,
  type UserSpec,
  type WarehouseSpec,
  privilegeGrantKey,
  roleGrantKey,
} from '../spec/model.js';
import { type Row, type SnowflakeSession } from './connection.js';
import { quoteIdentifier, quoteString, resolveNameParts } from './identifiers.js';

/**
 * Account objects of the access spec: the statements that create them (always `IF NOT EXISTS`, names quoted,
 * values as literals) and what SHOW says exists. Reading is done with SHOW, not ACCOUNT_USAGE, which lags by
 * up to two hours (notes, "Result shapes for grants").
 */

const name = (parts: string[]): string => parts.map(quoteIdentifier).join('.');

export function createNetworkPolicyStatement(policy: NetworkPolicySpec): string {
  const list = (entries: string[]): string => `(${entries.map(quoteString).join(', ')})`;
  return [
    `CREATE NETWORK POLICY IF NOT EXISTS ${quoteIdentifier(policy.name)}`,
    `ALLOWED_IP_LIST = ${list(policy.allowedIpList)}`,
    ...(policy.blockedIpList.length > 0 ? [`BLOCKED_IP_LIST = ${list(policy.blockedIpList)}`] : []),
    ...(policy.comment ? [`COMMENT = ${quoteString(policy.comment)}`] : []),
  ].join(' ');
}

export function createDatabaseStatement(database: DatabaseSpec): string {
  return `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database.name)}${database.comment ? ` COMMENT = ${quoteString(database.comment)}` : ''}`;
}

export function createSchemaStatement(schema: SchemaSpec): string {
  return `CREATE SCHEMA IF NOT EXISTS ${name([schema.database, schema.name])}`;
}

/** Segment's guide writes `WITH WAREHOUSE_SIZE = 'XSMALL' WAREHOUSE_TYPE = 'STANDARD' AUTO_SUSPEND = 600 AUTO_RESUME = TRUE`. */
export function createWarehouseStatement(warehouse: WarehouseSpec): string {
  const properties = [
    ...(warehouse.size ? [`WAREHOUSE_SIZE = ${quoteString(warehouse.size)}`] : []),
    ...(warehouse.type ? [`WAREHOUSE_TYPE = ${quoteString(warehouse.type)}`] : []),
    ...(warehouse.autoSuspend !== undefined
      ? [`AUTO_SUSPEND = ${warehouse.autoSuspend === null ? 'NULL' : integer(warehouse.autoSuspend)}`]
      : []),
    ...(warehouse.autoResume !== undefined
      ? [`AUTO_RESUME = ${warehouse.autoResume ? 'TRUE' : 'FALSE'}`]
      : []),
    ...(warehouse.comment ? [`COMMENT = ${quoteString(warehouse.comment)}`] : []),
  ];
  return `CREATE WAREHOUSE IF NOT EXISTS ${quoteIdentifier(warehouse.name)}${properties.length > 0 ? ` WITH ${properties.join(' ')}` : ''}`;
}

export function createRoleStatement(role: RoleSpec): string {
  return `CREATE ROLE IF NOT EXISTS ${quoteIdentifier(role.name)}${role.comment ? ` COMMENT = ${quoteString(role.comment)}` : ''}`;
}

/** Secrets are created without their value (the spec holds none): an empty string, set later by its owner. */
export function createSecretStatement(secret: SecretSpec): string {
  const value = secret.type === 'GENERIC_STRING' ? `SECRET_STRING = ''` : `USERNAME = '' PASSWORD = ''`;
  return `CREATE SECRET IF NOT EXISTS ${name([secret.database, secret.schema, secret.name])} TYPE = ${secret.type} ${value}${secret.comment ? ` COMMENT = ${quoteString(secret.comment)}` : ''}`;
}

export function createUserStatement(user: UserSpec): string {
  const identity = user.workloadIdentity;
  const properties = [
    `TYPE = ${user.type}`,
    ...(user.defaultRole ? [`DEFAULT_ROLE = ${quoteIdentifier(user.defaultRole.name)}`] : []),
    ...(user.defaultWarehouse ? [`DEFAULT_WAREHOUSE = ${name(user.defaultWarehouse.parts)}`] : []),
    ...(user.defaultNamespace
      ? [`DEFAULT_NAMESPACE = ${quoteString(user.defaultNamespace.parts.join('.'))}`]
      : []),
    ...(user.networkPolicy ? [`NETWORK_POLICY = ${quoteIdentifier(user.networkPolicy.name)}`] : []),
    ...(user.comment ? [`COMMENT = ${quoteString(user.comment)}`] : []),
    ...(identity
      ? [
          `WORKLOAD_IDENTITY = (TYPE = OIDC ISSUER = ${quoteString(identity.issuer)} SUBJECT = ${quoteString(identity.subject)}${identity.audiences ? ` OIDC_AUDIENCE_LIST = (${identity.audiences.map(quoteString).join(', ')})` : ''})`,
        ]
      : []),
  ];
  return `CREATE USER IF NOT EXISTS ${quoteIdentifier(user.name)} ${properties.join(' ')}`;
}

/** GRANT <privilege> ON <type> <name> TO ROLE <role>; OWNERSHIP keeps the object's other grants. */
export function grantPrivilegeStatement(grant: PrivilegeGrant): string {
  if (!/^[A-Z][A-Z _]*$/.test(grant.privilege))
    throw new ActionError('Internal error: a privilege name is not plain words');
  const on = grant.on === 'ACCOUNT' ? 'ACCOUNT' : `${grant.on} ${name(grant.parts)}`;
  const copy = grant.privilege === 'OWNERSHIP' ? ' COPY CURRENT GRANTS' : '';
  return `GRANT ${grant.privilege} ON ${on} TO ROLE ${quoteIdentifier(grant.role)}${copy}`;
}

export function grantRoleStatement(grant: RoleGrant): string {
  return `GRANT ROLE ${quoteIdentifier(grant.role)} TO ${grant.granteeType} ${quoteIdentifier(grant.grantee)}`;
}

function integer(value: number): string {
  if (!Number.isInteger(value) || value < 0) throw new ActionError('Internal error: not a whole number');
  return String(value);
}

/** What exists in the account, as far as the spec is concerned. */
export interface LiveState {
  databases: Set<string>;
  /** `DB.SCHEMA` */
  schemas: Set<string>;
  warehouses: Set<string>;
  networkPolicies: Set<string>;
  roles: Set<string>;
  /**
   * Users that exist, and whether they have a key (SHOW USERS' has_rsa_public_key: readable without owning
   * the user, unlike DESC USER, for a role with MANAGE GRANTS).
   */
  users: Map<string, { hasKey: boolean }>;
  /** `DB.SCHEMA.NAME` */
  secrets: Set<string>;
  /** privilegeGrantKey / roleGrantKey of every grant to a declared role or user. */
  grants: Set<string>;
}

/**
 * Reads what the spec talks about, with as few statements as the job allows: one SHOW per kind of object,
 * one SHOW SCHEMAS per declared database, one SHOW GRANTS per declared role and user, one DESC USER per
 * declared user that exists. Independent reads run together.
 */
export async function readLiveState(session: SnowflakeSession, spec: AccessSpec): Promise<LiveState> {
  const names = async (sql: string): Promise<Set<string>> =>
    new Set((await session.execute(sql)).map((row) => String(row.name)));
  const [databases, warehouses, networkPolicies, roles, userRows] = await Promise.all([
    names('SHOW DATABASES'),
    names('SHOW WAREHOUSES'),
    names('SHOW NETWORK POLICIES'),
    names('SHOW ROLES'),
    session.execute('SHOW USERS'),
  ]);
  const users = new Map(
    userRows.map((row) => [String(row.name), { hasKey: String(row.has_rsa_public_key) === 'true' }] as const),
  );
  const databasesWithSchemas = new Set([
    ...spec.databases.map((d) => d.name),
    ...spec.secrets.map((s) => s.database),
  ]);
  const schemaRows = await Promise.all(
    [...databasesWithSchemas]
      .filter((database) => databases.has(database))
      .map(async (database) =>
        (await session.execute(`SHOW SCHEMAS IN DATABASE ${quoteIdentifier(database)}`)).map(
          (row) => `${database}.${String(row.name)}`,
        ),
      ),
  );
  const schemas = new Set(schemaRows.flat());
  const secretSchemas = new Set(spec.secrets.map((s) => `${s.database}.${s.schema}`));
  const secretRows = await Promise.all(
    [...secretSchemas]
      .filter((schema) => schemas.has(schema))
      .map(async (schema) => {
        const [database = '', schemaName = ''] = schema.split('.');
        const rows = await session.execute(`SHOW SECRETS IN SCHEMA ${name([database, schemaName])}`);
        return rows.map((row) => `${schema}.${String(row.name)}`);
      }),
  );
  const declaredUsers = spec.users.filter((u) => users.has(u.name));
  const [roleGrants, userGrants] = await Promise.all([
    Promise.all(
      spec.roles
        .filter((r) => roles.has(r.name))
        .map((r) =>
          session
            .execute(`SHOW GRANTS TO ROLE ${quoteIdentifier(r.name)}`)
            .then((rows) => rows.map((row) => grantKeyOfRoleRow(r.name, row))),
        ),
    ),
    Promise.all(
      declaredUsers.map((u) =>
        session
          .execute(`SHOW GRANTS TO USER ${quoteIdentifier(u.name)}`)
          .then((rows) =>
            rows.map((row) =>
              roleGrantKey({ granteeType: 'USER', grantee: u.name, role: String(row.role ?? row.name) }),
            ),
          ),
      ),
    ),
  ]);
  return {
    databases,
    schemas,
    warehouses,
    networkPolicies,
    roles,
    users,
    secrets: new Set(secretRows.flat()),
    grants: new Set([...roleGrants.flat(), ...userGrants.flat()]),
  };
}

/** A SHOW GRANTS TO ROLE row as the key the spec's grant would have. */
function grantKeyOfRoleRow(role: string, row: Row): string {
  const grantedOn = String(row.granted_on ?? '').replace(/_/g, ' ');
  const privilege = String(row.privilege ?? '');
  if (grantedOn === 'ACCOUNT') return privilegeGrantKey({ role, on: 'ACCOUNT', privilege });
  const objectName = shownName(String(row.name ?? ''));
  if (grantedOn === 'ROLE' && privilege === 'USAGE') {
    return roleGrantKey({ granteeType: 'ROLE', grantee: role, role: objectName });
  }
  return privilegeGrantKey({ role, on: grantedOn as PrivilegeGrant['on'], name: objectName, privilege });
}

/**
 * SHOW GRANTS writes `DB.SCHEMA."Odd name"`; the spec's names are the resolved parts joined with dots. A name
 * that does not parse is kept as shown: it then matches nothing the spec declares, which is what it is.
 */
function shownName(text: string): string {
  try {
    return resolveNameParts(text, { source: 'SHOW GRANTS' }).join('.');
  } catch {
    return text;
  }
}
