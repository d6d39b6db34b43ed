import { ActionError } from '../errors.js';
import type {
  DatabaseSpec,
  NetworkPolicySpec,
  PrivilegeGrant,
  RoleGrant,
  RoleSpec,
  SchemaSpec,
  SecretSpec,
  UserSpec,
  WarehouseSpec,
} from '../access-spec/model.js';
import type { LiveGrant } from './model.js';
import { quoteIdentifier, quoteString, resolveNameParts } from './identifiers.js';
import type { SnowflakeSecretName } from './model.js';
import type { KeySlot, SlotName } from './model.js';

/**
 * Every SQL statement the action builds: names always double-quoted, values as literals. The CREATE
 * statements are `IF NOT EXISTS`, so that setup can be run again; the ALTER and REVOKE statements are the
 * fixes verify proposes; the key-slot and secret statements put a key in place.
 */

const objectName = (parts: string[]): string => parts.map(quoteIdentifier).join('.');

/** `('a', 'b')`: a list of string literals, as IP lists and audience lists are written. */
const stringList = (entries: string[]): string => `(${entries.map(quoteString).join(', ')})`;

const commentClause = (comment: string | undefined): string =>
  comment ? ` COMMENT = ${quoteString(comment)}` : '';

// ---------------------------------------------------------------- CREATE

export function createNetworkPolicyStatement(policy: NetworkPolicySpec): string {
  return [
    `CREATE NETWORK POLICY IF NOT EXISTS ${quoteIdentifier(policy.name)}`,
    `ALLOWED_IP_LIST = ${stringList(policy.allowedIpList)}`,
    ...(policy.blockedIpList.length > 0 ? [`BLOCKED_IP_LIST = ${stringList(policy.blockedIpList)}`] : []),
    ...(policy.comment ? [`COMMENT = ${quoteString(policy.comment)}`] : []),
  ].join(' ');
}

export function createDatabaseStatement(database: DatabaseSpec): string {
  return `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database.name)}${commentClause(database.comment)}`;
}

export function createSchemaStatement(schema: SchemaSpec): string {
  return `CREATE SCHEMA IF NOT EXISTS ${objectName([schema.database, schema.name])}`;
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
  return `CREATE ROLE IF NOT EXISTS ${quoteIdentifier(role.name)}${commentClause(role.comment)}`;
}

/** Secrets are created without their value (the spec holds none): an empty string, set later by its owner. */
export function createSecretStatement(secret: SecretSpec): string {
  const value = secret.type === 'GENERIC_STRING' ? `SECRET_STRING = ''` : `USERNAME = '' PASSWORD = ''`;
  return `CREATE SECRET IF NOT EXISTS ${objectName([secret.database, secret.schema, secret.name])} TYPE = ${secret.type} ${value}${commentClause(secret.comment)}`;
}

export function createUserStatement(user: UserSpec): string {
  const properties = [
    `TYPE = ${user.type}`,
    ...(user.defaultRole ? [`DEFAULT_ROLE = ${quoteIdentifier(user.defaultRole.name)}`] : []),
    ...(user.defaultWarehouse ? [`DEFAULT_WAREHOUSE = ${objectName(user.defaultWarehouse.parts)}`] : []),
    ...(user.defaultNamespace ? [`DEFAULT_NAMESPACE = ${namespace(user.defaultNamespace.parts)}`] : []),
    ...(user.networkPolicy ? [`NETWORK_POLICY = ${quoteIdentifier(user.networkPolicy.name)}`] : []),
    ...(user.comment ? [`COMMENT = ${quoteString(user.comment)}`] : []),
    ...(user.workloadIdentity ? [workloadIdentityProperty(user.workloadIdentity)] : []),
  ];
  return `CREATE USER IF NOT EXISTS ${quoteIdentifier(user.name)} ${properties.join(' ')}`;
}

/** `CREATE USER IF NOT EXISTS u TYPE = SERVICE`: a user for programs, which cannot have a password. */
export function createServiceUserStatement(user: string): string {
  return `CREATE USER IF NOT EXISTS ${quoteIdentifier(user)} TYPE = SERVICE`;
}

/** DEFAULT_NAMESPACE is a string literal, not an identifier (CREATE USER). */
const namespace = (parts: string[]): string => quoteString(parts.join('.'));

function workloadIdentityProperty(identity: {
  issuer: string;
  subject: string;
  audiences?: string[];
}): string {
  const audiences = identity.audiences ? ` OIDC_AUDIENCE_LIST = ${stringList(identity.audiences)}` : '';
  return `WORKLOAD_IDENTITY = (TYPE = OIDC ISSUER = ${quoteString(identity.issuer)} SUBJECT = ${quoteString(identity.subject)}${audiences})`;
}

function integer(value: number): string {
  if (!Number.isInteger(value) || value < 0) throw new ActionError('Internal error: not a whole number');
  return String(value);
}

// ---------------------------------------------------------------- GRANT and REVOKE

/** GRANT <privilege> ON <type> <name> TO ROLE <role>; OWNERSHIP keeps the object's other grants. */
export function grantPrivilegeStatement(grant: PrivilegeGrant): string {
  if (!/^[A-Z][A-Z _]*$/.test(grant.privilege))
    throw new ActionError('Internal error: a privilege name is not plain words');
  const on = grant.on === 'ACCOUNT' ? 'ACCOUNT' : `${grant.on} ${objectName(grant.parts)}`;
  const copy = grant.privilege === 'OWNERSHIP' ? ' COPY CURRENT GRANTS' : '';
  return `GRANT ${grant.privilege} ON ${on} TO ROLE ${quoteIdentifier(grant.role)}${copy}`;
}

export function grantRoleStatement(grant: RoleGrant): string {
  return `GRANT ROLE ${quoteIdentifier(grant.role)} TO ${grant.granteeType} ${quoteIdentifier(grant.grantee)}`;
}

/** Undoes a grant SHOW GRANTS listed; OWNERSHIP cannot be revoked, only handed to another role. */
export function revokePrivilegeStatement(role: string, grant: LiveGrant): string {
  const on = grant.on === 'ACCOUNT' ? 'ACCOUNT' : `${grant.on} ${grantedName(grant)}`;
  if (grant.privilege === 'OWNERSHIP') {
    return `GRANT OWNERSHIP ON ${on} TO ROLE <intended owner> COPY CURRENT GRANTS`;
  }
  return `REVOKE ${grant.privilege} ON ${on} FROM ROLE ${quoteIdentifier(role)}`;
}

/** The name SHOW GRANTS printed, re-quoted part by part when it parses. */
function grantedName(grant: LiveGrant): string {
  try {
    return objectName(resolveNameParts(grant.shownName, { source: 'SHOW GRANTS' }));
  } catch {
    return grant.shownName;
  }
}

export function revokeRoleStatement(role: string, granteeType: 'ROLE' | 'USER', grantee: string): string {
  return `REVOKE ROLE ${quoteIdentifier(role)} FROM ${granteeType} ${quoteIdentifier(grantee)}`;
}

// ---------------------------------------------------------------- ALTER

export function alterWarehouseStatement(warehouse: string, property: string, value: string): string {
  return `ALTER WAREHOUSE ${quoteIdentifier(warehouse)} SET ${property} = ${value}`;
}

export function alterNetworkPolicyListStatement(
  policy: string,
  list: 'ALLOWED_IP_LIST' | 'BLOCKED_IP_LIST',
  entries: string[],
): string {
  return `ALTER NETWORK POLICY ${quoteIdentifier(policy)} SET ${list} = ${stringList(entries)}`;
}

export type UserProperty =
  | { property: 'TYPE'; value: string }
  | { property: 'DEFAULT_ROLE' | 'NETWORK_POLICY'; value: string }
  | { property: 'DEFAULT_WAREHOUSE'; value: string[] }
  | { property: 'DEFAULT_NAMESPACE'; value: string[] };

export function alterUserSetStatement(user: string, set: UserProperty): string {
  const value =
    set.property === 'TYPE'
      ? set.value
      : set.property === 'DEFAULT_WAREHOUSE'
        ? objectName(set.value)
        : set.property === 'DEFAULT_NAMESPACE'
          ? namespace(set.value)
          : quoteIdentifier(set.value);
  return `ALTER USER ${quoteIdentifier(user)} SET ${set.property} = ${value}`;
}

export function alterUserUnsetStatement(user: string, property: string): string {
  if (!/^[A-Z_0-9]+$/.test(property)) throw new ActionError('Internal error: not a user property');
  return `ALTER USER ${quoteIdentifier(user)} UNSET ${property}`;
}

export function workloadIdentityStatement(
  user: string,
  identity: { issuer: string; subject: string; audiences?: string[] },
): string {
  return `ALTER USER ${quoteIdentifier(user)} SET ${workloadIdentityProperty(identity)}`;
}

// ---------------------------------------------------------------- key slots

const BASE64_BODY = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * `ALTER USER u SET <slot> = '<body>'`. The body is checked to be base64 before it goes into SQL; with
 * `redacted`, the text shows a placeholder instead, for plans and hints.
 */
export function setKeySlotStatement(
  user: string,
  slot: SlotName,
  body: string | { redacted: string },
): string {
  if (typeof body === 'string' && !BASE64_BODY.test(body)) {
    throw new ActionError('Internal error: a public key body is not base64');
  }
  const value = typeof body === 'string' ? quoteString(body) : `'<${body.redacted}>'`;
  return `ALTER USER ${quoteIdentifier(user)} SET ${slot} = ${value}`;
}

export function unsetKeySlotStatement(user: string, slot: SlotName): string {
  return `ALTER USER ${quoteIdentifier(user)} UNSET ${slot}`;
}

/** The statement that puts a slot back as it was: its previous key, or empty. */
export function restoreKeySlotStatement(user: string, previous: KeySlot): string {
  return previous.publicKeyBody
    ? setKeySlotStatement(user, previous.slot, previous.publicKeyBody)
    : unsetKeySlotStatement(user, previous.slot);
}

// ---------------------------------------------------------------- secrets

/** The value and the comment recording whose key it is, in one statement; the text carries the secret. */
export function setSecretStringStatement(
  secret: SnowflakeSecretName,
  value: string,
  comment: string,
): string {
  return `ALTER SECRET ${objectName([secret.database, secret.schema, secret.name])} SET SECRET_STRING = ${quoteString(value)} COMMENT = ${quoteString(comment)}`;
}
