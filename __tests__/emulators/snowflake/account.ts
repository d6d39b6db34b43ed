// The account model: users, roles, grants, and the statements that read and change them.
// Behaviour and sources are listed in README.md; comments below name the rule they follow.

import { createHash, createPublicKey } from 'node:crypto';
import {
  SfError,
  alreadyExists,
  displayName,
  doesNotExist,
  insufficientPrivileges,
  invalidValue,
} from './errors.js';
import type { Ident, Property, Statement, Token, Value } from './sql.js';

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

/** One row of the grant table; role membership is `USAGE` on a `ROLE`, as SHOW GRANTS shows it. */
export interface Grant {
  privilege: string;
  onType: 'ACCOUNT' | 'USER' | 'ROLE';
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
  sessionId: string;
  params: Map<string, string>;
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
  'CREATE INTEGRATION',
  'MONITOR USAGE',
  'EXECUTE TASK',
];
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

export function hashPassword(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

export class Account {
  readonly users = new Map<string, User>();
  readonly roles = new Map<string, Role>();
  grants: Grant[] = [];

  /**
   * @param identifier the account identifier clients pass (`testorg-testaccount`)
   * @param now the emulator's clock (stored timestamps follow it)
   */
  constructor(
    readonly identifier: string,
    readonly now: () => Date,
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

  owner(onType: 'USER' | 'ROLE', name: string): string | null {
    return (
      this.grants.find((g) => g.privilege === 'OWNERSHIP' && g.onType === onType && g.onName === name)
        ?.grantee ?? null
    );
  }

  owns(role: string, onType: 'USER' | 'ROLE', name: string): boolean {
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
          user.networkPolicy = nameOrText(p);
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
      ['HAS_PAT', 'false', 'false', 'Whether the user has a programmatic access token'],
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
        'false',
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
    const target = s.onType === 'USER' ? this.requireUser(s.on).name : this.requireRole(s.on).name;
    const to = this.requireRole(s.to);
    if (!this.owns(session.role, s.onType, target) && !this.manageGrants(session.role)) {
      throw insufficientPrivileges(s.onType === 'USER' ? 'user' : 'role', target);
    }
    const outbound = (g: Grant) =>
      g.onType === s.onType &&
      g.onName === target &&
      g.privilege !== 'OWNERSHIP' &&
      !(s.onType === 'ROLE' && g.privilege === 'USAGE');
    const dependent = this.grants.filter(outbound);
    if (dependent.length > 0 && s.currentGrants === null) {
      // Ownership transfer fails while outbound grants exist, unless COPY or REVOKE CURRENT GRANTS
      // is given (notes, "Access control"). Code and wording are not confirmed (README).
      const d = dependent[0]!;
      throw new SfError(
        '003032',
        '42501',
        `SQL execution error: Dependent grant of privilege '${d.privilege}' on securable '${displayName(target)}' to role '${displayName(d.grantee)}' exists. It must be revoked first. More than one dependent grant may exist: use 'SHOW GRANTS' command to view them. To revoke all dependent grants while transferring object ownership, use convenience command 'GRANT OWNERSHIP ON <target_objects> TO <target_role> REVOKE CURRENT GRANTS'.`,
      );
    }
    if (s.currentGrants === 'REVOKE') this.grants = this.grants.filter((g) => !outbound(g));
    else for (const g of dependent) g.grantedBy = to.name;
    const current = this.grants.find(
      (g) => g.privilege === 'OWNERSHIP' && g.onType === s.onType && g.onName === target,
    );
    if (current) {
      current.grantee = to.name;
      current.grantedBy = to.name;
      current.createdOn = this.now();
    } else {
      this.grants.push({
        privilege: 'OWNERSHIP',
        onType: s.onType,
        onName: target,
        granteeType: 'ROLE',
        grantee: to.name,
        grantOption: true,
        grantedBy: to.name,
        createdOn: this.now(),
      });
    }
    return ok();
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
    const byTime = (a: Grant, b: Grant) => a.createdOn.getTime() - b.createdOn.getTime();
    const grantColumns: ResultSet['columns'] = [
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
      } else {
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
          case 'CURRENT_SCHEMA':
            fn(null);
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
