// The account's state (its objects and the grant table) and the access-control rules every statement
// is judged by. Behaviour and sources are listed in README.md; comments name the rule they follow.

import { SfError, doesNotExist, qualifiedName } from '../errors.js';
import type { Ident, SecurableType, Statement } from '../statements.js';
import type { NetworkPolicy } from '../network.js';
import { byName, likeFilter } from './results.js';
import {
  type AccountOptions,
  type Database,
  type Grant,
  type ResultSet,
  type SessionContext,
  type ProgrammaticAccessToken,
  type Role,
  SYSTEM_ROLES,
  type User,
  type Warehouse,
} from './model.js';

/** An object kind that has an owner (everything but the account itself). */
export type OwnedType = Exclude<Grant['onType'], 'ACCOUNT'>;

export class AccountState {
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
    const system = { granteeType: 'ROLE', grantOption: false, grantedBy: '' } as const;
    // Snowflake's system-defined role hierarchy ("Overview of access control"):
    // ACCOUNTADMIN inherits SECURITYADMIN and SYSADMIN; SECURITYADMIN inherits USERADMIN.
    const member = (role: string, to: string) =>
      this.grant({ privilege: 'USAGE', onType: 'ROLE', onName: role, grantee: to, ...system }, at);
    member('SECURITYADMIN', 'ACCOUNTADMIN');
    member('SYSADMIN', 'ACCOUNTADMIN');
    member('USERADMIN', 'SECURITYADMIN');
    const accountPriv = (privilege: string, to: string) =>
      this.grant({ privilege, onType: 'ACCOUNT', onName: this.accountName, grantee: to, ...system }, at);
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

  // ---------------------------------------------------------------- the grant table

  /**
   * Adds a row to the grant table, made now unless `createdOn` says otherwise. Every row is built with the same
   * fields in the same order (not spread from the caller's object, which may carry more): the table is scanned
   * several times per statement, and rows of one shape keep that scan fast.
   */
  grant(g: Omit<Grant, 'createdOn'>, createdOn = this.now()): void {
    const { privilege, onType, onName, granteeType, grantee, grantOption, grantedBy } = g;
    this.grants.push({ privilege, onType, onName, granteeType, grantee, grantOption, grantedBy, createdOn });
  }

  /** The creating role owns what it creates, and may grant OWNERSHIP on. */
  addOwnership(onType: OwnedType, onName: string, role: string): void {
    this.grant({
      privilege: 'OWNERSHIP',
      onType,
      onName,
      granteeType: 'ROLE',
      grantee: role,
      grantOption: true,
      grantedBy: role,
    });
  }

  dropGrantsOn(onType: OwnedType, onName: string): void {
    this.grants = this.grants.filter((g) => !(g.onType === onType && g.onName === onName));
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

  /**
   * Whether the role or a role it inherits holds a grant on the object that `accepts`. Stops at the first such
   * grant: every statement asks this several times, over every grant of the account.
   */
  private holdsOn(
    role: string,
    onType: Grant['onType'],
    onName: string,
    accepts: (grant: Grant) => boolean,
  ): boolean {
    const roles = this.closure(role);
    return this.grants.some(
      (g) =>
        g.granteeType === 'ROLE' &&
        roles.has(g.grantee) &&
        g.onType === onType &&
        g.onName === onName &&
        accepts(g),
    );
  }

  hasPrivilege(role: string, privilege: string, onType: Grant['onType'], onName: string): boolean {
    return this.holdsOn(
      role,
      onType,
      onName,
      (g) => g.privilege === privilege || g.privilege === 'OWNERSHIP',
    );
  }

  hasGrantOption(role: string, privilege: string, onType: Grant['onType'], onName: string): boolean {
    return this.holdsOn(role, onType, onName, (g) => g.privilege === privilege && g.grantOption);
  }

  /** Any privilege on the object through the role's hierarchy: what makes it visible. */
  anyPrivilege(role: string, onType: SecurableType | 'NETWORK_POLICY', onName: string): boolean {
    return this.holdsOn(role, onType, onName, () => true);
  }

  usable(role: string, onType: SecurableType, onName: string): boolean {
    return this.hasPrivilege(role, 'USAGE', onType, onName);
  }

  owner(onType: OwnedType, name: string): string | null {
    return (
      this.grants.find((g) => g.privilege === 'OWNERSHIP' && g.onType === onType && g.onName === name)
        ?.grantee ?? null
    );
  }

  owns(role: string, onType: OwnedType, name: string): boolean {
    const owner = this.owner(onType, name);
    return owner !== null && this.closure(role).has(owner);
  }

  accountPrivilege(role: string, privilege: string): boolean {
    return this.hasPrivilege(role, privilege, 'ACCOUNT', this.accountName);
  }

  manageGrants(role: string): boolean {
    return this.accountPrivilege(role, 'MANAGE GRANTS');
  }

  // ---------------------------------------------------------------- lookups

  requireUser(name: Ident): User {
    const user = this.users.get(name.name);
    if (!user) throw doesNotExist('User', name.name);
    return user;
  }

  requireRole(name: Ident): Role {
    const role = this.roles.get(name.name);
    if (!role) throw doesNotExist('Role', name.name);
    return role;
  }

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

  /** The user's tokens that have not expired (what HAS_PAT and the limit of 15 count). */
  activePats(userName: string): ProgrammaticAccessToken[] {
    const now = this.now().getTime();
    return this.pats.filter((p) => p.user === userName && p.expiresAt.getTime() > now);
  }

  /** The policy a login of `user` is judged by: the user's own, else the account's ("Network policy precedence"). */
  effectiveNetworkPolicy(user: User): NetworkPolicy | null {
    const name = user.networkPolicy ?? this.accountNetworkPolicy;
    return name === null ? null : (this.networkPolicies.get(name) ?? null);
  }

  /**
   * The account-level objects a SHOW command lists for the role: those it holds a privilege on (every one
   * under MANAGE GRANTS) whose name matches LIKE, by name.
   */
  listed<T extends { name: string }>(
    objects: Iterable<T>,
    onType: 'DATABASE' | 'WAREHOUSE' | 'NETWORK_POLICY',
    like: string | null,
    role: string,
  ): T[] {
    const manage = this.manageGrants(role);
    const key = (o: T) => (onType === 'NETWORK_POLICY' ? o.name : qualifiedName([o.name]));
    return [...objects]
      .filter((o) => manage || this.anyPrivilege(role, onType, key(o)))
      .filter(likeFilter(like))
      .sort(byName);
  }

  /** The owner of a database, schema, secret or warehouse, by the parts of its name. */
  ownerOf(onType: SecurableType, parts: string[]): string | null {
    return this.owner(onType, qualifiedName(parts));
  }
}

/** The statements of the given types (a statement whose `type` is a union counts for each of its types). */
export type StatementOf<K extends Statement['type']> = OfType<Statement, K>;
/** The module function that runs statements of the given types. */
export type Handler<K extends Statement['type']> = (
  a: AccountState,
  s: StatementOf<K>,
  session: SessionContext,
) => ResultSet;
type OfType<S, K> = S extends { type: infer T } ? (K extends T ? S : never) : never;

/** The object `find` resolves, or null when it does not exist (002003) and the statement says IF EXISTS. */
export function unlessMissing<T>(ifExists: boolean, find: () => T): T | null {
  try {
    return find();
  } catch (e) {
    if (ifExists && e instanceof SfError && e.code === '002003') return null;
    throw e;
  }
}
