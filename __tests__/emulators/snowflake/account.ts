// The account model: users, roles, grants, and the statements that read and change them.
// Behaviour and sources are listed in README.md; comments below name the rule they follow.

import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import {
  SfError,
  alreadyExists,
  displayName,
  doesNotExist,
  insufficientPrivileges,
  invalidArguments,
  invalidValue,
  noCurrent,
  qualifiedName,
} from './errors.js';
import type {
  Ident,
  ParameterScope,
  Property,
  SecurableType,
  ShowScope,
  Statement,
  Token,
  Value,
} from './sql.js';
import { type NetworkPolicy, parseEntry, policyAllows } from './network.js';

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

const MPAM = 'MODIFY PROGRAMMATIC AUTHENTICATION METHODS';
const USER_PRIVILEGES = [MPAM, 'MONITOR'];
const ACCOUNT_PRIVILEGES = [
  'CREATE USER',
  'CREATE ROLE',
  'MANAGE GRANTS',
  'CREATE DATABASE',
  'CREATE WAREHOUSE',
  'CREATE NETWORK POLICY',
  'ATTACH POLICY',
  'CREATE INTEGRATION',
  'MONITOR USAGE',
  'EXECUTE TASK',
];
// Privileges each object type takes in GRANT (docs, "Access control privileges"). Secrets have USAGE
// and READ besides OWNERSHIP; there is no MODIFY on a secret.
const OBJECT_PRIVILEGES: Record<SecurableType, string[]> = {
  DATABASE: ['USAGE', 'MONITOR', 'CREATE SCHEMA', 'CREATE DATABASE ROLE', 'MODIFY', 'APPLYBUDGET'],
  SCHEMA: [
    'USAGE',
    'MONITOR',
    'MODIFY',
    'CREATE SECRET',
    'CREATE TABLE',
    'CREATE VIEW',
    'CREATE STAGE',
    'CREATE FUNCTION',
    'CREATE PROCEDURE',
    'CREATE TASK',
    'APPLYBUDGET',
  ],
  SECRET: ['USAGE', 'READ'],
  WAREHOUSE: ['USAGE', 'OPERATE', 'MONITOR', 'MODIFY', 'APPLYBUDGET'],
};

// WAREHOUSE_SIZE values CREATE WAREHOUSE accepts, with their synonyms (docs, "CREATE WAREHOUSE":
// XSMALL | 'X-SMALL', XLARGE | 'X-LARGE', XXLARGE | X2LARGE | '2X-LARGE', …), and the way SHOW
// WAREHOUSES prints each size (`X-Small`, `2X-Large`; notes, "Objects").
const WAREHOUSE_SIZES: [string, string[], string][] = [
  ['XSMALL', ['XSMALL', 'X-SMALL'], 'X-Small'],
  ['SMALL', ['SMALL'], 'Small'],
  ['MEDIUM', ['MEDIUM'], 'Medium'],
  ['LARGE', ['LARGE'], 'Large'],
  ['XLARGE', ['XLARGE', 'X-LARGE'], 'X-Large'],
  ['XXLARGE', ['XXLARGE', 'X2LARGE', '2X-LARGE'], '2X-Large'],
  ['XXXLARGE', ['XXXLARGE', 'X3LARGE', '3X-LARGE'], '3X-Large'],
  ['X4LARGE', ['X4LARGE', '4X-LARGE'], '4X-Large'],
  ['X5LARGE', ['X5LARGE', '5X-LARGE'], '5X-Large'],
  ['X6LARGE', ['X6LARGE', '6X-LARGE'], '6X-Large'],
];
const WAREHOUSE_TYPES = ['STANDARD', 'SNOWPARK-OPTIMIZED'];
// Object parameters CREATE WAREHOUSE takes besides its properties; accepted and ignored.
const WAREHOUSE_PARAMETERS = new Set([
  'MAX_CONCURRENCY_LEVEL',
  'STATEMENT_QUEUED_TIMEOUT_IN_SECONDS',
  'STATEMENT_TIMEOUT_IN_SECONDS',
]);

const objectKind = (t: SecurableType) => t.toLowerCase() as 'database' | 'schema' | 'secret' | 'warehouse';

// Properties whose change is an authentication-method change: OWNERSHIP or MODIFY PROGRAMMATIC
// AUTHENTICATION METHODS on the user suffices, and a user may set its own keys (notes, "Access control").
const AUTH_PROPERTIES = new Set(['RSA_PUBLIC_KEY', 'RSA_PUBLIC_KEY_2', 'WORKLOAD_IDENTITY']);
const SELF_PROPERTIES = new Set(['RSA_PUBLIC_KEY', 'RSA_PUBLIC_KEY_2']);
// Session parameters a user object may carry as defaults; accepted and ignored.
const USER_SESSION_PARAMETERS = new Set([
  'TIMEZONE',
  'QUERY_TAG',
  'STATEMENT_TIMEOUT_IN_SECONDS',
  'ABORT_DETACHED_QUERY',
  'AUTOCOMMIT',
  'MULTI_STATEMENT_COUNT',
]);

const ok = (message = 'Statement executed successfully.'): ResultSet => ({
  columns: [{ name: 'status', type: 'text' }],
  rows: [[message]],
});

const bool = (b: boolean) => (b ? 'true' : 'false');

// SHOW GRANTS TO ROLE / ON <object> columns (notes, "Result shapes for grants").
const GRANT_COLUMNS: ResultSet['columns'] = [
  { name: 'created_on', type: 'timestamp_ltz', scale: 3 },
  { name: 'privilege', type: 'text' },
  { name: 'granted_on', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'granted_to', type: 'text' },
  { name: 'grantee_name', type: 'text' },
  { name: 'grant_option', type: 'text' },
  { name: 'granted_by', type: 'text' },
];

const grantRow = (g: Grant): Cell[] => [
  g.createdOn,
  g.privilege,
  g.onType,
  g.onName,
  g.granteeType,
  g.grantee,
  bool(g.grantOption),
  g.grantedBy,
];

const byTime = (a: Grant, b: Grant) => a.createdOn.getTime() - b.createdOn.getTime();

/** Snowflake LIKE: case-insensitive, `%` and `_` wildcards, backslash escapes. */
export function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      re += pattern[i + 1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i += 1;
    } else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'is');
}

/**
 * Renders a time as DESC USER shows `*_LAST_SET_TIME`: `2020-10-08 01:33:13.43`, fraction with
 * trailing zeros trimmed (`.0` when whole), no zone. The zone is undocumented; we use the session's
 * TIMEZONE, so a client that sets TIMEZONE = 'UTC' first reads UTC either way (see README).
 */
export function renderSetTime(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  const ms = date.getUTCMilliseconds();
  const fraction = ms === 0 ? '0' : String(ms).padStart(3, '0').replace(/0+$/, '');
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}.${fraction}`;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Parses an `RSA_PUBLIC_KEY` value: base64 DER SPKI of an RSA key of at least 2048 bits. */
export function parsePublicKey(value: string): { body: string; fingerprint: string } {
  const body = value.replace(/\s+/g, '');
  // Wording of this refusal is not confirmed (README); the 2048-bit minimum is documented.
  const reject = (reason: string) =>
    new SfError(
      '001008',
      '22023',
      `SQL compilation error:\nNew public key rejected by current policy. reason: ${reason}`,
    );
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw reject('Invalid public key');
  const der = Buffer.from(body, 'base64');
  let key;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    throw reject('Invalid public key');
  }
  if (key.asymmetricKeyType !== 'rsa') throw reject('Invalid public key');
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw reject('Invalid public key size');
  return { body, fingerprint: `SHA256:${createHash('sha256').update(der).digest('base64')}` };
}

export function fingerprintOf(body: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(body, 'base64')).digest('base64')}`;
}

/** hex SHA-256 of a programmatic access token's secret: all the emulator keeps of it. */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * A new programmatic access token secret. Live secrets are JWS-shaped (`eyJraWQiOi…` header, payload with
 * `p`, `iss`, `exp`, ES256 signature; seen in public examples); this one has the same shape and random
 * content, and is matched only as a whole string.
 */
function newTokenSecret(expiresAt: Date): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const digits = (bytes: number) => BigInt(`0x${randomBytes(bytes).toString('hex')}`).toString();
  const header = part({ kid: digits(6), alg: 'ES256' });
  const payload = part({
    p: `${digits(4)}:${digits(5)}`,
    iss: 'SF:1016',
    exp: Math.floor(expiresAt.getTime() / 1000),
  });
  return `${header}.${payload}.${randomBytes(64).toString('base64url')}`;
}

export function hashPassword(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

export class Account {
  readonly users = new Map<string, User>();
  readonly roles = new Map<string, Role>();
  readonly databases = new Map<string, Database>();
  readonly networkPolicies = new Map<string, NetworkPolicy>();
  readonly warehouses = new Map<string, Warehouse>();
  /** The account-level network policy (ALTER ACCOUNT SET NETWORK_POLICY), by stored name. */
  accountNetworkPolicy: string | null = null;
  grants: Grant[] = [];
  /** Programmatic access tokens made over SQL (those seeded through POST /__emulator/tokens live in auth.ts). */
  pats: ProgrammaticAccessToken[] = [];

  /**
   * @param identifier the account identifier clients pass (`testorg-testaccount`)
   * @param now the emulator's clock (stored timestamps follow it)
   */
  constructor(
    readonly identifier: string,
    readonly now: () => Date,
    readonly options: AccountOptions = {},
  ) {
    const at = now();
    for (const name of SYSTEM_ROLES) this.roles.set(name, { name, comment: null, createdOn: at });
    // Snowflake's system-defined role hierarchy ("Overview of access control"):
    // ACCOUNTADMIN inherits SECURITYADMIN and SYSADMIN; SECURITYADMIN inherits USERADMIN.
    const member = (role: string, to: string) =>
      this.grants.push({
        privilege: 'USAGE',
        onType: 'ROLE',
        onName: role,
        granteeType: 'ROLE',
        grantee: to,
        grantOption: false,
        grantedBy: '',
        createdOn: at,
      });
    member('SECURITYADMIN', 'ACCOUNTADMIN');
    member('SYSADMIN', 'ACCOUNTADMIN');
    member('USERADMIN', 'SECURITYADMIN');
    const accountPriv = (privilege: string, to: string) =>
      this.grants.push({
        privilege,
        onType: 'ACCOUNT',
        onName: this.accountName,
        granteeType: 'ROLE',
        grantee: to,
        grantOption: false,
        grantedBy: '',
        createdOn: at,
      });
    accountPriv('MANAGE GRANTS', 'SECURITYADMIN');
    accountPriv('CREATE NETWORK POLICY', 'SECURITYADMIN');
    accountPriv('CREATE USER', 'USERADMIN');
    accountPriv('CREATE ROLE', 'USERADMIN');
    accountPriv('CREATE DATABASE', 'SYSADMIN');
    accountPriv('CREATE WAREHOUSE', 'SYSADMIN');
  }

  /** The account name as it appears in JWT claims and grants: upper-cased, before the first '.'. */
  get accountName(): string {
    return this.identifier.split('.')[0]!.toUpperCase();
  }

  // ---------------------------------------------------------------- roles and privileges

  /** The role and every role it inherits, plus PUBLIC (granted to every role). */
  closure(role: string): Set<string> {
    const seen = new Set<string>([role, 'PUBLIC']);
    const queue = [role];
    while (queue.length > 0) {
      const r = queue.shift()!;
      for (const g of this.grants) {
        if (g.onType === 'ROLE' && g.privilege === 'USAGE' && g.granteeType === 'ROLE' && g.grantee === r) {
          if (!seen.has(g.onName)) {
            seen.add(g.onName);
            queue.push(g.onName);
          }
        }
      }
    }
    return seen;
  }

  /** Roles a user may activate: those granted to it, what they inherit, and PUBLIC. */
  rolesOfUser(userName: string): Set<string> {
    const out = new Set<string>(['PUBLIC']);
    for (const g of this.grants) {
      if (g.onType === 'ROLE' && g.granteeType === 'USER' && g.grantee === userName) {
        for (const r of this.closure(g.onName)) out.add(r);
      }
    }
    return out;
  }

  hasPrivilege(role: string, privilege: string, onType: Grant['onType'], onName: string): boolean {
    const roles = this.closure(role);
    return this.grants.some(
      (g) =>
        g.granteeType === 'ROLE' &&
        roles.has(g.grantee) &&
        g.onType === onType &&
        g.onName === onName &&
        (g.privilege === privilege || g.privilege === 'OWNERSHIP'),
    );
  }

  hasGrantOption(role: string, privilege: string, onType: Grant['onType'], onName: string): boolean {
    const roles = this.closure(role);
    return this.grants.some(
      (g) =>
        g.granteeType === 'ROLE' &&
        roles.has(g.grantee) &&
        g.onType === onType &&
        g.onName === onName &&
        g.privilege === privilege &&
        g.grantOption,
    );
  }

  owner(onType: Exclude<Grant['onType'], 'ACCOUNT'>, name: string): string | null {
    return (
      this.grants.find((g) => g.privilege === 'OWNERSHIP' && g.onType === onType && g.onName === name)
        ?.grantee ?? null
    );
  }

  owns(role: string, onType: Exclude<Grant['onType'], 'ACCOUNT'>, name: string): boolean {
    const owner = this.owner(onType, name);
    return owner !== null && this.closure(role).has(owner);
  }

  accountPrivilege(role: string, privilege: string): boolean {
    return this.hasPrivilege(role, privilege, 'ACCOUNT', this.accountName);
  }

  manageGrants(role: string): boolean {
    return this.accountPrivilege(role, 'MANAGE GRANTS');
  }

  // ---------------------------------------------------------------- lookups used by login

  findUserByLogin(login: string): User | undefined {
    const upper = login.toUpperCase();
    for (const u of this.users.values()) if (u.loginName === upper) return u;
    return undefined;
  }

  findUserByWorkloadIdentity(issuer: string, subject: string): User | undefined {
    for (const u of this.users.values()) {
      const w = u.workloadIdentity;
      if (w && w.issuer === issuer && w.subject === subject) return u;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- statements

  execute(statement: Statement, session: SessionContext): ResultSet {
    switch (statement.type) {
      case 'createUser':
        return this.createUser(statement, session);
      case 'alterUserSet':
        return this.alterUserSet(statement, session);
      case 'alterUserUnset':
        return this.alterUserUnset(statement, session);
      case 'dropUser':
        return this.dropUser(statement, session);
      case 'descUser':
        return this.descUser(statement.name, session);
      case 'showUsers':
        return this.showUsers(statement.like, session);
      case 'createRole':
        return this.createRole(statement, session);
      case 'dropRole':
        return this.dropRole(statement, session);
      case 'showRoles':
        return this.showRoles(statement.like, session);
      case 'grantRole':
      case 'revokeRole':
        return this.grantRole(statement, session);
      case 'grantOwnership':
        return this.grantOwnership(statement, session);
      case 'grantPrivileges':
        return this.grantPrivileges(statement, session);
      case 'revokePrivileges':
        return this.revokePrivileges(statement, session);
      case 'showGrants':
        return this.showGrants(statement, session);
      case 'useRole':
        return this.useRole(statement.role, session);
      case 'alterSessionSet':
        return this.alterSessionSet(statement.props, session);
      case 'alterSessionUnset':
        for (const name of statement.names) session.params.delete(name);
        return ok();
      case 'select':
        return this.select(statement, session);
      case 'useDatabase':
        return this.useDatabase(statement.name, session);
      case 'useSchema':
        return this.useSchema(statement.name, session);
      case 'createDatabase':
        return this.createDatabase(statement, session);
      case 'createSchema':
        return this.createSchema(statement, session);
      case 'showDatabases':
        return this.showDatabases(statement.like, session);
      case 'showSchemas':
        return this.showSchemas(statement.like, statement.in, session);
      case 'createSecret':
        return this.createSecret(statement, session);
      case 'alterSecretSet':
      case 'alterSecretUnset':
        return this.alterSecret(statement, session);
      case 'descSecret':
        return this.descSecret(statement.name, session);
      case 'dropSecret':
        return this.dropSecret(statement, session);
      case 'showSecrets':
        return this.showSecrets(statement.like, statement.in, session);
      case 'grantObjectOwnership':
        return this.grantObjectOwnership(statement, session);
      case 'grantObjectPrivileges':
      case 'revokeObjectPrivileges':
        return this.grantObjectPrivileges(statement, session);
      case 'showGrantsOnObject':
        return this.showGrantsOnObject(statement, session);
      case 'createNetworkPolicy':
        return this.createNetworkPolicy(statement, session);
      case 'alterNetworkPolicySet':
      case 'alterNetworkPolicyUnset':
        return this.alterNetworkPolicy(statement, session);
      case 'descNetworkPolicy':
        return this.descNetworkPolicy(statement.name, session);
      case 'dropNetworkPolicy':
        return this.dropNetworkPolicy(statement, session);
      case 'showNetworkPolicies':
        return this.showNetworkPolicies(statement.like, session);
      case 'alterAccountSet':
      case 'alterAccountUnset':
        return this.alterAccount(statement, session);
      case 'createWarehouse':
        return this.createWarehouse(statement, session);
      case 'alterWarehouseSet':
        return this.alterWarehouse(statement, session);
      case 'dropWarehouse':
        return this.dropWarehouse(statement, session);
      case 'showWarehouses':
        return this.showWarehouses(statement.like, session);
      case 'useWarehouse':
        return this.useWarehouse(statement.name, session);
      case 'showParameters':
        return this.showParameters(statement.like, statement.in, session);
      case 'addPat':
        return this.addPat(statement, session);
      case 'removePat':
        return this.removePat(statement, session);
      case 'showPats':
        return this.showPats(statement.user, session);
      case 'dropDatabase':
        return this.dropDatabase(statement, session);
    }
  }

  private requireUser(name: Ident): User {
    const user = this.users.get(name.name);
    if (!user) throw doesNotExist('User', name.name);
    return user;
  }

  private requireRole(name: Ident): Role {
    const role = this.roles.get(name.name);
    if (!role) throw doesNotExist('Role', name.name);
    return role;
  }

  private newUser(name: string): User {
    return {
      name,
      loginName: name.toUpperCase(),
      displayName: name,
      firstName: null,
      middleName: null,
      lastName: null,
      email: null,
      comment: null,
      type: null,
      defaultRole: null,
      defaultWarehouse: null,
      defaultNamespace: null,
      defaultSecondaryRoles: null,
      disabled: false,
      mustChangePassword: false,
      passwordHash: null,
      passwordSetAt: null,
      keys: { 1: null, 2: null },
      workloadIdentity: null,
      daysToExpiry: null,
      minsToUnlock: null,
      networkPolicy: null,
      createdOn: this.now(),
      lastSuccessLogin: null,
    };
  }

  private createUser(s: Extract<Statement, { type: 'createUser' }>, session: SessionContext): ResultSet {
    // CREATE USER needs the account privilege CREATE USER (USERADMIN and above by default).
    if (!this.accountPrivilege(session.role, 'CREATE USER')) {
      throw insufficientPrivileges('account', this.accountName);
    }
    const existing = this.users.get(s.name.name);
    if (existing) {
      if (s.ifNotExists) return ok(`${displayName(s.name.name)} already exists, statement succeeded.`);
      if (!s.orReplace) throw alreadyExists(s.name.name);
      if (!this.owns(session.role, 'USER', existing.name))
        throw insufficientPrivileges('user', existing.name);
    }
    this.checkNetworkPolicyProperty(s.props, session);
    const user = this.newUser(s.name.name);
    this.applyProperties(user, s.props, s.name.name);
    if (existing) this.removeUser(existing.name);
    this.users.set(user.name, user);
    // The creating role owns the new user.
    this.grants.push({
      privilege: 'OWNERSHIP',
      onType: 'USER',
      onName: user.name,
      granteeType: 'ROLE',
      grantee: session.role,
      grantOption: true,
      grantedBy: session.role,
      createdOn: this.now(),
    });
    return ok(`User ${displayName(user.name)} successfully created.`);
  }

  private checkAlterPrivileges(user: User, names: string[], session: SessionContext): void {
    const self = session.user === user.name;
    const owner = this.owns(session.role, 'USER', user.name);
    if (owner) return;
    const mpam = this.hasPrivilege(session.role, MPAM, 'USER', user.name);
    for (const name of names) {
      if (self && SELF_PROPERTIES.has(name)) continue;
      if (mpam && AUTH_PROPERTIES.has(name)) continue;
      throw insufficientPrivileges('user', user.name);
    }
  }

  private alterUserSet(s: Extract<Statement, { type: 'alterUserSet' }>, session: SessionContext): ResultSet {
    const user = this.users.get(s.name.name);
    if (!user) {
      if (s.ifExists) return ok();
      throw doesNotExist('User', s.name.name);
    }
    this.checkAlterPrivileges(
      user,
      s.props.map((p) => p.name),
      session,
    );
    this.checkNetworkPolicyProperty(s.props, session);
    // Validate on a copy so that a failing property leaves the user untouched.
    const draft: User = { ...user, keys: { ...user.keys } };
    this.applyProperties(draft, s.props, user.name);
    this.users.set(user.name, draft);
    return ok();
  }

  private alterUserUnset(
    s: Extract<Statement, { type: 'alterUserUnset' }>,
    session: SessionContext,
  ): ResultSet {
    const user = this.users.get(s.name.name);
    if (!user) {
      if (s.ifExists) return ok();
      throw doesNotExist('User', s.name.name);
    }
    const names = s.props.map((t) => (t.kind === 'word' ? t.upper : t.text));
    this.checkAlterPrivileges(user, names, session);
    const draft: User = { ...user, keys: { ...user.keys } };
    for (let i = 0; i < names.length; i += 1) this.unsetProperty(draft, names[i]!, s.props[i]!);
    this.users.set(user.name, draft);
    return ok();
  }

  private unsetProperty(user: User, name: string, _token: Token): void {
    switch (name) {
      case 'PASSWORD':
        user.passwordHash = null;
        user.passwordSetAt = null;
        return;
      case 'LOGIN_NAME':
        user.loginName = user.name.toUpperCase();
        return;
      case 'DISPLAY_NAME':
        user.displayName = null;
        return;
      case 'FIRST_NAME':
        user.firstName = null;
        return;
      case 'MIDDLE_NAME':
        user.middleName = null;
        return;
      case 'LAST_NAME':
        user.lastName = null;
        return;
      case 'EMAIL':
        user.email = null;
        return;
      case 'COMMENT':
        user.comment = null;
        return;
      case 'TYPE':
        user.type = null;
        return;
      case 'DEFAULT_ROLE':
        user.defaultRole = null;
        return;
      case 'DEFAULT_WAREHOUSE':
        user.defaultWarehouse = null;
        return;
      case 'DEFAULT_NAMESPACE':
        user.defaultNamespace = null;
        return;
      case 'DEFAULT_SECONDARY_ROLES':
        user.defaultSecondaryRoles = null;
        return;
      case 'DISABLED':
        user.disabled = false;
        return;
      case 'MUST_CHANGE_PASSWORD':
        user.mustChangePassword = false;
        return;
      case 'DAYS_TO_EXPIRY':
        user.daysToExpiry = null;
        return;
      case 'MINS_TO_UNLOCK':
        user.minsToUnlock = null;
        return;
      case 'RSA_PUBLIC_KEY':
        user.keys[1] = null;
        return;
      case 'RSA_PUBLIC_KEY_2':
        user.keys[2] = null;
        return;
      case 'WORKLOAD_IDENTITY':
        user.workloadIdentity = null;
        return;
      case 'NETWORK_POLICY':
        user.networkPolicy = null;
        return;
      default:
        if (USER_SESSION_PARAMETERS.has(name)) return;
        throw invalidValue(`invalid property '${name}' for 'USER'`);
    }
  }

  private applyProperties(user: User, props: Property[], userName: string): void {
    const text = (p: Property): string => {
      if (p.value.kind === 'string') return p.value.value;
      throw invalidValue(`invalid value for property '${p.name}'`);
    };
    const nameOrText = (p: Property): string => {
      if (p.value.kind === 'string') return p.value.value;
      if (p.value.kind === 'ident') return p.value.parts.map((x) => x.name).join('.');
      throw invalidValue(`invalid value for property '${p.name}'`);
    };
    const flag = (p: Property): boolean => {
      if (p.value.kind === 'bool') return p.value.value;
      if (p.value.kind === 'string' && /^(true|false)$/i.test(p.value.value)) {
        return p.value.value.toLowerCase() === 'true';
      }
      throw invalidValue(`invalid value for property '${p.name}'`);
    };
    const number = (p: Property): string => {
      if (p.value.kind === 'number') return p.value.value;
      throw invalidValue(`invalid value for property '${p.name}'`);
    };
    for (const p of props) {
      switch (p.name) {
        case 'PASSWORD':
          user.passwordHash = hashPassword(text(p));
          user.passwordSetAt = this.now();
          break;
        case 'LOGIN_NAME':
          // Login names are case-insensitive: Snowflake stores them upper-cased (the Terraform
          // provider's acceptance tests assert `strings.ToUpper(loginName)`).
          user.loginName = nameOrText(p).toUpperCase();
          break;
        case 'DISPLAY_NAME':
          user.displayName = text(p);
          break;
        case 'FIRST_NAME':
          user.firstName = text(p);
          break;
        case 'MIDDLE_NAME':
          user.middleName = text(p);
          break;
        case 'LAST_NAME':
          user.lastName = text(p);
          break;
        case 'EMAIL':
          user.email = text(p);
          break;
        case 'COMMENT':
          user.comment = text(p);
          break;
        case 'DISABLED':
          user.disabled = flag(p);
          break;
        case 'MUST_CHANGE_PASSWORD':
          user.mustChangePassword = flag(p);
          break;
        case 'DAYS_TO_EXPIRY':
          user.daysToExpiry = number(p);
          break;
        case 'MINS_TO_UNLOCK':
          user.minsToUnlock = number(p);
          break;
        case 'MINS_TO_BYPASS_MFA':
          number(p);
          break;
        case 'DEFAULT_ROLE':
          user.defaultRole = nameOrText(p);
          break;
        case 'DEFAULT_WAREHOUSE':
          user.defaultWarehouse = nameOrText(p);
          break;
        case 'DEFAULT_NAMESPACE':
          user.defaultNamespace = nameOrText(p);
          break;
        case 'DEFAULT_SECONDARY_ROLES':
          if (p.value.kind !== 'list') throw invalidValue(`invalid value for property '${p.name}'`);
          user.defaultSecondaryRoles = JSON.stringify(
            p.value.items.map((v) => (v.kind === 'string' ? v.value.toUpperCase() : '')),
          );
          break;
        case 'NETWORK_POLICY':
          user.networkPolicy = this.networkPolicyRef(p);
          break;
        case 'TYPE': {
          if (p.value.kind === 'null') {
            user.type = null;
            break;
          }
          const t = nameOrText(p).toUpperCase();
          if (t !== 'PERSON' && t !== 'SERVICE' && t !== 'LEGACY_SERVICE') {
            throw invalidValue(`invalid value ['${t}'] for parameter 'TYPE'`);
          }
          user.type = t;
          break;
        }
        case 'RSA_PUBLIC_KEY':
        case 'RSA_PUBLIC_KEY_2': {
          const { body, fingerprint } = parsePublicKey(text(p));
          user.keys[p.name === 'RSA_PUBLIC_KEY' ? 1 : 2] = { body, fingerprint, setAt: this.now() };
          break;
        }
        case 'WORKLOAD_IDENTITY':
          user.workloadIdentity = this.parseWorkloadIdentity(p.value);
          break;
        default:
          if (USER_SESSION_PARAMETERS.has(p.name)) break;
          // RSA_PUBLIC_KEY_FP and friends are read-only: Snowflake answers
          // `invalid property 'RSA_PUBLIC_KEY_FP' for 'USER'` (Terraform provider acceptance tests).
          throw invalidValue(`invalid property '${p.name}' for 'USER'`);
      }
    }
    // Service users cannot have a password ("User management: Types of users"). The code and
    // wording of this refusal are not documented; see README.
    if (user.type === 'SERVICE' && user.passwordHash !== null) {
      throw new SfError(
        '001008',
        '22023',
        "SQL compilation error:\nProperty 'PASSWORD' is not supported for users with TYPE = SERVICE.",
      );
    }
    if (user.workloadIdentity) {
      // Workload identity federation is only for service users (notes, "Access control").
      if (user.type !== 'SERVICE') {
        throw new SfError(
          '001008',
          '22023',
          'SQL compilation error:\nWORKLOAD_IDENTITY can only be set for users with TYPE = SERVICE.',
        );
      }
      const w = user.workloadIdentity;
      for (const other of this.users.values()) {
        if (other.name === userName) continue;
        const o = other.workloadIdentity;
        // An ISSUER+SUBJECT pair must be unique in the account: 099706 (notes). Wording is ours.
        if (o && o.issuer === w.issuer && o.subject === w.subject) {
          throw new SfError(
            '099706',
            '42710',
            `SQL execution error:\nA workload identity with issuer '${w.issuer}' and subject '${w.subject}' already exists in the account.`,
          );
        }
      }
    }
  }

  private parseWorkloadIdentity(value: Value): WorkloadIdentity {
    if (value.kind !== 'props') throw invalidValue("invalid value for property 'WORKLOAD_IDENTITY'");
    const get = (name: string) => value.props.find((p) => p.name === name)?.value;
    const type = get('TYPE');
    const typeName = type?.kind === 'ident' ? type.parts[0]!.name : type?.kind === 'string' ? type.value : '';
    if (typeName.toUpperCase() !== 'OIDC') {
      // AWS, AZURE and GCP attestations are out of scope for this emulator.
      throw invalidValue(`invalid value ['${typeName}'] for parameter 'WORKLOAD_IDENTITY.TYPE'`);
    }
    for (const p of value.props) {
      if (!['TYPE', 'ISSUER', 'SUBJECT', 'OIDC_AUDIENCE_LIST'].includes(p.name)) {
        throw invalidValue(`invalid property '${p.name}' for 'WORKLOAD_IDENTITY'`);
      }
    }
    const issuer = get('ISSUER');
    const subject = get('SUBJECT');
    if (issuer?.kind !== 'string' || subject?.kind !== 'string') {
      throw invalidValue('WORKLOAD_IDENTITY of TYPE = OIDC requires ISSUER and SUBJECT');
    }
    // SUBJECT is matched exactly and is at most 255 characters (notes, "Workload identity federation").
    if (subject.value.length > 255) throw invalidValue("invalid value for property 'SUBJECT'");
    const list = get('OIDC_AUDIENCE_LIST');
    let audiences: string[] | null = null;
    if (list) {
      if (list.kind !== 'list' || list.items.some((v) => v.kind !== 'string')) {
        throw invalidValue("invalid value for property 'OIDC_AUDIENCE_LIST'");
      }
      audiences = list.items.map((v) => (v as { value: string }).value);
      if (audiences.length === 0) audiences = null;
    }
    return { type: 'OIDC', issuer: issuer.value, subject: subject.value, audiences };
  }

  private removeUser(name: string): void {
    this.users.delete(name);
    // A user's programmatic access tokens go with it.
    this.pats = this.pats.filter((p) => p.user !== name);
    this.grants = this.grants.filter(
      (g) => !(g.onType === 'USER' && g.onName === name) && !(g.granteeType === 'USER' && g.grantee === name),
    );
  }

  private dropUser(s: Extract<Statement, { type: 'dropUser' }>, session: SessionContext): ResultSet {
    const user = this.users.get(s.name.name);
    if (!user) {
      if (s.ifExists)
        return ok(`Drop statement executed successfully (${displayName(s.name.name)} already dropped).`);
      throw doesNotExist('User', s.name.name);
    }
    if (!this.owns(session.role, 'USER', user.name)) throw insufficientPrivileges('user', user.name);
    this.removeUser(user.name);
    return ok(`${displayName(user.name)} successfully dropped.`);
  }

  private descUser(name: Ident, session: SessionContext): ResultSet {
    const user = this.requireUser(name);
    // A user may describe itself; another user needs OWNERSHIP (notes, "Access control").
    if (session.user !== user.name && !this.owns(session.role, 'USER', user.name)) {
      throw insufficientPrivileges('user', user.name);
    }
    const tz = session.params.get('TIMEZONE') ?? DEFAULT_TIMEZONE;
    const v = (x: string | null | undefined) => (x === null || x === undefined ? 'null' : x);
    const time = (d: Date | null | undefined) => (d ? renderSetTime(d, tz) : 'null');
    const w = user.workloadIdentity;
    const rows: [string, string, string, string][] = [
      ['NAME', user.name, 'null', 'Name'],
      ['COMMENT', v(user.comment), 'null', 'user comment associated to an object in the dictionary'],
      ['DISPLAY_NAME', v(user.displayName), 'null', 'Display name of the associated object'],
      ['TYPE', v(user.type), 'null', 'Type of the user'],
      ['LOGIN_NAME', user.loginName, 'null', 'Login name of the user'],
      ['FIRST_NAME', v(user.firstName), 'null', 'First name of the user'],
      ['MIDDLE_NAME', v(user.middleName), 'null', 'Middle name of the user'],
      ['LAST_NAME', v(user.lastName), 'null', 'Last name of the user'],
      ['EMAIL', v(user.email), 'null', 'Email address of the user'],
      ['PASSWORD', user.passwordHash ? '********' : 'null', 'null', 'Password of the user'],
      ['MUST_CHANGE_PASSWORD', bool(user.mustChangePassword), 'false', 'User must change the password'],
      ['DISABLED', bool(user.disabled), 'false', 'Whether the user is disabled'],
      ['SNOWFLAKE_LOCK', 'false', 'false', 'Whether the user or account is locked by Snowflake'],
      ['SNOWFLAKE_SUPPORT', 'false', 'false', 'Snowflake Support is allowed to use the user or account'],
      [
        'DAYS_TO_EXPIRY',
        v(user.daysToExpiry),
        'null',
        'User record will be treated as expired after specified number of days',
      ],
      [
        'MINS_TO_UNLOCK',
        v(user.minsToUnlock),
        'null',
        'Temporary lock on the user will be removed after specified number of minutes',
      ],
      ['DEFAULT_WAREHOUSE', v(user.defaultWarehouse), 'null', 'Default warehouse for this user'],
      [
        'DEFAULT_NAMESPACE',
        v(user.defaultNamespace),
        'null',
        'Default database namespace prefix for this user',
      ],
      ['DEFAULT_ROLE', v(user.defaultRole), 'null', 'Primary default role for this user'],
      [
        'DEFAULT_SECONDARY_ROLES',
        v(user.defaultSecondaryRoles),
        'null',
        'Default secondary roles for this user',
      ],
      ['EXT_AUTHN_DUO', 'false', 'false', 'Whether Duo Security is enabled as second factor authentication'],
      ['EXT_AUTHN_UID', 'null', 'null', 'External authentication ID of the user'],
      ['HAS_MFA', 'false', 'false', 'Whether the user is enrolled for multi-factor authentication'],
      [
        'MINS_TO_BYPASS_MFA',
        'null',
        'null',
        'Temporary bypass MFA for the user for a specified number of minutes',
      ],
      [
        'MINS_TO_BYPASS_NETWORK_POLICY',
        'null',
        'null',
        'Temporary bypass network policy on the user for a specified number of minutes',
      ],
      ['RSA_PUBLIC_KEY', v(user.keys[1]?.body), 'null', 'RSA public key of the user'],
      ['RSA_PUBLIC_KEY_FP', v(user.keys[1]?.fingerprint), 'null', "Fingerprint of user's RSA public key."],
      [
        'RSA_PUBLIC_KEY_LAST_SET_TIME',
        time(user.keys[1]?.setAt),
        'null',
        'The timestamp at which the RSA public key was last set for the user',
      ],
      ['RSA_PUBLIC_KEY_2', v(user.keys[2]?.body), 'null', 'Second RSA public key of the user'],
      [
        'RSA_PUBLIC_KEY_2_FP',
        v(user.keys[2]?.fingerprint),
        'null',
        "Fingerprint of user's second RSA public key.",
      ],
      [
        'RSA_PUBLIC_KEY_2_LAST_SET_TIME',
        time(user.keys[2]?.setAt),
        'null',
        'The timestamp at which the second RSA public key was last set for the user',
      ],
      [
        'PASSWORD_LAST_SET_TIME',
        time(user.passwordSetAt),
        'null',
        'The timestamp on which the last non-null password was set for the user. Default to null if no password has been set yet.',
      ],
      ['CUSTOM_LANDING_PAGE_URL', 'null', 'null', 'Snowflake Support is allowed to use the user or account'],
      [
        'CUSTOM_LANDING_PAGE_URL_FLUSH_NEXT_UI_LOAD',
        'false',
        'false',
        'The boolean indicating whether the custom landing page url should be flushed',
      ],
      [
        'HAS_PAT',
        bool(this.activePats(user.name).length > 0),
        'false',
        'Whether the user has a programmatic access token',
      ],
      [
        'HAS_WORKLOAD_IDENTITY',
        bool(w !== null),
        'false',
        'Whether the user has workload identity federation set up',
      ],
    ];
    return {
      columns: [
        { name: 'property', type: 'text' },
        { name: 'value', type: 'text' },
        { name: 'default', type: 'text' },
        { name: 'description', type: 'text' },
      ],
      rows,
    };
  }

  private showUsers(like: string | null, session: SessionContext): ResultSet {
    const re = like === null ? null : likeToRegExp(like);
    const users = [...this.users.values()]
      .filter((u) => !re || re.test(u.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const columns: ResultSet['columns'] = [
      { name: 'name', type: 'text' },
      { name: 'created_on', type: 'timestamp_ltz', scale: 3 },
      { name: 'login_name', type: 'text' },
      { name: 'display_name', type: 'text' },
      { name: 'first_name', type: 'text' },
      { name: 'last_name', type: 'text' },
      { name: 'email', type: 'text' },
      { name: 'mins_to_unlock', type: 'text' },
      { name: 'days_to_expiry', type: 'text' },
      { name: 'comment', type: 'text' },
      { name: 'disabled', type: 'text' },
      { name: 'must_change_password', type: 'text' },
      { name: 'snowflake_lock', type: 'text' },
      { name: 'default_warehouse', type: 'text' },
      { name: 'default_namespace', type: 'text' },
      { name: 'default_role', type: 'text' },
      { name: 'default_secondary_roles', type: 'text' },
      { name: 'ext_authn_duo', type: 'text' },
      { name: 'ext_authn_uid', type: 'text' },
      { name: 'mins_to_bypass_mfa', type: 'text' },
      { name: 'owner', type: 'text' },
      { name: 'last_success_login', type: 'timestamp_ltz', scale: 3 },
      { name: 'expires_at_time', type: 'timestamp_ltz', scale: 3 },
      { name: 'locked_until_time', type: 'timestamp_ltz', scale: 3 },
      { name: 'has_password', type: 'text' },
      { name: 'has_rsa_public_key', type: 'text' },
      { name: 'type', type: 'text' },
      { name: 'has_mfa', type: 'text' },
      { name: 'has_workload_identity', type: 'text' },
      { name: 'has_pat', type: 'text' },
    ];
    const manage = this.manageGrants(session.role);
    const rows = users.map((u): Cell[] => {
      const owner = this.owner('USER', u.name) ?? '';
      // Columns other than name, created_on and owner are NULL for users the role does not own,
      // unless it has MANAGE GRANTS (notes, "Access control").
      if (!manage && !this.owns(session.role, 'USER', u.name)) {
        return columns.map((c) =>
          c.name === 'name'
            ? u.name
            : c.name === 'created_on'
              ? u.createdOn
              : c.name === 'owner'
                ? owner
                : null,
        );
      }
      return [
        u.name,
        u.createdOn,
        u.loginName,
        u.displayName ?? '',
        u.firstName,
        u.lastName,
        u.email,
        u.minsToUnlock,
        u.daysToExpiry,
        u.comment,
        bool(u.disabled),
        bool(u.mustChangePassword),
        'false',
        u.defaultWarehouse,
        u.defaultNamespace,
        u.defaultRole,
        u.defaultSecondaryRoles,
        'false',
        null,
        null,
        owner,
        u.lastSuccessLogin,
        null,
        null,
        bool(u.passwordHash !== null),
        bool(u.keys[1] !== null || u.keys[2] !== null),
        u.type,
        'false',
        bool(u.workloadIdentity !== null),
        bool(this.activePats(u.name).length > 0),
      ];
    });
    return { columns, rows };
  }

  private createRole(s: Extract<Statement, { type: 'createRole' }>, session: SessionContext): ResultSet {
    if (!this.accountPrivilege(session.role, 'CREATE ROLE'))
      throw insufficientPrivileges('account', this.accountName);
    const existing = this.roles.get(s.name.name);
    if (existing) {
      if (s.ifNotExists) return ok(`${displayName(s.name.name)} already exists, statement succeeded.`);
      if (!s.orReplace || SYSTEM_ROLES.includes(existing.name)) throw alreadyExists(s.name.name);
      if (!this.owns(session.role, 'ROLE', existing.name))
        throw insufficientPrivileges('role', existing.name);
      this.removeRole(existing.name);
    }
    this.roles.set(s.name.name, { name: s.name.name, comment: s.comment, createdOn: this.now() });
    this.grants.push({
      privilege: 'OWNERSHIP',
      onType: 'ROLE',
      onName: s.name.name,
      granteeType: 'ROLE',
      grantee: session.role,
      grantOption: true,
      grantedBy: session.role,
      createdOn: this.now(),
    });
    return ok(`Role ${displayName(s.name.name)} successfully created.`);
  }

  private removeRole(name: string): void {
    this.roles.delete(name);
    this.grants = this.grants.filter(
      (g) => !(g.onType === 'ROLE' && g.onName === name) && !(g.granteeType === 'ROLE' && g.grantee === name),
    );
  }

  private dropRole(s: Extract<Statement, { type: 'dropRole' }>, session: SessionContext): ResultSet {
    const role = this.roles.get(s.name.name);
    if (!role) {
      if (s.ifExists)
        return ok(`Drop statement executed successfully (${displayName(s.name.name)} already dropped).`);
      throw doesNotExist('Role', s.name.name);
    }
    if (SYSTEM_ROLES.includes(role.name) || !this.owns(session.role, 'ROLE', role.name)) {
      throw insufficientPrivileges('role', role.name);
    }
    this.removeRole(role.name);
    return ok(`${displayName(role.name)} successfully dropped.`);
  }

  private showRoles(like: string | null, session: SessionContext): ResultSet {
    const re = like === null ? null : likeToRegExp(like);
    const current = this.closure(session.role);
    const roles = [...this.roles.values()]
      .filter((r) => !re || re.test(r.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const count = (pred: (g: Grant) => boolean) => String(this.grants.filter(pred).length);
    return {
      columns: [
        { name: 'created_on', type: 'timestamp_ltz', scale: 3 },
        { name: 'name', type: 'text' },
        { name: 'is_default', type: 'text' },
        { name: 'is_current', type: 'text' },
        { name: 'is_inherited', type: 'text' },
        { name: 'assigned_to_users', type: 'fixed' },
        { name: 'granted_to_roles', type: 'fixed' },
        { name: 'granted_roles', type: 'fixed' },
        { name: 'owner', type: 'text' },
        { name: 'comment', type: 'text' },
      ],
      rows: roles.map((r) => [
        r.createdOn,
        r.name,
        session.user && this.users.get(session.user)?.defaultRole === r.name ? 'Y' : 'N',
        r.name === session.role ? 'Y' : 'N',
        r.name !== session.role && current.has(r.name) ? 'Y' : 'N',
        count((g) => g.onType === 'ROLE' && g.onName === r.name && g.granteeType === 'USER'),
        count(
          (g) =>
            g.onType === 'ROLE' && g.onName === r.name && g.privilege === 'USAGE' && g.granteeType === 'ROLE',
        ),
        count(
          (g) =>
            g.onType === 'ROLE' &&
            g.privilege === 'USAGE' &&
            g.granteeType === 'ROLE' &&
            g.grantee === r.name,
        ),
        this.owner('ROLE', r.name) ?? '',
        r.comment ?? '',
      ]),
    };
  }

  private grantRole(
    s: Extract<Statement, { type: 'grantRole' | 'revokeRole' }>,
    session: SessionContext,
  ): ResultSet {
    const role = this.requireRole(s.role);
    if (s.granteeType === 'USER') this.requireUser(s.grantee);
    else this.requireRole(s.grantee);
    // GRANT/REVOKE ROLE needs OWNERSHIP of the role or MANAGE GRANTS (notes, "Access control").
    if (!this.owns(session.role, 'ROLE', role.name) && !this.manageGrants(session.role)) {
      throw insufficientPrivileges('role', role.name);
    }
    const match = (g: Grant) =>
      g.onType === 'ROLE' &&
      g.privilege === 'USAGE' &&
      g.onName === role.name &&
      g.granteeType === s.granteeType &&
      g.grantee === s.grantee.name;
    if (s.type === 'revokeRole') {
      this.grants = this.grants.filter((g) => !match(g));
      return ok();
    }
    if (
      s.granteeType === 'ROLE' &&
      this.closure(role.name).has(s.grantee.name) &&
      s.grantee.name !== 'PUBLIC'
    ) {
      // A role hierarchy cannot have cycles; the wording of this refusal is ours (README).
      throw new SfError(
        '003012',
        '42601',
        `SQL execution error:\nCannot grant role '${displayName(role.name)}' to role '${displayName(s.grantee.name)}', because '${displayName(s.grantee.name)}' is already granted to '${displayName(role.name)}'.`,
      );
    }
    if (!this.grants.some(match)) {
      this.grants.push({
        privilege: 'USAGE',
        onType: 'ROLE',
        onName: role.name,
        granteeType: s.granteeType,
        grantee: s.grantee.name,
        grantOption: false,
        // Under MANAGE GRANTS the recorded grantor is the object's owner (notes).
        grantedBy: this.owner('ROLE', role.name) ?? session.role,
        createdOn: this.now(),
      });
    }
    return ok();
  }

  private grantOwnership(
    s: Extract<Statement, { type: 'grantOwnership' }>,
    session: SessionContext,
  ): ResultSet {
    const target =
      s.onType === 'USER'
        ? this.requireUser(s.on).name
        : s.onType === 'ROLE'
          ? this.requireRole(s.on).name
          : this.resolveNetworkPolicy(s.on.name, session).name;
    const to = this.requireRole(s.to);
    if (!this.owns(session.role, s.onType, target) && !this.manageGrants(session.role)) {
      throw insufficientPrivileges(
        s.onType === 'USER' ? 'user' : s.onType === 'ROLE' ? 'role' : 'network policy',
        target,
      );
    }
    this.transferOwnership(s.onType, target, to.name, s.currentGrants);
    return ok();
  }

  /**
   * GRANT OWNERSHIP: moves the OWNERSHIP row to `to`. Outbound grants on the object (other than role
   * membership) block the transfer unless COPY or REVOKE CURRENT GRANTS is given (notes, "Access
   * control"); with COPY they stay and their grantor becomes the new owner.
   */
  private transferOwnership(
    onType: Exclude<Grant['onType'], 'ACCOUNT'>,
    target: string,
    to: string,
    currentGrants: 'COPY' | 'REVOKE' | null,
  ): void {
    const outbound = (g: Grant) =>
      g.onType === onType &&
      g.onName === target &&
      g.privilege !== 'OWNERSHIP' &&
      !(onType === 'ROLE' && g.privilege === 'USAGE');
    const dependent = this.grants.filter(outbound);
    if (dependent.length > 0 && currentGrants === null) {
      // Code and wording are not confirmed (README).
      const d = dependent[0]!;
      const shown = onType === 'USER' || onType === 'ROLE' ? displayName(target) : target;
      throw new SfError(
        '003032',
        '42501',
        `SQL execution error: Dependent grant of privilege '${d.privilege}' on securable '${shown}' to role '${displayName(d.grantee)}' exists. It must be revoked first. More than one dependent grant may exist: use 'SHOW GRANTS' command to view them. To revoke all dependent grants while transferring object ownership, use convenience command 'GRANT OWNERSHIP ON <target_objects> TO <target_role> REVOKE CURRENT GRANTS'.`,
      );
    }
    if (currentGrants === 'REVOKE') this.grants = this.grants.filter((g) => !outbound(g));
    else for (const g of dependent) g.grantedBy = to;
    const current = this.grants.find(
      (g) => g.privilege === 'OWNERSHIP' && g.onType === onType && g.onName === target,
    );
    if (current) {
      current.grantee = to;
      current.grantedBy = to;
      current.createdOn = this.now();
    } else {
      this.grants.push({
        privilege: 'OWNERSHIP',
        onType,
        onName: target,
        granteeType: 'ROLE',
        grantee: to,
        grantOption: true,
        grantedBy: to,
        createdOn: this.now(),
      });
    }
  }

  private expandPrivileges(list: string[], allowed: string[]): string[] {
    const out: string[] = [];
    for (const p of list) {
      if (p === 'ALL' || p === 'ALL PRIVILEGES') out.push(...allowed);
      else if (allowed.includes(p)) out.push(p);
      else throw invalidValue(`Invalid privilege ${p}.`);
    }
    return [...new Set(out)];
  }

  private grantPrivileges(
    s: Extract<Statement, { type: 'grantPrivileges' }>,
    session: SessionContext,
  ): ResultSet {
    const role = this.requireRole(s.to);
    const onName = s.onType === 'USER' ? this.requireUser(s.on!).name : this.accountName;
    const privileges = this.expandPrivileges(
      s.privileges,
      s.onType === 'USER' ? USER_PRIVILEGES : ACCOUNT_PRIVILEGES,
    );
    // Granting needs MANAGE GRANTS, OWNERSHIP of the object, or the privilege WITH GRANT OPTION.
    const manage = this.manageGrants(session.role);
    const owner = s.onType === 'USER' && this.owns(session.role, 'USER', onName);
    for (const p of privileges) {
      if (!manage && !owner && !this.hasGrantOption(session.role, p, s.onType, onName)) {
        throw insufficientPrivileges(s.onType === 'USER' ? 'user' : 'account', onName);
      }
    }
    const grantedBy = s.onType === 'USER' ? (this.owner('USER', onName) ?? session.role) : session.role;
    for (const p of privileges) {
      const existing = this.grants.find(
        (g) =>
          g.privilege === p &&
          g.onType === s.onType &&
          g.onName === onName &&
          g.granteeType === 'ROLE' &&
          g.grantee === role.name,
      );
      if (existing) existing.grantOption = existing.grantOption || s.withGrantOption;
      else {
        this.grants.push({
          privilege: p,
          onType: s.onType,
          onName,
          granteeType: 'ROLE',
          grantee: role.name,
          grantOption: s.withGrantOption,
          grantedBy,
          createdOn: this.now(),
        });
      }
    }
    return ok();
  }

  private revokePrivileges(
    s: Extract<Statement, { type: 'revokePrivileges' }>,
    session: SessionContext,
  ): ResultSet {
    const role = this.requireRole(s.from);
    const onName = s.onType === 'USER' ? this.requireUser(s.on!).name : this.accountName;
    const privileges = this.expandPrivileges(
      s.privileges,
      s.onType === 'USER' ? USER_PRIVILEGES : ACCOUNT_PRIVILEGES,
    );
    const owner = s.onType === 'USER' && this.owns(session.role, 'USER', onName);
    if (!owner && !this.manageGrants(session.role)) {
      throw insufficientPrivileges(s.onType === 'USER' ? 'user' : 'account', onName);
    }
    this.grants = this.grants.filter(
      (g) =>
        !(
          privileges.includes(g.privilege) &&
          g.onType === s.onType &&
          g.onName === onName &&
          g.granteeType === 'ROLE' &&
          g.grantee === role.name
        ),
    );
    return ok();
  }

  private showGrants(s: Extract<Statement, { type: 'showGrants' }>, session: SessionContext): ResultSet {
    const manage = this.manageGrants(session.role);
    const grantColumns = GRANT_COLUMNS;
    switch (s.mode) {
      case 'toRole': {
        const role = this.requireRole(s.name!);
        if (
          !manage &&
          !this.closure(session.role).has(role.name) &&
          !this.owns(session.role, 'ROLE', role.name)
        ) {
          throw insufficientPrivileges('role', role.name);
        }
        const rows = this.grants
          .filter((g) => g.granteeType === 'ROLE' && g.grantee === role.name)
          .sort(byTime);
        return { columns: grantColumns, rows: rows.map(grantRow) };
      }
      case 'toUser': {
        const user = this.requireUser(s.name!);
        if (!manage && session.user !== user.name && !this.owns(session.role, 'USER', user.name)) {
          throw insufficientPrivileges('user', user.name);
        }
        // Column set of the 2025_01 behaviour change bundle (notes, "Result shapes for grants").
        const rows = this.grants
          .filter((g) => g.onType === 'ROLE' && g.granteeType === 'USER' && g.grantee === user.name)
          .sort(byTime)
          .map((g): Cell[] => [
            g.createdOn,
            'USAGE',
            'ROLE',
            g.onName,
            g.onName,
            'USER',
            user.name,
            'false',
            g.grantedBy,
          ]);
        return {
          columns: [
            { name: 'created_on', type: 'timestamp_ltz', scale: 3 },
            { name: 'privilege', type: 'text' },
            { name: 'granted_on', type: 'text' },
            { name: 'name', type: 'text' },
            { name: 'role', type: 'text' },
            { name: 'granted_to', type: 'text' },
            { name: 'grantee_name', type: 'text' },
            { name: 'grant_option', type: 'text' },
            { name: 'granted_by', type: 'text' },
          ],
          rows,
        };
      }
      case 'ofRole': {
        const role = this.requireRole(s.name!);
        if (
          !manage &&
          !this.closure(session.role).has(role.name) &&
          !this.owns(session.role, 'ROLE', role.name)
        ) {
          throw insufficientPrivileges('role', role.name);
        }
        const rows = this.grants
          .filter((g) => g.onType === 'ROLE' && g.privilege === 'USAGE' && g.onName === role.name)
          .sort(byTime)
          .map((g): Cell[] => [g.createdOn, role.name, g.granteeType, g.grantee, g.grantedBy]);
        return {
          columns: [
            { name: 'created_on', type: 'timestamp_ltz', scale: 3 },
            { name: 'role', type: 'text' },
            { name: 'granted_to', type: 'text' },
            { name: 'grantee_name', type: 'text' },
            { name: 'granted_by', type: 'text' },
          ],
          rows,
        };
      }
      case 'onUser': {
        const user = this.requireUser(s.name!);
        if (!manage && session.user !== user.name && !this.owns(session.role, 'USER', user.name)) {
          throw insufficientPrivileges('user', user.name);
        }
        const rows = this.grants.filter((g) => g.onType === 'USER' && g.onName === user.name).sort(byTime);
        return { columns: grantColumns, rows: rows.map(grantRow) };
      }
      case 'onRole': {
        const role = this.requireRole(s.name!);
        const rows = this.grants
          .filter((g) => g.onType === 'ROLE' && g.onName === role.name && g.privilege !== 'USAGE')
          .sort(byTime);
        return { columns: grantColumns, rows: rows.map(grantRow) };
      }
      case 'onAccount': {
        const rows = this.grants.filter((g) => g.onType === 'ACCOUNT').sort(byTime);
        return { columns: grantColumns, rows: rows.map(grantRow) };
      }
      case 'onNetworkPolicy': {
        const policy = this.resolveNetworkPolicy(s.name!.name, session);
        const rows = this.grants
          .filter((g) => g.onType === 'NETWORK_POLICY' && g.onName === policy.name)
          .sort(byTime);
        return { columns: grantColumns, rows: rows.map(grantRow) };
      }
    }
  }

  private useRole(name: Ident, session: SessionContext): ResultSet {
    const role = this.requireRole(name);
    if (session.user !== null && !this.rolesOfUser(session.user).has(role.name)) {
      // Two spaces before "Specify", as Snowflake prints it.
      throw new SfError(
        '003013',
        '42501',
        `SQL access control error:\nRequested role '${displayName(role.name)}' is not assigned to the executing user.  Specify another role to activate.`,
      );
    }
    session.role = role.name;
    return ok();
  }

  private alterSessionSet(props: Property[], session: SessionContext): ResultSet {
    const updates: [string, string][] = [];
    for (const p of props) {
      let value: string;
      switch (p.value.kind) {
        case 'string':
        case 'number':
          value = p.value.value;
          break;
        case 'bool':
          value = String(p.value.value);
          break;
        case 'ident':
          value = p.value.parts.map((x) => x.name).join('.');
          break;
        default:
          throw invalidValue(`invalid value for parameter '${p.name}'`);
      }
      if (p.name === 'TIMEZONE' && !isValidTimeZone(value)) {
        throw invalidValue(`invalid value ['${value}'] for parameter 'TIMEZONE'`);
      }
      updates.push([p.name, value]);
    }
    for (const [k, v] of updates) session.params.set(k, v);
    return ok();
  }

  // ---------------------------------------------------------------- programmatic access tokens
  //
  // Sources: docs, "ALTER USER … ADD PROGRAMMATIC ACCESS TOKEN (PAT)"
  // (https://docs.snowflake.com/en/sql-reference/sql/alter-user-add-programmatic-access-token: syntax, PAT alias,
  // IF NOT EXISTS, ROLE_RESTRICTION required for TYPE=SERVICE/LEGACY_SERVICE and must be granted to the user,
  // DAYS_TO_EXPIRY 1..365 default 15, MINS_TO_BYPASS_NETWORK_POLICY_REQUIREMENT 1..1440, output columns
  // token_name/token_secret, at most 15 unexpired tokens per user), "ALTER USER … REMOVE PROGRAMMATIC ACCESS
  // TOKEN (PAT)" (https://docs.snowflake.com/en/sql-reference/sql/alter-user-remove-programmatic-access-token:
  // IF EXISTS, not in a session authenticated with a PAT), "SHOW USER PROGRAMMATIC ACCESS TOKENS"
  // (https://docs.snowflake.com/en/sql-reference/sql/show-user-programmatic-access-tokens; column list as the
  // Terraform provider reads it, pkg/sdk/user_programmatic_access_tokens_def.go), and "Using programmatic
  // access tokens for authentication" (https://docs.snowflake.com/en/user-guide/programmatic-access-tokens:
  // who may generate for whom, the network policy requirement for service users, bypass minutes for persons).

  /** The user's tokens that have not expired (what HAS_PAT and the limit of 15 count). */
  activePats(userName: string): ProgrammaticAccessToken[] {
    const now = this.now().getTime();
    return this.pats.filter((p) => p.user === userName && p.expiresAt.getTime() > now);
  }

  /** The token whose secret this is, if any (compared by SHA-256; the secret itself is not kept). */
  findPatBySecret(secret: string): ProgrammaticAccessToken | undefined {
    const hash = hashTokenSecret(secret);
    return this.pats.find((p) => p.secretHash === hash);
  }

  /** `ALTER USER [u]` / `SHOW … FOR USER u`: the named user, or the session's when the name is left out. */
  private patUser(name: Ident | null, ifExists: boolean, session: SessionContext): User | null {
    const userName = name?.name ?? session.user;
    if (userName === null) {
      // The control plane acts as no user (our limitation): it must name one.
      throw invalidValue('this session has no current user: name the user (ALTER USER u ADD PAT …)');
    }
    const user = this.users.get(userName);
    if (!user) {
      if (ifExists) return null;
      throw doesNotExist('User', userName);
    }
    return user;
  }

  /**
   * Generating, revoking or listing tokens: nothing for a person's own tokens; for another user, or for a
   * service user (even itself), OWNERSHIP or MODIFY PROGRAMMATIC AUTHENTICATION METHODS on that user (docs,
   * "Using programmatic access tokens for authentication: Privileges required for programmatic access tokens").
   */
  private checkPatPrivileges(user: User, session: SessionContext): void {
    const service = user.type === 'SERVICE' || user.type === 'LEGACY_SERVICE';
    if (session.user === user.name && !service) return;
    if (this.owns(session.role, 'USER', user.name)) return;
    if (this.hasPrivilege(session.role, MPAM, 'USER', user.name)) return;
    throw insufficientPrivileges('user', user.name);
  }

  private addPat(s: Extract<Statement, { type: 'addPat' }>, session: SessionContext): ResultSet {
    const user = this.patUser(s.user, s.ifExists, session);
    if (!user) return ok();
    this.checkPatPrivileges(user, session);
    const name = s.name.name;
    if (this.pats.some((p) => p.user === user.name && p.name === name)) {
      // IF NOT EXISTS: success without a new token or a secret (docs). Wording ours, as for other objects.
      if (s.ifNotExists) return ok(`${displayName(name)} already exists, statement succeeded.`);
      throw alreadyExists(name);
    }
    let role: string | null = null;
    let days = 15;
    let bypass: number | null = null;
    let comment: string | null = null;
    const integer = (p: Property, min: number, max: number): number => {
      const n = p.value.kind === 'number' ? Number(p.value.value) : Number.NaN;
      if (!Number.isInteger(n) || n < min || n > max) {
        throw invalidValue(
          `invalid value for property '${p.name}': must be an integer from ${min} to ${max}`,
        );
      }
      return n;
    };
    for (const p of s.props) {
      switch (p.name) {
        case 'ROLE_RESTRICTION':
          // Documented as a string literal ('example_role' names the unquoted role EXAMPLE_ROLE); the Terraform
          // provider writes an identifier. A literal names a role exactly, else as an unquoted name would.
          if (p.value.kind === 'string') {
            const text = p.value.value;
            role = this.roles.has(text) ? text : text.toUpperCase();
          } else if (p.value.kind === 'ident' && p.value.parts.length === 1) role = p.value.parts[0]!.name;
          else throw invalidValue(`invalid value for property '${p.name}'`);
          break;
        case 'DAYS_TO_EXPIRY':
          // 1 to the maximum expiration time, 365 days unless an authentication policy lowers it.
          days = integer(p, 1, 365);
          break;
        case 'MINS_TO_BYPASS_NETWORK_POLICY_REQUIREMENT':
          bypass = integer(p, 1, 1440);
          break;
        case 'COMMENT':
          if (p.value.kind !== 'string') throw invalidValue(`invalid value for property '${p.name}'`);
          comment = p.value.value;
          break;
        default:
          throw invalidValue(`invalid property '${p.name}' for 'PROGRAMMATIC ACCESS TOKEN'`);
      }
    }
    const service = user.type === 'SERVICE' || user.type === 'LEGACY_SERVICE';
    // Codes and wording of the three refusals below are ours (not found in public sources); see README.
    if (service && role === null) {
      throw invalidValue(
        `ROLE_RESTRICTION is required for a programmatic access token of a user with TYPE = ${user.type}.`,
      );
    }
    if (role !== null && (!this.roles.has(role) || !this.rolesOfUser(user.name).has(role))) {
      throw invalidValue(`Role '${displayName(role)}' is not granted to user '${displayName(user.name)}'.`);
    }
    // A service user can only generate a token while subject to a network policy (user's or account's);
    // MINS_TO_BYPASS_NETWORK_POLICY_REQUIREMENT is for persons and does not lift this (docs, guide).
    if (service && !this.effectiveNetworkPolicy(user)) {
      throw invalidValue(
        `Network policy is required: user '${displayName(user.name)}' (TYPE = ${user.type}) is not subject to a network policy.`,
      );
    }
    if (this.activePats(user.name).length >= 15) {
      throw invalidValue(
        `User '${displayName(user.name)}' already has the maximum of 15 programmatic access tokens.`,
      );
    }
    const now = this.now();
    const expiresAt = new Date(now.getTime() + days * 86_400_000);
    const secret = newTokenSecret(expiresAt);
    this.pats.push({
      name,
      user: user.name,
      secretHash: hashTokenSecret(secret),
      roleRestriction: role,
      expiresAt,
      minsToBypass: bypass,
      comment,
      createdOn: now,
      createdBy: session.user ?? 'SYSTEM',
    });
    return {
      columns: [
        { name: 'token_name', type: 'text' },
        { name: 'token_secret', type: 'text' },
      ],
      rows: [[name, secret]],
    };
  }

  private removePat(s: Extract<Statement, { type: 'removePat' }>, session: SessionContext): ResultSet {
    const user = this.patUser(s.user, s.ifExists, session);
    if (!user) return ok();
    this.checkPatPrivileges(user, session);
    // "You cannot revoke a programmatic access token in a session where you used a programmatic access token
    // [for that same user] for authentication" (docs). Code and wording ours.
    if (session.viaPat && session.user === user.name) {
      throw invalidValue(
        'Cannot remove a programmatic access token in a session authenticated with a programmatic access token.',
      );
    }
    const i = this.pats.findIndex((p) => p.user === user.name && p.name === s.name.name);
    if (i < 0) {
      if (s.tokenIfExists) return ok();
      // Kind word ours, by analogy with other objects.
      throw doesNotExist('Programmatic access token', s.name.name);
    }
    this.pats.splice(i, 1);
    return ok();
  }

  private showPats(name: Ident | null, session: SessionContext): ResultSet {
    const user = this.patUser(name, false, session)!;
    this.checkPatPrivileges(user, session);
    const now = this.now().getTime();
    const rows = this.pats
      .filter((p) => p.user === user.name)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((p): Cell[] => [
        p.name,
        p.user,
        // Read as non-null text by the Terraform provider: empty when the token has no role restriction.
        p.roleRestriction ?? '',
        p.expiresAt,
        p.expiresAt.getTime() <= now ? 'EXPIRED' : user.disabled ? 'DISABLED' : 'ACTIVE',
        p.comment,
        p.createdOn,
        p.createdBy,
        p.minsToBypass === null ? null : String(p.minsToBypass),
        null,
      ]);
    return {
      columns: [
        { name: 'name', type: 'text' },
        { name: 'user_name', type: 'text' },
        { name: 'role_restriction', type: 'text' },
        { name: 'expires_at', type: 'timestamp_ltz', scale: 3 },
        { name: 'status', type: 'text' },
        { name: 'comment', type: 'text' },
        { name: 'created_on', type: 'timestamp_ltz', scale: 3 },
        { name: 'created_by', type: 'text' },
        { name: 'mins_to_bypass_network_policy_requirement', type: 'fixed', scale: 0 },
        { name: 'rotated_to', type: 'text' },
      ],
      rows,
    };
  }

  // ---------------------------------------------------------------- databases, schemas, secrets
  //
  // Visibility follows Snowflake's rule that objects a role has no privilege on "do not exist or
  // are not authorized" (002003), and that operating on a schema object needs USAGE on its database
  // and schema (docs, e.g. "DESCRIBE SECRET: Access control requirements"). OWNERSHIP implies every
  // privilege. MANAGE GRANTS does not give access to objects, but lets GRANT and SHOW resolve them.

  /** Any privilege on the object through the role's hierarchy: what makes it visible. */
  private anyPrivilege(role: string, onType: SecurableType, onName: string): boolean {
    const roles = this.closure(role);
    return this.grants.some(
      (g) => g.granteeType === 'ROLE' && roles.has(g.grantee) && g.onType === onType && g.onName === onName,
    );
  }

  private usable(role: string, onType: SecurableType, onName: string): boolean {
    return this.hasPrivilege(role, 'USAGE', onType, onName);
  }

  /** The current database, or 090105 naming the statement (`Cannot perform CREATE SECRET.`). */
  private currentDatabase(session: SessionContext, command: string): string {
    if (session.database === null || !this.databases.has(session.database))
      throw noCurrent('database', command);
    return session.database;
  }

  private currentSchema(session: SessionContext, command: string): [string, string] {
    const db = this.currentDatabase(session, command);
    if (session.schema === null) throw noCurrent('schema', command);
    return [db, session.schema];
  }

  /** `s` or `d.s` against the session's current database. */
  private schemaPath(parts: Ident[], session: SessionContext, command: string): [string, string] {
    if (parts.length === 2) return [parts[0]!.name, parts[1]!.name];
    return [this.currentDatabase(session, command), parts[0]!.name];
  }

  /** `n`, `s.n` or `d.s.n` against the session's current database and schema. */
  private objectPath(parts: Ident[], session: SessionContext, command: string): [string, string, string] {
    if (parts.length === 3) return [parts[0]!.name, parts[1]!.name, parts[2]!.name];
    if (parts.length === 2) return [this.currentDatabase(session, command), parts[0]!.name, parts[1]!.name];
    return [...this.currentSchema(session, command), parts[0]!.name];
  }

  /**
   * A database the role may see (any privilege, or MANAGE GRANTS when `bypass`), or one it may use
   * (`usage`: USAGE or OWNERSHIP). Otherwise 002003 `Database 'D' does not exist or not authorized.`
   */
  private resolveDatabase(
    name: string,
    session: SessionContext,
    need: 'visible' | 'usage',
    bypass = false,
  ): Database {
    const db = this.databases.get(name);
    const key = qualifiedName([name]);
    const ok =
      db &&
      (bypass ||
        (need === 'usage'
          ? this.usable(session.role, 'DATABASE', key)
          : this.anyPrivilege(session.role, 'DATABASE', key)));
    if (!ok) throw doesNotExist('Database', [name]);
    return db;
  }

  /** A schema whose database and schema the role may use (INFORMATION_SCHEMA: everyone with the database). */
  private resolveSchema(dbName: string, name: string, session: SessionContext, bypass = false): Schema {
    const db = this.resolveDatabase(dbName, session, 'usage', bypass);
    const schema = db.schemas.get(name);
    const ok =
      schema &&
      (bypass ||
        name === 'INFORMATION_SCHEMA' ||
        this.usable(session.role, 'SCHEMA', qualifiedName([dbName, name])));
    if (!ok) throw doesNotExist('Schema', [dbName, name]);
    return schema;
  }

  /** A secret in a usable schema on which the role holds any privilege. */
  private resolveSecret(path: [string, string, string], session: SessionContext, bypass = false): Secret {
    const schema = this.resolveSchema(path[0], path[1], session, bypass);
    const secret = schema.secrets.get(path[2]);
    if (!secret || (!bypass && !this.anyPrivilege(session.role, 'SECRET', qualifiedName(path)))) {
      throw doesNotExist('Secret', path);
    }
    return secret;
  }

  private addOwnership(onType: SecurableType, onName: string, role: string): void {
    this.grants.push({
      privilege: 'OWNERSHIP',
      onType,
      onName,
      granteeType: 'ROLE',
      grantee: role,
      grantOption: true,
      grantedBy: role,
      createdOn: this.now(),
    });
  }

  private dropGrantsOn(onType: SecurableType, onName: string): void {
    this.grants = this.grants.filter((g) => !(g.onType === onType && g.onName === onName));
  }

  private removeSchema(schema: Schema): void {
    for (const secret of schema.secrets.values()) {
      this.dropGrantsOn('SECRET', qualifiedName([secret.database, secret.schema, secret.name]));
    }
    this.dropGrantsOn('SCHEMA', qualifiedName([schema.database, schema.name]));
    this.databases.get(schema.database)?.schemas.delete(schema.name);
  }

  private removeDatabase(db: Database): void {
    for (const schema of [...db.schemas.values()]) this.removeSchema(schema);
    this.dropGrantsOn('DATABASE', qualifiedName([db.name]));
    this.databases.delete(db.name);
  }

  private newSchema(database: string, name: string, comment: string | null): Schema {
    return { name, database, comment, createdOn: this.now(), secrets: new Map() };
  }

  /** COMMENT (and DATA_RETENTION_TIME_IN_DAYS, accepted and ignored) for CREATE DATABASE / SCHEMA. */
  private containerComment(props: Property[], kind: 'DATABASE' | 'SCHEMA'): string | null {
    let comment: string | null = null;
    for (const p of props) {
      if (p.name === 'COMMENT' && p.value.kind === 'string') comment = p.value.value;
      else if (p.name === 'DATA_RETENTION_TIME_IN_DAYS' && p.value.kind === 'number') continue;
      else throw invalidValue(`invalid property '${p.name}' for '${kind}'`);
    }
    return comment;
  }

  private useDatabase(name: Ident, session: SessionContext): ResultSet {
    const db = this.resolveDatabase(name.name, session, 'usage');
    session.database = db.name;
    // USE DATABASE makes PUBLIC the current schema when the database has one (docs, "USE DATABASE").
    session.schema = db.schemas.has('PUBLIC') ? 'PUBLIC' : null;
    return ok();
  }

  private useSchema(name: Ident[], session: SessionContext): ResultSet {
    const [dbName, schemaName] = this.schemaPath(name, session, 'USE SCHEMA');
    this.resolveSchema(dbName, schemaName, session);
    session.database = dbName;
    session.schema = schemaName;
    return ok();
  }

  private createDatabase(
    s: Extract<Statement, { type: 'createDatabase' | 'createSchema' }>,
    session: SessionContext,
  ): ResultSet {
    const name = s.name[0]!.name;
    const comment = this.containerComment(s.props, 'DATABASE');
    // CREATE DATABASE needs the account privilege (SYSADMIN and above by default; notes, "Access control").
    if (!this.accountPrivilege(session.role, 'CREATE DATABASE')) {
      throw insufficientPrivileges('account', this.accountName);
    }
    const existing = this.databases.get(name);
    if (existing) {
      if (s.ifNotExists) return ok(`${displayName(name)} already exists, statement succeeded.`);
      if (!s.orReplace) throw alreadyExists(name);
      if (!this.owns(session.role, 'DATABASE', qualifiedName([name]))) {
        throw insufficientPrivileges('database', name);
      }
      this.removeDatabase(existing);
    }
    // A new database has the schemas PUBLIC and INFORMATION_SCHEMA (notes, "Objects"); the creating
    // role owns the database and PUBLIC; INFORMATION_SCHEMA has no owner.
    const db: Database = { name, comment, createdOn: this.now(), schemas: new Map() };
    db.schemas.set('PUBLIC', this.newSchema(name, 'PUBLIC', null));
    db.schemas.set('INFORMATION_SCHEMA', this.newSchema(name, 'INFORMATION_SCHEMA', null));
    this.databases.set(name, db);
    this.addOwnership('DATABASE', qualifiedName([name]), session.role);
    this.addOwnership('SCHEMA', qualifiedName([name, 'PUBLIC']), session.role);
    // Creating a database makes it (and its PUBLIC schema) current (docs, "CREATE DATABASE", usage notes).
    session.database = name;
    session.schema = 'PUBLIC';
    return ok(`Database ${displayName(name)} successfully created.`);
  }

  /**
   * DROP DATABASE [IF EXISTS] d: needs OWNERSHIP; drops the schemas and the objects in them with every grant on
   * them (docs, https://docs.snowflake.com/en/sql-reference/sql/drop-database; UNDROP and Time Travel are not
   * modelled). A database the role cannot see answers as a missing one: 002003 `Database 'D' does not exist or
   * not authorized.` (notes, "Common codes"; the message verified in README, "Errors").
   */
  private dropDatabase(s: Extract<Statement, { type: 'dropDatabase' }>, session: SessionContext): ResultSet {
    const name = s.name.name;
    const key = qualifiedName([name]);
    const db = this.databases.get(name);
    const visible =
      db !== undefined &&
      (this.anyPrivilege(session.role, 'DATABASE', key) || this.manageGrants(session.role));
    if (!db || !visible) {
      if (s.ifExists)
        return ok(`Drop statement executed successfully (${displayName(name)} already dropped).`);
      throw doesNotExist('Database', [name]);
    }
    if (!this.owns(session.role, 'DATABASE', key)) throw insufficientPrivileges('database', name);
    this.removeDatabase(db);
    // The dropping session no longer has a current database (our choice); other sessions keep the name, and
    // anything they run in it answers as for a missing database.
    if (session.database === name) {
      session.database = null;
      session.schema = null;
    }
    return ok(`${displayName(name)} successfully dropped.`);
  }

  private createSchema(
    s: Extract<Statement, { type: 'createDatabase' | 'createSchema' }>,
    session: SessionContext,
  ): ResultSet {
    const [dbName, name] = this.schemaPath(s.name, session, 'CREATE SCHEMA');
    const comment = this.containerComment(s.props, 'SCHEMA');
    const db = this.resolveDatabase(dbName, session, 'visible');
    // CREATE SCHEMA needs CREATE SCHEMA on the database (OWNERSHIP implies it).
    if (!this.hasPrivilege(session.role, 'CREATE SCHEMA', 'DATABASE', qualifiedName([dbName]))) {
      throw insufficientPrivileges('database', dbName);
    }
    const key = qualifiedName([dbName, name]);
    const existing = db.schemas.get(name);
    if (existing) {
      if (s.ifNotExists) return ok(`${displayName(name)} already exists, statement succeeded.`);
      if (!s.orReplace || name === 'INFORMATION_SCHEMA') throw alreadyExists(name);
      if (!this.owns(session.role, 'SCHEMA', key)) throw insufficientPrivileges('schema', name);
      this.removeSchema(existing);
    }
    db.schemas.set(name, this.newSchema(dbName, name, comment));
    this.addOwnership('SCHEMA', key, session.role);
    // Creating a schema makes it current (docs, "CREATE SCHEMA", usage notes).
    session.database = dbName;
    session.schema = name;
    return ok(`Schema ${displayName(name)} successfully created.`);
  }

  private showDatabases(like: string | null, session: SessionContext): ResultSet {
    const re = like === null ? null : likeToRegExp(like);
    const manage = this.manageGrants(session.role);
    const defaultDb = session.user
      ? (this.users.get(session.user)?.defaultNamespace?.split('.')[0] ?? null)
      : null;
    const rows = [...this.databases.values()]
      .filter((d) => manage || this.anyPrivilege(session.role, 'DATABASE', qualifiedName([d.name])))
      .filter((d) => !re || re.test(d.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((d): Cell[] => [
        d.createdOn,
        d.name,
        defaultDb !== null && defaultDb.toUpperCase() === d.name.toUpperCase() ? 'Y' : 'N',
        session.database === d.name ? 'Y' : 'N',
        '',
        this.owner('DATABASE', qualifiedName([d.name])) ?? '',
        d.comment,
        '',
        '1',
        'STANDARD',
        null,
        'ROLE',
      ]);
    // Columns: the Terraform provider's databaseRow (pkg/sdk/databases.go) and the docs' SHOW DATABASES.
    return {
      columns: [
        { name: 'created_on', type: 'timestamp_ltz', scale: 3 },
        { name: 'name', type: 'text' },
        { name: 'is_default', type: 'text' },
        { name: 'is_current', type: 'text' },
        { name: 'origin', type: 'text' },
        { name: 'owner', type: 'text' },
        { name: 'comment', type: 'text' },
        { name: 'options', type: 'text' },
        { name: 'retention_time', type: 'text' },
        { name: 'kind', type: 'text' },
        { name: 'budget', type: 'text' },
        { name: 'owner_role_type', type: 'text' },
      ],
      rows,
    };
  }

  /**
   * The schemas a SHOW command covers: `IN SCHEMA` one, `IN DATABASE` a database's, `IN ACCOUNT`
   * all; without IN, the current database when there is one, else the account (docs, "SHOW SECRETS").
   */
  private scopeSchemas(scope: ShowScope, session: SessionContext, command: string): Schema[] {
    const manage = this.manageGrants(session.role);
    const visibleDbs = () =>
      [...this.databases.values()].filter(
        (d) => manage || this.usable(session.role, 'DATABASE', qualifiedName([d.name])),
      );
    const visibleSchemas = (d: Database) =>
      [...d.schemas.values()].filter(
        (sc) =>
          manage ||
          sc.name === 'INFORMATION_SCHEMA' ||
          this.anyPrivilege(session.role, 'SCHEMA', qualifiedName([d.name, sc.name])),
      );
    // `IN DATABASE` / `IN SCHEMA` without a name and without a current database have no effect
    // (docs, "SHOW SECRETS").
    if (scope !== null && scope.kind !== 'ACCOUNT' && scope.name === null && session.database === null) {
      scope = null;
    }
    if (scope?.kind === 'SCHEMA') {
      const [dbName, name] =
        scope.name === null
          ? this.currentSchema(session, command)
          : this.schemaPath(scope.name, session, command);
      return [this.resolveSchema(dbName, name, session, manage)];
    }
    if (scope?.kind === 'DATABASE' || (scope === null && session.database !== null)) {
      const dbName =
        scope?.kind === 'DATABASE' && scope.name !== null
          ? scope.name[0]!.name
          : this.currentDatabase(session, command);
      return visibleSchemas(this.resolveDatabase(dbName, session, 'usage', manage));
    }
    return visibleDbs().flatMap(visibleSchemas);
  }

  private showSchemas(like: string | null, scope: ShowScope, session: SessionContext): ResultSet {
    const re = like === null ? null : likeToRegExp(like);
    const rows = this.scopeSchemas(scope, session, 'SHOW SCHEMAS')
      .filter((sc) => !re || re.test(sc.name))
      .sort((a, b) =>
        a.database === b.database ? (a.name < b.name ? -1 : 1) : a.database < b.database ? -1 : 1,
      )
      .map((sc): Cell[] => {
        const owner = this.owner('SCHEMA', qualifiedName([sc.database, sc.name]));
        return [
          sc.createdOn,
          sc.name,
          'N',
          session.database === sc.database && session.schema === sc.name ? 'Y' : 'N',
          sc.database,
          owner ?? '',
          sc.name === 'INFORMATION_SCHEMA'
            ? 'Views describing the contents of schemas in this database'
            : sc.comment,
          '',
          '1',
          owner === null ? '' : 'ROLE',
        ];
      });
    // Columns: the Terraform provider's schemaDBRow (pkg/sdk/schemas.go).
    return {
      columns: [
        { name: 'created_on', type: 'timestamp_ltz', scale: 3 },
        { name: 'name', type: 'text' },
        { name: 'is_default', type: 'text' },
        { name: 'is_current', type: 'text' },
        { name: 'database_name', type: 'text' },
        { name: 'owner', type: 'text' },
        { name: 'comment', type: 'text' },
        { name: 'options', type: 'text' },
        { name: 'retention_time', type: 'text' },
        { name: 'owner_role_type', type: 'text' },
      ],
      rows,
    };
  }

  /**
   * Applies SECRET properties to a draft. TYPE = GENERIC_STRING takes SECRET_STRING, TYPE = PASSWORD
   * takes USERNAME and PASSWORD (docs, "CREATE SECRET"); both take COMMENT. OAUTH2, CLOUD_PROVIDER_TOKEN
   * and SYMMETRIC_KEY secrets are not modelled. Wording of these refusals is ours (README).
   */
  private applySecretProperties(secret: Secret, props: Property[]): void {
    const text = (p: Property): string => {
      if (p.value.kind === 'string') return p.value.value;
      throw invalidValue(`invalid value for property '${p.name}'`);
    };
    const allowed = secret.type === 'GENERIC_STRING' ? ['SECRET_STRING'] : ['USERNAME', 'PASSWORD'];
    for (const p of props) {
      if (p.name === 'COMMENT') secret.comment = text(p);
      else if (!allowed.includes(p.name)) {
        throw invalidValue(`invalid property '${p.name}' for 'SECRET' of TYPE = ${secret.type}`);
      } else if (p.name === 'SECRET_STRING') secret.secretString = text(p);
      else if (p.name === 'USERNAME') secret.username = text(p);
      else secret.password = text(p);
    }
  }

  private createSecret(s: Extract<Statement, { type: 'createSecret' }>, session: SessionContext): ResultSet {
    const path = this.objectPath(s.name, session, 'CREATE SECRET');
    const typeProp = s.props.find((p) => p.name === 'TYPE');
    const typeName =
      typeProp?.value.kind === 'ident'
        ? typeProp.value.parts.map((x) => x.name).join('.')
        : typeProp?.value.kind === 'string'
          ? typeProp.value.value.toUpperCase()
          : '';
    if (typeName !== 'GENERIC_STRING' && typeName !== 'PASSWORD') {
      if (typeProp === undefined) throw invalidValue("missing required property 'TYPE' for 'SECRET'");
      throw invalidValue(`invalid value ['${typeName}'] for parameter 'TYPE'`);
    }
    const secret: Secret = {
      name: path[2],
      database: path[0],
      schema: path[1],
      type: typeName,
      secretString: null,
      username: null,
      password: null,
      comment: null,
      createdOn: this.now(),
    };
    this.applySecretProperties(
      secret,
      s.props.filter((p) => p.name !== 'TYPE'),
    );
    if (secret.type === 'GENERIC_STRING' && secret.secretString === null) {
      throw invalidValue("missing required property 'SECRET_STRING' for 'SECRET' of TYPE = GENERIC_STRING");
    }
    // CREATE SECRET needs CREATE SECRET on the schema and USAGE on the database and schema
    // (notes, "Secrets"); OWNERSHIP of the schema implies CREATE SECRET.
    const schema = this.resolveSchema(path[0], path[1], session);
    if (!this.hasPrivilege(session.role, 'CREATE SECRET', 'SCHEMA', qualifiedName([path[0], path[1]]))) {
      throw insufficientPrivileges('schema', path[1]);
    }
    const key = qualifiedName(path);
    const existing = schema.secrets.get(path[2]);
    if (existing) {
      if (s.ifNotExists) return ok(`${displayName(path[2])} already exists, statement succeeded.`);
      if (!s.orReplace) throw alreadyExists(path[2]);
      // Replacing drops the old secret, which needs OWNERSHIP of it; its grants go with it.
      if (!this.owns(session.role, 'SECRET', key)) throw insufficientPrivileges('secret', path[2]);
      this.dropGrantsOn('SECRET', key);
    }
    schema.secrets.set(secret.name, secret);
    this.addOwnership('SECRET', key, session.role);
    return ok(`Secret ${displayName(secret.name)} successfully created.`);
  }

  private alterSecret(
    s: Extract<Statement, { type: 'alterSecretSet' | 'alterSecretUnset' }>,
    session: SessionContext,
  ): ResultSet {
    const path = this.objectPath(s.name, session, 'ALTER SECRET');
    let secret: Secret;
    try {
      secret = this.resolveSecret(path, session);
    } catch (e) {
      if (s.ifExists && e instanceof SfError && e.code === '002003') return ok();
      throw e;
    }
    // ALTER SECRET needs OWNERSHIP (notes, "Secrets"); no MODIFY privilege exists for secrets.
    if (!this.owns(session.role, 'SECRET', qualifiedName(path)))
      throw insufficientPrivileges('secret', secret.name);
    const draft: Secret = { ...secret };
    if (s.type === 'alterSecretSet') this.applySecretProperties(draft, s.props);
    else {
      // Only COMMENT can be unset (docs, "ALTER SECRET").
      for (const name of s.names) {
        if (name !== 'COMMENT') throw invalidValue(`invalid property '${name}' for 'SECRET'`);
        draft.comment = null;
      }
    }
    this.databases.get(path[0])!.schemas.get(path[1])!.secrets.set(secret.name, draft);
    return ok();
  }

  private descSecret(name: Ident[], session: SessionContext): ResultSet {
    const path = this.objectPath(name, session, 'DESCRIBE SECRET');
    const secret = this.resolveSecret(path, session);
    const key = qualifiedName(path);
    // DESCRIBE SECRET needs USAGE on the secret (docs, "DESCRIBE SECRET"); READ alone is not enough.
    if (!this.usable(session.role, 'SECRET', key)) throw insufficientPrivileges('secret', secret.name);
    // Columns: docs "DESCRIBE SECRET" and the Terraform provider's secrets integration test. The type of a
    // generic string secret is spelled as the options say (GenericSecretSpelling). The value (SECRET_STRING,
    // PASSWORD) is never returned.
    const type =
      secret.type === 'GENERIC_STRING'
        ? (this.options.descSecretGenericType ?? 'GENERIC_STRING')
        : secret.type;
    return {
      columns: [
        { name: 'created_on', type: 'timestamp_ltz', scale: 3 },
        { name: 'name', type: 'text' },
        { name: 'schema_name', type: 'text' },
        { name: 'database_name', type: 'text' },
        { name: 'owner', type: 'text' },
        { name: 'comment', type: 'text' },
        { name: 'secret_type', type: 'text' },
        { name: 'username', type: 'text' },
        { name: 'oauth_access_token_expiry_time', type: 'text' },
        { name: 'oauth_refresh_token_expiry_time', type: 'text' },
        { name: 'oauth_scopes', type: 'text' },
        { name: 'integration_name', type: 'text' },
      ],
      rows: [
        [
          secret.createdOn,
          secret.name,
          secret.schema,
          secret.database,
          this.owner('SECRET', key) ?? '',
          secret.comment,
          type,
          secret.username,
          null,
          null,
          null,
          null,
        ],
      ],
    };
  }

  private dropSecret(s: Extract<Statement, { type: 'dropSecret' }>, session: SessionContext): ResultSet {
    const path = this.objectPath(s.name, session, 'DROP');
    let secret: Secret;
    try {
      secret = this.resolveSecret(path, session);
    } catch (e) {
      if (s.ifExists && e instanceof SfError && e.code === '002003') {
        return ok(`Drop statement executed successfully (${displayName(path[2])} already dropped).`);
      }
      throw e;
    }
    const key = qualifiedName(path);
    // DROP SECRET needs OWNERSHIP (docs, "DROP SECRET").
    if (!this.owns(session.role, 'SECRET', key)) throw insufficientPrivileges('secret', secret.name);
    this.databases.get(path[0])!.schemas.get(path[1])!.secrets.delete(secret.name);
    this.dropGrantsOn('SECRET', key);
    return ok(`${displayName(secret.name)} successfully dropped.`);
  }

  private showSecrets(like: string | null, scope: ShowScope, session: SessionContext): ResultSet {
    const re = like === null ? null : likeToRegExp(like);
    const manage = this.manageGrants(session.role);
    const rows = this.scopeSchemas(scope, session, 'SHOW SECRETS')
      .filter(
        (sc) =>
          manage ||
          sc.name === 'INFORMATION_SCHEMA' ||
          this.usable(session.role, 'SCHEMA', qualifiedName([sc.database, sc.name])),
      )
      .flatMap((sc) => [...sc.secrets.values()])
      .filter(
        (x) =>
          manage || this.anyPrivilege(session.role, 'SECRET', qualifiedName([x.database, x.schema, x.name])),
      )
      .filter((x) => !re || re.test(x.name))
      .sort((a, b) => {
        const ka = [a.database, a.schema, a.name].join('\u0000');
        const kb = [b.database, b.schema, b.name].join('\u0000');
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      })
      .map((x): Cell[] => [
        x.createdOn,
        x.name,
        x.schema,
        x.database,
        this.owner('SECRET', qualifiedName([x.database, x.schema, x.name])) ?? '',
        x.comment,
        x.type,
        null,
        'ROLE',
      ]);
    // Columns: docs "SHOW SECRETS" (notes, "Secrets").
    return {
      columns: [
        { name: 'created_on', type: 'timestamp_ltz', scale: 3 },
        { name: 'name', type: 'text' },
        { name: 'schema_name', type: 'text' },
        { name: 'database_name', type: 'text' },
        { name: 'owner', type: 'text' },
        { name: 'comment', type: 'text' },
        { name: 'secret_type', type: 'text' },
        { name: 'oauth_scopes', type: 'text' },
        { name: 'owner_role_type', type: 'text' },
      ],
      rows,
    };
  }

  /** The grant key of a database, schema or secret named in a GRANT/SHOW GRANTS, resolved for the role. */
  private securableKey(
    objectType: SecurableType,
    on: Ident[],
    session: SessionContext,
    command: string,
  ): { key: string; shortName: string } {
    const bypass = this.manageGrants(session.role);
    if (objectType === 'WAREHOUSE') {
      const wh = this.resolveWarehouse(on[0]!.name, session, bypass);
      return { key: qualifiedName([wh.name]), shortName: wh.name };
    }
    if (objectType === 'DATABASE') {
      const db = this.resolveDatabase(on[0]!.name, session, 'visible', bypass);
      return { key: qualifiedName([db.name]), shortName: db.name };
    }
    if (objectType === 'SCHEMA') {
      const [dbName, name] = this.schemaPath(on, session, command);
      this.resolveDatabase(dbName, session, 'visible', bypass);
      const schema = this.databases.get(dbName)!.schemas.get(name);
      const key = qualifiedName([dbName, name]);
      if (!schema || (!bypass && !this.anyPrivilege(session.role, 'SCHEMA', key))) {
        throw doesNotExist('Schema', [dbName, name]);
      }
      return { key, shortName: name };
    }
    const path = this.objectPath(on, session, command);
    this.resolveSecret(path, session, bypass);
    return { key: qualifiedName(path), shortName: path[2] };
  }

  private grantObjectOwnership(
    s: Extract<Statement, { type: 'grantObjectOwnership' }>,
    session: SessionContext,
  ): ResultSet {
    const { key, shortName } = this.securableKey(s.objectType, s.on, session, 'GRANT');
    const to = this.requireRole(s.to);
    if (!this.owns(session.role, s.objectType, key) && !this.manageGrants(session.role)) {
      throw insufficientPrivileges(objectKind(s.objectType), shortName);
    }
    // INFORMATION_SCHEMA belongs to no role and cannot be given away (refusal wording is ours).
    if (s.objectType === 'SCHEMA' && shortName === 'INFORMATION_SCHEMA') {
      throw insufficientPrivileges('schema', shortName);
    }
    this.transferOwnership(s.objectType, key, to.name, s.currentGrants);
    return ok();
  }

  private grantObjectPrivileges(
    s: Extract<Statement, { type: 'grantObjectPrivileges' | 'revokeObjectPrivileges' }>,
    session: SessionContext,
  ): ResultSet {
    const { key, shortName } = this.securableKey(
      s.objectType,
      s.on,
      session,
      s.type === 'grantObjectPrivileges' ? 'GRANT' : 'REVOKE',
    );
    const role = this.requireRole(s.type === 'grantObjectPrivileges' ? s.to : s.from);
    const privileges = this.expandPrivileges(s.privileges, OBJECT_PRIVILEGES[s.objectType]);
    // Granting needs MANAGE GRANTS, OWNERSHIP of the object, or the privilege WITH GRANT OPTION;
    // revoking needs MANAGE GRANTS or OWNERSHIP (notes, "Access control").
    const manage = this.manageGrants(session.role);
    const owner = this.owns(session.role, s.objectType, key);
    const matches = (g: Grant, p: string) =>
      g.privilege === p &&
      g.onType === s.objectType &&
      g.onName === key &&
      g.granteeType === 'ROLE' &&
      g.grantee === role.name;
    if (s.type === 'revokeObjectPrivileges') {
      if (!manage && !owner) throw insufficientPrivileges(objectKind(s.objectType), shortName);
      this.grants = this.grants.filter((g) => !privileges.some((p) => matches(g, p)));
      return ok();
    }
    for (const p of privileges) {
      if (!manage && !owner && !this.hasGrantOption(session.role, p, s.objectType, key)) {
        throw insufficientPrivileges(objectKind(s.objectType), shortName);
      }
    }
    // Under MANAGE GRANTS the recorded grantor is the object's owner (notes).
    const grantedBy = this.owner(s.objectType, key) ?? session.role;
    for (const p of privileges) {
      const existing = this.grants.find((g) => matches(g, p));
      if (existing) existing.grantOption = existing.grantOption || s.withGrantOption;
      else {
        this.grants.push({
          privilege: p,
          onType: s.objectType,
          onName: key,
          granteeType: 'ROLE',
          grantee: role.name,
          grantOption: s.withGrantOption,
          grantedBy,
          createdOn: this.now(),
        });
      }
    }
    return ok();
  }

  private showGrantsOnObject(
    s: Extract<Statement, { type: 'showGrantsOnObject' }>,
    session: SessionContext,
  ): ResultSet {
    const { key } = this.securableKey(s.objectType, s.on, session, 'SHOW GRANTS');
    const rows = this.grants.filter((g) => g.onType === s.objectType && g.onName === key).sort(byTime);
    return { columns: GRANT_COLUMNS, rows: rows.map(grantRow) };
  }

  // ---------------------------------------------------------------- network policies
  //
  // Account-level objects whose only privilege modelled is OWNERSHIP (the creating role gets it).
  // A role sees a policy it holds a privilege on, or every policy with MANAGE GRANTS (docs, "SHOW
  // NETWORK POLICIES"); DESCRIBE, ALTER and DROP need OWNERSHIP ("or higher": the owner's hierarchy).

  /** The policy a login of `user` is judged by: the user's own, else the account's ("Network policy precedence"). */
  effectiveNetworkPolicy(user: User): NetworkPolicy | null {
    const name = user.networkPolicy ?? this.accountNetworkPolicy;
    return name === null ? null : (this.networkPolicies.get(name) ?? null);
  }

  /** A policy the role may see, else 002003 `Network policy 'P' does not exist or not authorized.` */
  private resolveNetworkPolicy(name: string, session: SessionContext): NetworkPolicy {
    const policy = this.networkPolicies.get(name);
    const roles = this.closure(session.role);
    const visible =
      policy !== undefined &&
      (this.manageGrants(session.role) ||
        this.grants.some(
          (g) =>
            g.onType === 'NETWORK_POLICY' &&
            g.onName === name &&
            g.granteeType === 'ROLE' &&
            roles.has(g.grantee),
        ));
    if (!visible) throw doesNotExist('Network policy', name);
    return policy;
  }

  /** A policy the role owns (directly or through its hierarchy); 002003 or 003001 otherwise. */
  private ownedNetworkPolicy(name: string, session: SessionContext): NetworkPolicy {
    const policy = this.resolveNetworkPolicy(name, session);
    if (!this.owns(session.role, 'NETWORK_POLICY', policy.name)) {
      throw insufficientPrivileges('network policy', policy.name);
    }
    return policy;
  }

  /** The stored name a NETWORK_POLICY value names: an identifier as stored; a string as written, else upper-cased. */
  private networkPolicyRef(p: Property): string {
    if (p.value.kind === 'ident' && p.value.parts.length === 1) return p.value.parts[0]!.name;
    if (p.value.kind === 'string') {
      const v = p.value.value;
      return this.networkPolicies.has(v) ? v : v.toUpperCase();
    }
    throw invalidValue(`invalid value for property '${p.name}'`);
  }

  /**
   * Setting a user's NETWORK_POLICY needs the policy to exist and the role to own it (docs, release
   * note "CREATE USER command: NETWORK_POLICY parameter must specify a valid network policy"; we apply
   * the same rule to ALTER USER, which also needs OWNERSHIP of the user).
   */
  private checkNetworkPolicyProperty(props: Property[], session: SessionContext): void {
    for (const p of props) {
      if (p.name === 'NETWORK_POLICY') this.ownedNetworkPolicy(this.networkPolicyRef(p), session);
    }
  }

  /** ALLOWED_IP_LIST, BLOCKED_IP_LIST (IPv4 addresses or CIDR blocks) and COMMENT. Refusal wording is ours. */
  private applyNetworkPolicyProperties(policy: NetworkPolicy, props: Property[]): void {
    for (const p of props) {
      switch (p.name) {
        case 'ALLOWED_IP_LIST':
        case 'BLOCKED_IP_LIST': {
          const list = p.value.kind === 'list' ? p.value.items : [p.value];
          const entries: string[] = [];
          for (const item of list) {
            if (item.kind !== 'string') throw invalidValue(`invalid value for property '${p.name}'`);
            if (!parseEntry(item.value)) {
              throw invalidValue(`invalid IP address or CIDR block '${item.value}' in ${p.name}`);
            }
            entries.push(item.value);
          }
          if (p.name === 'ALLOWED_IP_LIST') policy.allowed = entries;
          else policy.blocked = entries;
          break;
        }
        case 'COMMENT':
          if (p.value.kind !== 'string') throw invalidValue("invalid value for property 'COMMENT'");
          policy.comment = p.value.value;
          break;
        case 'ALLOWED_NETWORK_RULE_LIST':
        case 'BLOCKED_NETWORK_RULE_LIST':
          throw invalidValue(
            `${p.name} is not modelled by the emulator; use ALLOWED_IP_LIST / BLOCKED_IP_LIST`,
          );
        default:
          throw invalidValue(`invalid property '${p.name}' for 'NETWORK_POLICY'`);
      }
    }
  }

  /**
   * A policy assigned to the account or a user cannot be dropped or replaced (docs, "DROP NETWORK
   * POLICY"; behaviour change 2023_07 "Cannot drop active network policies"). Code and wording are ours.
   */
  private refuseIfAttached(policy: NetworkPolicy, command: string): void {
    const user = [...this.users.values()].find((u) => u.networkPolicy === policy.name);
    const where =
      this.accountNetworkPolicy === policy.name
        ? 'the account'
        : user
          ? `user ${displayName(user.name)}`
          : null;
    if (where !== null) {
      throw new SfError(
        '001008',
        '22023',
        `SQL compilation error:\nCannot ${command} network policy ${displayName(policy.name)}: it is currently assigned to ${where}.`,
      );
    }
  }

  private createNetworkPolicy(
    s: Extract<Statement, { type: 'createNetworkPolicy' }>,
    session: SessionContext,
  ): ResultSet {
    // CREATE NETWORK POLICY: SECURITYADMIN and above, or the account privilege (docs).
    if (!this.accountPrivilege(session.role, 'CREATE NETWORK POLICY')) {
      throw insufficientPrivileges('account', this.accountName);
    }
    const name = s.name.name;
    const policy: NetworkPolicy = { name, allowed: [], blocked: [], comment: null, createdOn: this.now() };
    this.applyNetworkPolicyProperties(policy, s.props);
    const existing = this.networkPolicies.get(name);
    if (existing) {
      if (s.ifNotExists) return ok(`${displayName(name)} already exists, statement succeeded.`);
      if (!s.orReplace) throw alreadyExists(name);
      if (!this.owns(session.role, 'NETWORK_POLICY', name))
        throw insufficientPrivileges('network policy', name);
      this.refuseIfAttached(existing, 'replace');
      this.grants = this.grants.filter((g) => !(g.onType === 'NETWORK_POLICY' && g.onName === name));
    }
    this.networkPolicies.set(name, policy);
    this.grants.push({
      privilege: 'OWNERSHIP',
      onType: 'NETWORK_POLICY',
      onName: name,
      granteeType: 'ROLE',
      grantee: session.role,
      grantOption: true,
      grantedBy: session.role,
      createdOn: this.now(),
    });
    return ok();
  }

  private alterNetworkPolicy(
    s: Extract<Statement, { type: 'alterNetworkPolicySet' | 'alterNetworkPolicyUnset' }>,
    session: SessionContext,
  ): ResultSet {
    let policy: NetworkPolicy;
    try {
      policy = this.ownedNetworkPolicy(s.name.name, session);
    } catch (e) {
      if (s.ifExists && e instanceof SfError && e.code === '002003') return ok();
      throw e;
    }
    const draft: NetworkPolicy = { ...policy };
    if (s.type === 'alterNetworkPolicySet') this.applyNetworkPolicyProperties(draft, s.props);
    else {
      // Only COMMENT can be unset (docs, "ALTER NETWORK POLICY").
      for (const name of s.names) {
        if (name !== 'COMMENT') throw invalidValue(`invalid property '${name}' for 'NETWORK_POLICY'`);
        draft.comment = null;
      }
    }
    this.networkPolicies.set(policy.name, draft);
    return ok();
  }

  private descNetworkPolicy(name: Ident, session: SessionContext): ResultSet {
    const policy = this.ownedNetworkPolicy(name.name, session);
    // `name, value` rows, one per list that has entries, joined by commas without spaces (docs,
    // "DESCRIBE NETWORK POLICY"; the Terraform provider's acceptance test sees exactly two rows for a
    // policy with both lists and a comment).
    const rows: Cell[][] = [];
    if (policy.allowed.length > 0) rows.push(['ALLOWED_IP_LIST', policy.allowed.join(',')]);
    if (policy.blocked.length > 0) rows.push(['BLOCKED_IP_LIST', policy.blocked.join(',')]);
    return {
      columns: [
        { name: 'name', type: 'text' },
        { name: 'value', type: 'text' },
      ],
      rows,
    };
  }

  private dropNetworkPolicy(
    s: Extract<Statement, { type: 'dropNetworkPolicy' }>,
    session: SessionContext,
  ): ResultSet {
    let policy: NetworkPolicy;
    try {
      policy = this.ownedNetworkPolicy(s.name.name, session);
    } catch (e) {
      if (s.ifExists && e instanceof SfError && e.code === '002003') {
        return ok(`Drop statement executed successfully (${displayName(s.name.name)} already dropped).`);
      }
      throw e;
    }
    this.refuseIfAttached(policy, 'drop');
    this.networkPolicies.delete(policy.name);
    this.grants = this.grants.filter((g) => !(g.onType === 'NETWORK_POLICY' && g.onName === policy.name));
    return ok(`${displayName(policy.name)} successfully dropped.`);
  }

  private showNetworkPolicies(like: string | null, session: SessionContext): ResultSet {
    const re = like === null ? null : likeToRegExp(like);
    const manage = this.manageGrants(session.role);
    const roles = this.closure(session.role);
    const rows = [...this.networkPolicies.values()]
      .filter(
        (np) =>
          manage ||
          this.grants.some(
            (g) =>
              g.onType === 'NETWORK_POLICY' &&
              g.onName === np.name &&
              g.granteeType === 'ROLE' &&
              roles.has(g.grantee),
          ),
      )
      .filter((np) => !re || re.test(np.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      // An unset comment reads '' (the Terraform provider's acceptance test after UNSET COMMENT).
      .map((np): Cell[] => [
        np.createdOn,
        np.name,
        np.comment ?? '',
        String(np.allowed.length),
        String(np.blocked.length),
        '0',
        '0',
      ]);
    // Columns: docs "SHOW NETWORK POLICIES" example and the Terraform provider's showNetworkPolicyDBRow.
    return {
      columns: [
        { name: 'created_on', type: 'timestamp_ltz', scale: 3 },
        { name: 'name', type: 'text' },
        { name: 'comment', type: 'text' },
        { name: 'entries_in_allowed_ip_list', type: 'fixed' },
        { name: 'entries_in_blocked_ip_list', type: 'fixed' },
        { name: 'entries_in_allowed_network_rules', type: 'fixed' },
        { name: 'entries_in_blocked_network_rules', type: 'fixed' },
      ],
      rows,
    };
  }

  /**
   * ALTER ACCOUNT SET / UNSET NETWORK_POLICY: SECURITYADMIN or higher, or ATTACH POLICY on the account
   * (docs, "Network policies"). Snowflake refuses to activate a policy that blocks the requesting
   * address (live message quoted in README); the control plane has no address and is not checked.
   * Other account parameters are not modelled.
   */
  private alterAccount(
    s: Extract<Statement, { type: 'alterAccountSet' | 'alterAccountUnset' }>,
    session: SessionContext,
  ): ResultSet {
    const names = s.type === 'alterAccountSet' ? s.props.map((p) => p.name) : s.names;
    for (const name of names) {
      if (name !== 'NETWORK_POLICY') {
        throw invalidValue(`ALTER ACCOUNT ${name} is not modelled by the emulator (only NETWORK_POLICY)`);
      }
    }
    if (
      !this.closure(session.role).has('SECURITYADMIN') &&
      !this.accountPrivilege(session.role, 'ATTACH POLICY')
    ) {
      throw insufficientPrivileges('account', this.accountName);
    }
    if (s.type === 'alterAccountUnset') {
      this.accountNetworkPolicy = null;
      return ok();
    }
    const policy = this.resolveNetworkPolicy(this.networkPolicyRef(s.props[0]!), session);
    const ip = session.clientIp;
    if (ip !== undefined && !policyAllows(policy, ip)) {
      // Code is our guess; the wording is Snowflake's.
      throw new SfError(
        '001008',
        '22023',
        `Network policy ${policy.name} cannot be activated. Requestor IP address/Token, ${ip}, must be included in the allowed_ip_list or allowed network rules. To add the specific IP, execute command "ALTER NETWORK POLICY ${policy.name} SET ALLOWED_IP_LIST=('${ip}');". Similarly, a CIDR block of IP addresses can be added instead of the specific IP address.`,
      );
    }
    this.accountNetworkPolicy = policy.name;
    return ok();
  }

  // ---------------------------------------------------------------- warehouses
  //
  // Account-level objects (docs, "CREATE WAREHOUSE"). Creating one needs the account privilege
  // CREATE WAREHOUSE (SYSADMIN and above by default); the creating role owns it. Visibility follows
  // the rule for databases: some privilege on the warehouse, or MANAGE GRANTS for GRANT and SHOW.

  /** A warehouse the role may see, else 002003 `Warehouse 'W' does not exist or not authorized.` */
  private resolveWarehouse(name: string, session: SessionContext, bypass = false): Warehouse {
    const wh = this.warehouses.get(name);
    if (!wh || (!bypass && !this.anyPrivilege(session.role, 'WAREHOUSE', qualifiedName([name])))) {
      throw doesNotExist('Warehouse', name);
    }
    return wh;
  }

  /** The warehouse a login makes current: the requested one if it exists and the role may use it. */
  sessionWarehouse(requested: string | null, role: string): string | null {
    // A DEFAULT_WAREHOUSE given as a string ('wh') names the warehouse as an unquoted identifier would.
    const name = requested === null || this.warehouses.has(requested) ? requested : requested.toUpperCase();
    if (name === null || !this.warehouses.has(name)) return null;
    return this.usable(role, 'WAREHOUSE', qualifiedName([name])) ? name : null;
  }

  /**
   * Applies CREATE WAREHOUSE properties (docs, "CREATE WAREHOUSE": objectProperties and objectParams).
   * Sizes and types may be keywords or strings; hyphenated values must be quoted (an unquoted
   * `X-SMALL` is a syntax error, as in Snowflake). The refusal wording is ours.
   */
  private applyWarehouseProperties(wh: Warehouse, props: Property[]): void {
    const word = (p: Property): string => {
      if (p.value.kind === 'string') return p.value.value.toUpperCase();
      if (p.value.kind === 'ident' && p.value.parts.length === 1) return p.value.parts[0]!.name.toUpperCase();
      throw invalidValue(`invalid value for property '${p.name}'`);
    };
    const flag = (p: Property): boolean => {
      if (p.value.kind === 'bool') return p.value.value;
      if (p.value.kind === 'string' && /^(true|false)$/i.test(p.value.value)) {
        return p.value.value.toLowerCase() === 'true';
      }
      throw invalidValue(`invalid value for property '${p.name}'`);
    };
    const count = (p: Property): string => {
      if (p.value.kind === 'number' && /^\d+$/.test(p.value.value)) return String(Number(p.value.value));
      throw invalidValue(
        `invalid value [${p.value.kind === 'number' ? p.value.value : '…'}] for parameter '${p.name}'`,
      );
    };
    for (const p of props) {
      switch (p.name) {
        case 'WAREHOUSE_SIZE': {
          const v = word(p);
          const size = WAREHOUSE_SIZES.find(([, names]) => names.includes(v));
          if (!size) throw invalidValue(`invalid value ['${v}'] for parameter 'WAREHOUSE_SIZE'`);
          wh.size = size[0];
          break;
        }
        case 'WAREHOUSE_TYPE': {
          const v = word(p);
          if (!WAREHOUSE_TYPES.includes(v))
            throw invalidValue(`invalid value ['${v}'] for parameter 'WAREHOUSE_TYPE'`);
          wh.type = v;
          break;
        }
        case 'AUTO_SUSPEND':
          // A number of seconds, or NULL for never (docs).
          wh.autoSuspend = p.value.kind === 'null' ? null : count(p);
          break;
        case 'AUTO_RESUME':
          wh.autoResume = flag(p);
          break;
        case 'INITIALLY_SUSPENDED':
          wh.state = flag(p) ? 'SUSPENDED' : 'STARTED';
          break;
        case 'MIN_CLUSTER_COUNT':
          wh.minClusterCount = count(p);
          break;
        case 'MAX_CLUSTER_COUNT':
          wh.maxClusterCount = count(p);
          break;
        case 'SCALING_POLICY': {
          const v = word(p);
          if (v !== 'STANDARD' && v !== 'ECONOMY') {
            throw invalidValue(`invalid value ['${v}'] for parameter 'SCALING_POLICY'`);
          }
          wh.scalingPolicy = v;
          break;
        }
        case 'ENABLE_QUERY_ACCELERATION':
          wh.enableQueryAcceleration = flag(p);
          break;
        case 'QUERY_ACCELERATION_MAX_SCALE_FACTOR':
          wh.queryAccelerationMaxScaleFactor = count(p);
          break;
        case 'RESOURCE_MONITOR':
          if (p.value.kind === 'null') wh.resourceMonitor = null;
          else if (p.value.kind === 'ident' && p.value.parts.length === 1)
            wh.resourceMonitor = p.value.parts[0]!.name;
          else if (p.value.kind === 'string') wh.resourceMonitor = p.value.value;
          else throw invalidValue("invalid value for property 'RESOURCE_MONITOR'");
          break;
        case 'COMMENT':
          if (p.value.kind !== 'string') throw invalidValue("invalid value for property 'COMMENT'");
          wh.comment = p.value.value;
          break;
        default:
          if (WAREHOUSE_PARAMETERS.has(p.name)) {
            count(p);
            break;
          }
          throw invalidValue(`invalid property '${p.name}' for 'WAREHOUSE'`);
      }
    }
    if (Number(wh.minClusterCount) > Number(wh.maxClusterCount)) {
      throw invalidValue('MIN_CLUSTER_COUNT must be less than or equal to MAX_CLUSTER_COUNT');
    }
  }

  private createWarehouse(
    s: Extract<Statement, { type: 'createWarehouse' }>,
    session: SessionContext,
  ): ResultSet {
    const name = s.name.name;
    // Defaults: STANDARD, XSMALL, AUTO_SUSPEND 600, AUTO_RESUME TRUE, INITIALLY_SUSPENDED FALSE,
    // one cluster, STANDARD scaling, query acceleration off with factor 8 (docs, "CREATE WAREHOUSE").
    const wh: Warehouse = {
      name,
      type: 'STANDARD',
      size: 'XSMALL',
      state: 'STARTED',
      autoSuspend: '600',
      autoResume: true,
      minClusterCount: '1',
      maxClusterCount: '1',
      scalingPolicy: 'STANDARD',
      enableQueryAcceleration: false,
      queryAccelerationMaxScaleFactor: '8',
      resourceMonitor: null,
      comment: null,
      createdOn: this.now(),
      uuid: String(100000 + this.warehouses.size + this.grants.length),
    };
    this.applyWarehouseProperties(wh, s.props);
    // CREATE WAREHOUSE needs the account privilege (SYSADMIN and above by default; notes, "Access control").
    if (!this.accountPrivilege(session.role, 'CREATE WAREHOUSE')) {
      throw insufficientPrivileges('account', this.accountName);
    }
    const key = qualifiedName([name]);
    const existing = this.warehouses.get(name);
    if (existing) {
      if (s.ifNotExists) return ok(`${displayName(name)} already exists, statement succeeded.`);
      if (!s.orReplace) throw alreadyExists(name);
      if (!this.owns(session.role, 'WAREHOUSE', key)) throw insufficientPrivileges('warehouse', name);
      this.dropGrantsOn('WAREHOUSE', key);
    }
    this.warehouses.set(name, wh);
    this.addOwnership('WAREHOUSE', key, session.role);
    // A new warehouse becomes the session's current warehouse (docs, "CREATE WAREHOUSE", usage notes).
    session.warehouse = name;
    return ok(`Warehouse ${displayName(name)} successfully created.`);
  }

  /**
   * ALTER WAREHOUSE w SET with CREATE WAREHOUSE's properties but INITIALLY_SUSPENDED, which only CREATE takes
   * (docs, "ALTER WAREHOUSE", objectProperties). Needs MODIFY on the warehouse, which OWNERSHIP implies (docs,
   * "Access control privileges", virtual warehouse privileges: MODIFY "enables altering any properties of a
   * warehouse"). All the properties apply, or none.
   */
  private alterWarehouse(
    s: Extract<Statement, { type: 'alterWarehouseSet' }>,
    session: SessionContext,
  ): ResultSet {
    let wh: Warehouse;
    try {
      wh = this.resolveWarehouse(s.name.name, session);
    } catch (e) {
      if (s.ifExists && e instanceof SfError && e.code === '002003') return ok();
      throw e;
    }
    if (!this.hasPrivilege(session.role, 'MODIFY', 'WAREHOUSE', qualifiedName([wh.name]))) {
      throw insufficientPrivileges('warehouse', wh.name);
    }
    const initially = s.props.find((p) => p.name === 'INITIALLY_SUSPENDED');
    if (initially) throw invalidValue(`invalid property '${initially.name}' for 'WAREHOUSE'`);
    const draft: Warehouse = { ...wh };
    this.applyWarehouseProperties(draft, s.props);
    this.warehouses.set(wh.name, draft);
    return ok();
  }

  private dropWarehouse(
    s: Extract<Statement, { type: 'dropWarehouse' }>,
    session: SessionContext,
  ): ResultSet {
    let wh: Warehouse;
    try {
      wh = this.resolveWarehouse(s.name.name, session);
    } catch (e) {
      if (s.ifExists && e instanceof SfError && e.code === '002003') {
        return ok(`Drop statement executed successfully (${displayName(s.name.name)} already dropped).`);
      }
      throw e;
    }
    const key = qualifiedName([wh.name]);
    // DROP WAREHOUSE needs OWNERSHIP (docs, "DROP WAREHOUSE").
    if (!this.owns(session.role, 'WAREHOUSE', key)) throw insufficientPrivileges('warehouse', wh.name);
    this.warehouses.delete(wh.name);
    this.dropGrantsOn('WAREHOUSE', key);
    if (session.warehouse === wh.name) session.warehouse = null;
    return ok(`${displayName(wh.name)} successfully dropped.`);
  }

  private useWarehouse(name: Ident, session: SessionContext): ResultSet {
    const wh = this.resolveWarehouse(name.name, session);
    // USE WAREHOUSE needs USAGE (OWNERSHIP implies it); code and wording of the refusal are ours.
    if (!this.usable(session.role, 'WAREHOUSE', qualifiedName([wh.name]))) {
      throw insufficientPrivileges('warehouse', wh.name);
    }
    session.warehouse = wh.name;
    return ok();
  }

  private showWarehouses(like: string | null, session: SessionContext): ResultSet {
    const re = like === null ? null : likeToRegExp(like);
    const manage = this.manageGrants(session.role);
    const defaultWh = session.user ? (this.users.get(session.user)?.defaultWarehouse ?? null) : null;
    const sizeName = (size: string) => WAREHOUSE_SIZES.find(([k]) => k === size)?.[2] ?? size;
    const rows = [...this.warehouses.values()]
      .filter((w) => manage || this.anyPrivilege(session.role, 'WAREHOUSE', qualifiedName([w.name])))
      .filter((w) => !re || re.test(w.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((w): Cell[] => {
        const started = w.state === 'STARTED';
        return [
          w.name,
          w.state,
          w.type,
          sizeName(w.size),
          w.minClusterCount,
          w.maxClusterCount,
          started ? w.minClusterCount : '0',
          '0',
          '0',
          defaultWh !== null && defaultWh === w.name ? 'Y' : 'N',
          session.warehouse === w.name ? 'Y' : 'N',
          w.autoSuspend,
          bool(w.autoResume),
          started ? '100' : '',
          started ? '0' : '',
          started ? '0' : '',
          started ? '0' : '',
          w.createdOn,
          w.createdOn,
          w.createdOn,
          this.owner('WAREHOUSE', qualifiedName([w.name])) ?? '',
          w.comment ?? '',
          bool(w.enableQueryAcceleration),
          w.queryAccelerationMaxScaleFactor,
          w.resourceMonitor ?? 'null',
          '0',
          '0',
          '0',
          '0',
          w.uuid,
          w.scalingPolicy,
          null,
          'ROLE',
          null,
          null,
          null,
        ];
      });
    // Columns: the Terraform provider's warehouseDBRow (pkg/sdk/warehouses.go), then budget and
    // owner_role_type (docs, "SHOW WAREHOUSES"), then the 2025_03 bundle's reserved columns.
    const text = (name: string) => ({ name, type: 'text' as const });
    const fixed = (name: string) => ({ name, type: 'fixed' as const });
    const time = (name: string) => ({ name, type: 'timestamp_ltz' as const, scale: 3 });
    return {
      columns: [
        text('name'),
        text('state'),
        text('type'),
        text('size'),
        fixed('min_cluster_count'),
        fixed('max_cluster_count'),
        fixed('started_clusters'),
        fixed('running'),
        fixed('queued'),
        text('is_default'),
        text('is_current'),
        fixed('auto_suspend'),
        text('auto_resume'),
        text('available'),
        text('provisioning'),
        text('quiescing'),
        text('other'),
        time('created_on'),
        time('resumed_on'),
        time('updated_on'),
        text('owner'),
        text('comment'),
        text('enable_query_acceleration'),
        fixed('query_acceleration_max_scale_factor'),
        text('resource_monitor'),
        fixed('actives'),
        fixed('pendings'),
        fixed('failed'),
        fixed('suspended'),
        text('uuid'),
        text('scaling_policy'),
        text('budget'),
        text('owner_role_type'),
        fixed('warehouse_credit_limit'),
        text('target_statement_size'),
        text('disabled_reasons'),
      ],
      rows,
    };
  }

  // ---------------------------------------------------------------- SHOW PARAMETERS
  //
  // Only NETWORK_POLICY is modelled, at the account level and on users (docs, "SHOW PARAMETERS";
  // the Terraform provider reads a user's policy as the NETWORK_POLICY user object parameter).

  private showParameters(like: string | null, scope: ParameterScope, session: SessionContext): ResultSet {
    const columns: ResultSet['columns'] = ['key', 'value', 'default', 'level', 'description', 'type'].map(
      (name) => ({ name, type: 'text' as const }),
    );
    let value: string | null;
    let level: string;
    let description: string;
    if (scope?.kind === 'ACCOUNT') {
      value = this.accountNetworkPolicy;
      level = value === null ? '' : 'ACCOUNT';
      description = 'Network policy assigned for the account.';
    } else if (scope?.kind === 'USER') {
      const name = scope.name?.name ?? session.user;
      if (name === null)
        throw invalidValue('SHOW PARAMETERS IN USER needs a user name outside a user session');
      const user = this.users.get(name);
      if (!user) throw doesNotExist('User', name);
      // Our choice, by analogy with DESC USER: the user itself or a role owning it.
      if (session.user !== user.name && !this.owns(session.role, 'USER', user.name)) {
        throw insufficientPrivileges('user', user.name);
      }
      // A user's own policy wins; otherwise the account's shows through with level ACCOUNT (the
      // documented parameter hierarchy; our reading for this parameter).
      value = user.networkPolicy ?? this.accountNetworkPolicy;
      level = user.networkPolicy !== null ? 'USER' : value === null ? '' : 'ACCOUNT';
      description = 'Network policy assigned for the given target.';
    } else {
      throw invalidValue(
        `SHOW PARAMETERS ${scope === null ? '(IN SESSION)' : `IN ${scope.kind === 'OTHER' ? scope.word : scope.kind}`} is not modelled by the emulator (only IN ACCOUNT and IN USER, NETWORK_POLICY)`,
      );
    }
    const re = like === null ? null : likeToRegExp(like);
    const rows: Cell[][] = [];
    if (!re || re.test('NETWORK_POLICY'))
      rows.push(['NETWORK_POLICY', value ?? '', '', level, description, 'STRING']);
    return { columns, rows };
  }

  /** Every secret with its value, for the control plane (`GET /__emulator/secrets`). */
  allSecrets(): (Secret & { fullName: string; owner: string | null })[] {
    const out: (Secret & { fullName: string; owner: string | null })[] = [];
    for (const db of this.databases.values()) {
      for (const schema of db.schemas.values()) {
        for (const secret of schema.secrets.values()) {
          const fullName = qualifiedName([secret.database, secret.schema, secret.name]);
          out.push({ ...secret, fullName, owner: this.owner('SECRET', fullName) });
        }
      }
    }
    return out;
  }

  private select(s: Extract<Statement, { type: 'select' }>, session: SessionContext): ResultSet {
    const columns: ResultSet['columns'] = [];
    const row: Cell[] = [];
    const account = this.identifier.split('.')[0]!.toUpperCase();
    const dash = account.indexOf('-');
    for (const c of s.columns) {
      const e = c.expr;
      if (e.kind === 'string') {
        columns.push({ name: c.label, type: 'text' });
        row.push(e.value);
      } else if (e.kind === 'number') {
        const scale = e.value.includes('.') ? e.value.split('.')[1]!.length : 0;
        columns.push({ name: c.label, type: 'fixed', scale });
        row.push(e.value);
      } else if (e.kind === 'bool') {
        columns.push({ name: c.label, type: 'boolean' });
        row.push(e.value ? '1' : '0');
      } else if (e.kind === 'null') {
        columns.push({ name: c.label, type: 'text' });
        row.push(null);
      } else if (e.name === 'IS_ROLE_IN_SESSION') {
        // IS_ROLE_IN_SESSION('<role>'): whether the session's active roles inherit the role; the name is
        // matched as stored, case and all (docs, "IS_ROLE_IN_SESSION": "the argument must use the same
        // case as the role name stored in Snowflake"). Secondary roles are not modelled, so the active roles
        // are the primary role's hierarchy. Expression and column arguments are not modelled.
        if (e.args?.length !== 1) throw invalidArguments(e.name, e.args ?? []);
        columns.push({ name: c.label, type: 'boolean' });
        row.push(this.closure(session.role).has(e.args[0]!) ? '1' : '0');
      } else {
        if (e.args !== undefined) throw invalidArguments(e.name, e.args);
        const fn = (value: string | null) => {
          columns.push({ name: c.label, type: 'text' });
          row.push(value);
        };
        switch (e.name) {
          case 'CURRENT_USER':
            fn(session.user);
            break;
          case 'CURRENT_ROLE':
            fn(session.role);
            break;
          case 'CURRENT_ACCOUNT':
            fn(account);
            break;
          case 'CURRENT_ACCOUNT_NAME':
            fn(dash > 0 ? account.slice(dash + 1) : account);
            break;
          case 'CURRENT_ORGANIZATION_NAME':
            fn(dash > 0 ? account.slice(0, dash) : null);
            break;
          case 'CURRENT_WAREHOUSE':
            fn(session.warehouse);
            break;
          case 'CURRENT_DATABASE':
            fn(session.database);
            break;
          case 'CURRENT_SCHEMA':
            fn(session.database === null ? null : session.schema);
            break;
          case 'CURRENT_SESSION':
            fn(session.sessionId);
            break;
          case 'CURRENT_VERSION':
            fn('9.0.0');
            break;
          case 'CURRENT_TIMESTAMP':
          case 'LOCALTIMESTAMP':
            columns.push({ name: c.label, type: 'timestamp_ltz', scale: 9 });
            row.push(this.now());
            break;
          default:
            throw new SfError('002140', '42601', `SQL compilation error:\nUnknown function ${e.name}`);
        }
      }
    }
    return { columns, rows: [row] };
  }
}
