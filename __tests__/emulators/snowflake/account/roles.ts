// Roles: CREATE, DROP, SHOW ROLES and USE ROLE. Behaviour and sources are listed in README.md
// ("Roles and grants").

import { SfError, displayName, doesNotExist, insufficientPrivileges } from '../errors.js';
import type { Ident } from '../statements.js';
import { type Grant, type ResultSet, type Role, type SessionContext, SYSTEM_ROLES } from './model.js';
import { type Column, byName, fixed, likeFilter, tabulate, text, time } from './results.js';
import { alreadyDropped, createOver, created, dropped, ok } from './status.js';
import type { AccountState, Handler } from './state.js';

export const createRole: Handler<'createRole'> = (a, s, session) => {
  if (!a.accountPrivilege(session.role, 'CREATE ROLE'))
    throw insufficientPrivileges('account', a.accountName);
  const existing = a.roles.get(s.name.name);
  if (existing) {
    const existed = createOver(s, s.name.name, !SYSTEM_ROLES.includes(existing.name));
    if (existed) return existed;
    if (!a.owns(session.role, 'ROLE', existing.name)) throw insufficientPrivileges('role', existing.name);
    removeRole(a, existing.name);
  }
  a.roles.set(s.name.name, { name: s.name.name, comment: s.comment, createdOn: a.now() });
  a.addOwnership('ROLE', s.name.name, session.role);
  return created('Role', s.name.name);
};

function removeRole(a: AccountState, name: string): void {
  a.roles.delete(name);
  a.grants = a.grants.filter(
    (g) => !(g.onType === 'ROLE' && g.onName === name) && !(g.granteeType === 'ROLE' && g.grantee === name),
  );
}

export const dropRole: Handler<'dropRole'> = (a, s, session) => {
  const role = a.roles.get(s.name.name);
  if (!role) {
    if (s.ifExists) return alreadyDropped(s.name.name);
    throw doesNotExist('Role', s.name.name);
  }
  if (SYSTEM_ROLES.includes(role.name) || !a.owns(session.role, 'ROLE', role.name)) {
    throw insufficientPrivileges('role', role.name);
  }
  removeRole(a, role.name);
  return dropped(role.name);
};

interface RoleRow {
  role: Role;
  isDefault: boolean;
  isCurrent: boolean;
  isInherited: boolean;
  /** How many grants match, as SHOW ROLES counts them. */
  count: (matches: (g: Grant) => boolean) => string;
  owner: string;
}

const yesNo = (b: boolean) => (b ? 'Y' : 'N');

const ROLE_COLUMNS: Column<RoleRow>[] = [
  time('created_on', (r) => r.role.createdOn),
  text('name', (r) => r.role.name),
  text('is_default', (r) => yesNo(r.isDefault)),
  text('is_current', (r) => yesNo(r.isCurrent)),
  text('is_inherited', (r) => yesNo(r.isInherited)),
  fixed('assigned_to_users', (r) =>
    r.count((g) => g.onType === 'ROLE' && g.onName === r.role.name && g.granteeType === 'USER'),
  ),
  fixed('granted_to_roles', (r) =>
    r.count(
      (g) =>
        g.onType === 'ROLE' &&
        g.onName === r.role.name &&
        g.privilege === 'USAGE' &&
        g.granteeType === 'ROLE',
    ),
  ),
  fixed('granted_roles', (r) =>
    r.count(
      (g) =>
        g.onType === 'ROLE' &&
        g.privilege === 'USAGE' &&
        g.granteeType === 'ROLE' &&
        g.grantee === r.role.name,
    ),
  ),
  text('owner', (r) => r.owner),
  text('comment', (r) => r.role.comment ?? ''),
];

export function showRoles(a: AccountState, like: string | null, session: SessionContext): ResultSet {
  const current = a.closure(session.role);
  const defaultRole = session.user ? a.users.get(session.user)?.defaultRole : undefined;
  const count = (matches: (g: Grant) => boolean) => String(a.grants.filter(matches).length);
  const rows = [...a.roles.values()]
    .filter(likeFilter(like))
    .sort(byName)
    .map((role): RoleRow => ({
      role,
      isDefault: session.user !== null && defaultRole === role.name,
      isCurrent: role.name === session.role,
      isInherited: role.name !== session.role && current.has(role.name),
      count,
      owner: a.owner('ROLE', role.name) ?? '',
    }));
  return tabulate(ROLE_COLUMNS, rows);
}

export function useRole(a: AccountState, name: Ident, session: SessionContext): ResultSet {
  const role = a.requireRole(name);
  if (session.user !== null && !a.rolesOfUser(session.user).has(role.name)) {
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
