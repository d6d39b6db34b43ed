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
  grantsOf,
  roleGrantKey,
} from '../access-spec/model.js';
import { type Row, type SnowflakeSession } from './connection.js';
import { nameAsShown, quoteIdentifier, quoteString } from './identifiers.js';

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
    // Snowflake starts a new warehouse running (INITIALLY_SUSPENDED defaults to FALSE) and bills it until it
    // auto-suspends; nothing has work for it yet, so it starts suspended and resumes on first use.
    'INITIALLY_SUSPENDED = TRUE',
  ];
  return `CREATE WAREHOUSE IF NOT EXISTS ${quoteIdentifier(warehouse.name)} WITH ${properties.join(' ')}`;
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
   * Users that exist, and whether they have a key: SHOW USERS' has_rsa_public_key, which Snowflake shows only
   * for users the role owns (or with MANAGE GRANTS); undefined when it does not say.
   */
  users: Map<string, { hasKey?: boolean }>;
  /** `DB.SCHEMA.NAME` */
  secrets: Set<string>;
  /** privilegeGrantKey / roleGrantKey of every grant to a role or user the spec grants to. */
  grants: Set<string>;
}

/**
 * Reads what the spec talks about, with as few statements as the job allows: one SHOW per kind of object the
 * spec mentions, one SHOW SCHEMAS per database and one SHOW SECRETS per schema it mentions, one SHOW GRANTS
 * per role and user it grants to. Independent reads run together.
 */
export async function readLiveState(session: SnowflakeSession, spec: AccessSpec): Promise<LiveState> {
  const grants = grantsOf(spec);
  const referenced = (type: string): string[][] =>
    grants.privileges.filter((g) => g.on === type).map((g) => g.parts);
  const rows = (needed: boolean, sql: string): Promise<Row[]> =>
    needed ? session.execute(sql) : Promise.resolve([]);
  const databaseNames = [
    ...spec.databases.map((d) => d.name),
    ...spec.secrets.map((s) => s.database),
    ...[...referenced('DATABASE'), ...referenced('SCHEMA'), ...referenced('SECRET')].map(
      (parts) => parts[0] ?? '',
    ),
  ];
  const [databaseRows, warehouseRows, policyRows, roleRows, userRows] = await Promise.all([
    rows(databaseNames.length > 0, 'SHOW DATABASES'),
    rows(spec.warehouses.length > 0 || referenced('WAREHOUSE').length > 0, 'SHOW WAREHOUSES'),
    rows(spec.networkPolicies.length > 0 || spec.users.some((u) => u.networkPolicy), 'SHOW NETWORK POLICIES'),
    rows(true, 'SHOW ROLES'),
    rows(spec.users.length > 0 || referenced('USER').length > 0, 'SHOW USERS'),
  ]);
  const namesOf = (list: Row[]): Set<string> => new Set(list.map((row) => String(row.name)));
  const databases = namesOf(databaseRows);
  const roles = namesOf(roleRows);
  const users = new Map(
    userRows.map((row) => {
      const flag = row.has_rsa_public_key;
      return [
        String(row.name),
        { hasKey: flag === null || flag === undefined ? undefined : String(flag) === 'true' },
      ] as const;
    }),
  );
  const schemaRows = await Promise.all(
    [...new Set(databaseNames)]
      .filter((database) => databases.has(database))
      .map(async (database) =>
        (await session.execute(`SHOW SCHEMAS IN DATABASE ${quoteIdentifier(database)}`)).map((row) => [
          database,
          String(row.name),
        ]),
      ),
  );
  const schemas = new Map(schemaRows.flat().map((parts) => [parts.join('.'), parts]));
  const secretSchemas = new Set([
    ...spec.secrets.map((s) => `${s.database}.${s.schema}`),
    ...referenced('SECRET').map((parts) => parts.slice(0, 2).join('.')),
  ]);
  const secretRows = await Promise.all(
    [...secretSchemas]
      .map((schema) => schemas.get(schema))
      .filter((parts): parts is string[] => parts !== undefined)
      .map(async (parts) =>
        (await session.execute(`SHOW SECRETS IN SCHEMA ${name(parts)}`)).map(
          (row) => `${parts.join('.')}.${String(row.name)}`,
        ),
      ),
  );
  // Every role and user the spec grants something to, system roles included.
  const grantees = new Set([
    ...grants.privileges.map((g) => g.role),
    ...grants.roles.filter((g) => g.granteeType === 'ROLE').map((g) => g.grantee),
  ]);
  const userGrantees = new Set(grants.roles.filter((g) => g.granteeType === 'USER').map((g) => g.grantee));
  const [roleGrants, userGrants] = await Promise.all([
    Promise.all(
      [...grantees]
        .filter((role) => roles.has(role))
        .map((role) =>
          session
            .execute(`SHOW GRANTS TO ROLE ${quoteIdentifier(role)}`)
            .then((list) => list.map((row) => grantKeyOfRoleRow(role, row))),
        ),
    ),
    Promise.all(
      [...userGrantees]
        .filter((user) => users.has(user))
        .map((user) =>
          session
            .execute(`SHOW GRANTS TO USER ${quoteIdentifier(user)}`)
            .then((list) =>
              list.map((row) =>
                roleGrantKey({ granteeType: 'USER', grantee: user, role: String(row.role ?? row.name) }),
              ),
            ),
        ),
    ),
  ]);
  return {
    databases,
    schemas: new Set(schemas.keys()),
    warehouses: namesOf(warehouseRows),
    networkPolicies: namesOf(policyRows),
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
  const objectName = nameAsShown(String(row.name ?? ''));
  if (grantedOn === 'ROLE' && privilege === 'USAGE') {
    return roleGrantKey({ granteeType: 'ROLE', grantee: role, role: objectName });
  }
  return privilegeGrantKey({ role, on: grantedOn as PrivilegeGrant['on'], name: objectName, privilege });
}
