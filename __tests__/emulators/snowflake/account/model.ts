// The account's objects as the emulator models them, and the shape of a statement's result.
// Behaviour and sources are listed in README.md.

import type { SecurableType } from '../statements.js';

export type UserType = 'PERSON' | 'SERVICE' | 'LEGACY_SERVICE';

export interface KeySlot {
  /** The base64 body of the DER SubjectPublicKeyInfo, as Snowflake shows it in DESC USER. */
  body: string;
  /** `SHA256:` + base64(sha256(DER SPKI)). */
  fingerprint: string;
  setAt: Date;
}

export interface WorkloadIdentity {
  type: 'OIDC';
  issuer: string;
  subject: string;
  audiences: string[] | null;
}

export interface User {
  name: string;
  loginName: string;
  displayName: string | null;
  firstName: string | null;
  middleName: string | null;
  lastName: string | null;
  email: string | null;
  comment: string | null;
  type: UserType | null;
  defaultRole: string | null;
  defaultWarehouse: string | null;
  defaultNamespace: string | null;
  defaultSecondaryRoles: string | null;
  disabled: boolean;
  mustChangePassword: boolean;
  passwordHash: string | null;
  passwordSetAt: Date | null;
  keys: { 1: KeySlot | null; 2: KeySlot | null };
  workloadIdentity: WorkloadIdentity | null;
  daysToExpiry: string | null;
  minsToUnlock: string | null;
  networkPolicy: string | null;
  createdOn: Date;
  lastSuccessLogin: Date | null;
}

export interface Role {
  name: string;
  comment: string | null;
  createdOn: Date;
}

export interface Database {
  name: string;
  comment: string | null;
  createdOn: Date;
  schemas: Map<string, Schema>;
}

export interface Schema {
  name: string;
  database: string;
  comment: string | null;
  createdOn: Date;
  secrets: Map<string, Secret>;
}

/** A virtual warehouse (account-level object). Only its settings are modelled: it runs nothing. */
export interface Warehouse {
  name: string;
  /** `STANDARD` or `SNOWPARK-OPTIMIZED`. */
  type: string;
  /** The canonical size keyword: `XSMALL`, `SMALL`, …, `XXLARGE`, `X4LARGE`, … */
  size: string;
  state: 'STARTED' | 'SUSPENDED';
  /** Seconds, or null for "never". */
  autoSuspend: string | null;
  autoResume: boolean;
  minClusterCount: string;
  maxClusterCount: string;
  scalingPolicy: string;
  enableQueryAcceleration: boolean;
  queryAccelerationMaxScaleFactor: string;
  resourceMonitor: string | null;
  comment: string | null;
  createdOn: Date;
  uuid: string;
}

export type SecretType = 'GENERIC_STRING' | 'PASSWORD';

/**
 * How DESC SECRET spells a generic string secret's type. The documentation disagrees with itself: the
 * DESCRIBE SECRET page lists `secret_type` as "OAUTH2, PASSWORD, GENERIC, ..."
 * (https://docs.snowflake.com/en/sql-reference/sql/desc-secret), while the SECRETS view says GENERIC_STRING
 * (https://docs.snowflake.com/en/sql-reference/account-usage/secrets), as do CREATE SECRET's `TYPE` and the
 * Terraform provider's acceptance tests against live Snowflake. `GENERIC_STRING` is the default; `GENERIC`
 * is selectable (SnowflakeEmulatorOptions.descSecretGenericType) so tests can run both ways.
 */
export type GenericSecretSpelling = 'GENERIC_STRING' | 'GENERIC';

export interface AccountOptions {
  /** The `secret_type` DESC SECRET answers for a GENERIC_STRING secret; default `GENERIC_STRING`. */
  descSecretGenericType?: GenericSecretSpelling;
}

/** A Snowflake SECRET object (schema-level). Values are never shown by DESC or SHOW. */
export interface Secret {
  name: string;
  database: string;
  schema: string;
  type: SecretType;
  secretString: string | null;
  username: string | null;
  password: string | null;
  comment: string | null;
  createdOn: Date;
}

/**
 * A programmatic access token made by `ALTER USER … ADD PROGRAMMATIC ACCESS TOKEN`
 * (https://docs.snowflake.com/en/sql-reference/sql/alter-user-add-programmatic-access-token). The secret is a
 * credential: it is returned once, by the ADD statement, and only its SHA-256 is kept.
 */
export interface ProgrammaticAccessToken {
  /** Identifier rules: upper-cased unless quoted. Unique per user. */
  name: string;
  /** The user's NAME. */
  user: string;
  /** hex SHA-256 of the secret. */
  secretHash: string;
  /** The role sessions opened with the token use (ROLE_RESTRICTION), or null. */
  roleRestriction: string | null;
  expiresAt: Date;
  /** MINS_TO_BYPASS_NETWORK_POLICY_REQUIREMENT, or null when not given. */
  minsToBypass: number | null;
  comment: string | null;
  createdOn: Date;
  createdBy: string;
}

/**
 * One row of the grant table; role membership is `USAGE` on a `ROLE`, as SHOW GRANTS shows it.
 * For users and roles `onName` is the stored name; for databases, schemas and secrets it is the
 * fully qualified name as SHOW GRANTS prints it (`DB.SCHEMA.OBJ`, parts quoted when needed).
 */
export interface Grant {
  privilege: string;
  onType: 'ACCOUNT' | 'USER' | 'ROLE' | 'NETWORK_POLICY' | SecurableType;
  onName: string;
  granteeType: 'ROLE' | 'USER';
  grantee: string;
  grantOption: boolean;
  grantedBy: string;
  createdOn: Date;
}

export interface SessionContext {
  /** The user's NAME; null for the control plane, which acts as no user. */
  user: string | null;
  role: string;
  warehouse: string | null;
  /** The current database and schema (USE DATABASE / USE SCHEMA, CREATE DATABASE / SCHEMA). */
  database: string | null;
  schema: string | null;
  sessionId: string;
  params: Map<string, string>;
  /** The client's address for sessions opened by a login; absent for the control plane. */
  clientIp?: string;
  /** The session was opened with a programmatic access token (of `user`). */
  viaPat?: boolean;
}

export type ColumnType = 'text' | 'fixed' | 'boolean' | 'timestamp_ltz';
export type Cell = string | Date | null;

export interface ResultSet {
  columns: { name: string; type: ColumnType; scale?: number }[];
  rows: Cell[][];
}

export const SYSTEM_ROLES = ['ACCOUNTADMIN', 'SECURITYADMIN', 'USERADMIN', 'SYSADMIN', 'PUBLIC'];
export const DEFAULT_TIMEZONE = 'America/Los_Angeles';
