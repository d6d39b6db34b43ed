// GRANT, REVOKE and SHOW GRANTS: role membership, ownership transfers, and privileges on the account,
// users, databases, schemas, secrets and warehouses. Sources: README.md, "Roles and grants".

import {
  SfError,
  displayName,
  doesNotExist,
  insufficientPrivileges,
  invalidValue,
  qualifiedName,
} from '../errors.js';
import type { Ident, SecurableType } from '../statements.js';
import type { Grant, ResultSet, SessionContext } from './model.js';
import { objectPath, resolveDatabase, schemaPath } from './databases.js';
import { resolveNetworkPolicy } from './network-policies.js';
import { type Column, bool, tabulate, text, time } from './results.js';
import { ok } from './status.js';
import { resolveSecret } from './secrets.js';
import type { AccountState, OwnedType, Handler } from './state.js';
import { MPAM } from './users.js';
import { resolveWarehouse } from './warehouses.js';

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

/** The object a privilege is granted on. */
type GrantTarget = { onType: Grant['onType']; onName: string };

const objectKind = (t: SecurableType) => t.toLowerCase() as 'database' | 'schema' | 'secret' | 'warehouse';

export const grantRole: Handler<'grantRole' | 'revokeRole'> = (a, s, session) => {
  const role = a.requireRole(s.role);
  if (s.granteeType === 'USER') a.requireUser(s.grantee);
  else a.requireRole(s.grantee);
  // GRANT/REVOKE ROLE needs OWNERSHIP of the role or MANAGE GRANTS (notes, "Access control").
  if (!a.owns(session.role, 'ROLE', role.name) && !a.manageGrants(session.role)) {
    throw insufficientPrivileges('role', role.name);
  }
  const match = (g: Grant) =>
    g.onType === 'ROLE' &&
    g.privilege === 'USAGE' &&
    g.onName === role.name &&
    g.granteeType === s.granteeType &&
    g.grantee === s.grantee.name;
  if (s.type === 'revokeRole') {
    a.grants = a.grants.filter((g) => !match(g));
    return ok();
  }
  if (s.granteeType === 'ROLE' && a.closure(role.name).has(s.grantee.name) && s.grantee.name !== 'PUBLIC') {
    // A role hierarchy cannot have cycles; the wording of this refusal is ours (README).
    throw new SfError(
      '003012',
      '42601',
      `SQL execution error:\nCannot grant role '${displayName(role.name)}' to role '${displayName(s.grantee.name)}', because '${displayName(s.grantee.name)}' is already granted to '${displayName(role.name)}'.`,
    );
  }
  if (!a.grants.some(match)) {
    a.grant({
      privilege: 'USAGE',
      onType: 'ROLE',
      onName: role.name,
      granteeType: s.granteeType,
      grantee: s.grantee.name,
      grantOption: false,
      // Under MANAGE GRANTS the recorded grantor is the object's owner (notes).
      grantedBy: a.owner('ROLE', role.name) ?? session.role,
    });
  }
  return ok();
};

export const grantOwnership: Handler<'grantOwnership'> = (a, s, session) => {
  const target =
    s.onType === 'USER'
      ? a.requireUser(s.on).name
      : s.onType === 'ROLE'
        ? a.requireRole(s.on).name
        : resolveNetworkPolicy(a, s.on.name, session).name;
  const to = a.requireRole(s.to);
  if (!a.owns(session.role, s.onType, target) && !a.manageGrants(session.role)) {
    throw insufficientPrivileges(
      s.onType === 'USER' ? 'user' : s.onType === 'ROLE' ? 'role' : 'network policy',
      target,
    );
  }
  transferOwnership(a, s.onType, target, to.name, s.currentGrants);
  return ok();
};

/**
 * GRANT OWNERSHIP: moves the OWNERSHIP row to `to`. Outbound grants on the object (other than role
 * membership) block the transfer unless COPY or REVOKE CURRENT GRANTS is given (notes, "Access
 * control"); with COPY they stay and their grantor becomes the new owner.
 */
function transferOwnership(
  a: AccountState,
  onType: OwnedType,
  target: string,
  to: string,
  currentGrants: 'COPY' | 'REVOKE' | null,
): void {
  const outbound = (g: Grant) =>
    g.onType === onType &&
    g.onName === target &&
    g.privilege !== 'OWNERSHIP' &&
    !(onType === 'ROLE' && g.privilege === 'USAGE');
  const dependent = a.grants.filter(outbound);
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
  if (currentGrants === 'REVOKE') a.grants = a.grants.filter((g) => !outbound(g));
  else for (const g of dependent) g.grantedBy = to;
  const current = a.grants.find(
    (g) => g.privilege === 'OWNERSHIP' && g.onType === onType && g.onName === target,
  );
  if (current) {
    current.grantee = to;
    current.grantedBy = to;
    current.createdOn = a.now();
  } else {
    a.addOwnership(onType, target, to);
  }
}

function expandPrivileges(list: string[], allowed: string[]): string[] {
  const out: string[] = [];
  for (const p of list) {
    if (p === 'ALL' || p === 'ALL PRIVILEGES') out.push(...allowed);
    else if (allowed.includes(p)) out.push(p);
    else throw invalidValue(`Invalid privilege ${p}.`);
  }
  return [...new Set(out)];
}

/** Whether the grant gives the privilege on the object to the role. */
const gives = (g: Grant, privilege: string, on: GrantTarget, grantee: string) =>
  g.privilege === privilege &&
  g.onType === on.onType &&
  g.onName === on.onName &&
  g.granteeType === 'ROLE' &&
  g.grantee === grantee;

/** Adds the privileges to the role's grants (or widens their grant option), recorded as granted by `grantedBy`. */
function addPrivileges(
  a: AccountState,
  privileges: string[],
  on: GrantTarget,
  grantee: string,
  withGrantOption: boolean,
  grantedBy: string,
): void {
  for (const privilege of privileges) {
    const existing = a.grants.find((g) => gives(g, privilege, on, grantee));
    if (existing) existing.grantOption = existing.grantOption || withGrantOption;
    else {
      a.grant({ privilege, ...on, granteeType: 'ROLE', grantee, grantOption: withGrantOption, grantedBy });
    }
  }
}

/** Removes the privileges from the role's grants on the object. */
function removePrivileges(a: AccountState, privileges: string[], on: GrantTarget, grantee: string): void {
  a.grants = a.grants.filter((g) => !privileges.some((p) => gives(g, p, on, grantee)));
}

export const grantPrivileges: Handler<'grantPrivileges' | 'revokePrivileges'> = (a, s, session) => {
  const grant = s.type === 'grantPrivileges';
  const role = a.requireRole(grant ? s.to : s.from);
  const onName = s.onType === 'USER' ? a.requireUser(s.on!).name : a.accountName;
  const on = { onType: s.onType, onName };
  const privileges = expandPrivileges(
    s.privileges,
    s.onType === 'USER' ? USER_PRIVILEGES : ACCOUNT_PRIVILEGES,
  );
  const refusal = () => insufficientPrivileges(s.onType === 'USER' ? 'user' : 'account', onName);
  // Granting needs MANAGE GRANTS, OWNERSHIP of the object, or the privilege WITH GRANT OPTION;
  // revoking needs MANAGE GRANTS or OWNERSHIP.
  const manage = a.manageGrants(session.role);
  const owner = s.onType === 'USER' && a.owns(session.role, 'USER', onName);
  if (!grant) {
    if (!owner && !manage) throw refusal();
    removePrivileges(a, privileges, on, role.name);
    return ok();
  }
  for (const p of privileges) {
    if (!manage && !owner && !a.hasGrantOption(session.role, p, s.onType, onName)) throw refusal();
  }
  const grantedBy = s.onType === 'USER' ? (a.owner('USER', onName) ?? session.role) : session.role;
  addPrivileges(a, privileges, on, role.name, s.withGrantOption, grantedBy);
  return ok();
};

/** The grant key of a database, schema or secret named in a GRANT/SHOW GRANTS, resolved for the role. */
function securableKey(
  a: AccountState,
  objectType: SecurableType,
  on: Ident[],
  session: SessionContext,
  command: string,
): { key: string; shortName: string } {
  const bypass = a.manageGrants(session.role);
  if (objectType === 'WAREHOUSE') {
    const wh = resolveWarehouse(a, on[0]!.name, session, bypass);
    return { key: qualifiedName([wh.name]), shortName: wh.name };
  }
  if (objectType === 'DATABASE') {
    const db = resolveDatabase(a, on[0]!.name, session, 'visible', bypass);
    return { key: qualifiedName([db.name]), shortName: db.name };
  }
  if (objectType === 'SCHEMA') {
    const [dbName, name] = schemaPath(a, on, session, command);
    resolveDatabase(a, dbName, session, 'visible', bypass);
    const schema = a.databases.get(dbName)!.schemas.get(name);
    const key = qualifiedName([dbName, name]);
    if (!schema || (!bypass && !a.anyPrivilege(session.role, 'SCHEMA', key))) {
      throw doesNotExist('Schema', [dbName, name]);
    }
    return { key, shortName: name };
  }
  const path = objectPath(a, on, session, command);
  resolveSecret(a, path, session, bypass);
  return { key: qualifiedName(path), shortName: path[2] };
}

export const grantObjectOwnership: Handler<'grantObjectOwnership'> = (a, s, session) => {
  const { key, shortName } = securableKey(a, s.objectType, s.on, session, 'GRANT');
  const to = a.requireRole(s.to);
  if (!a.owns(session.role, s.objectType, key) && !a.manageGrants(session.role)) {
    throw insufficientPrivileges(objectKind(s.objectType), shortName);
  }
  // INFORMATION_SCHEMA belongs to no role and cannot be given away (refusal wording is ours).
  if (s.objectType === 'SCHEMA' && shortName === 'INFORMATION_SCHEMA') {
    throw insufficientPrivileges('schema', shortName);
  }
  transferOwnership(a, s.objectType, key, to.name, s.currentGrants);
  return ok();
};

export const grantObjectPrivileges: Handler<'grantObjectPrivileges' | 'revokeObjectPrivileges'> = (
  a,
  s,
  session,
) => {
  const grant = s.type === 'grantObjectPrivileges';
  const { key, shortName } = securableKey(a, s.objectType, s.on, session, grant ? 'GRANT' : 'REVOKE');
  const role = a.requireRole(grant ? s.to : s.from);
  const privileges = expandPrivileges(s.privileges, OBJECT_PRIVILEGES[s.objectType]);
  const on = { onType: s.objectType, onName: key };
  // Granting needs MANAGE GRANTS, OWNERSHIP of the object, or the privilege WITH GRANT OPTION;
  // revoking needs MANAGE GRANTS or OWNERSHIP (notes, "Access control").
  const manage = a.manageGrants(session.role);
  const owner = a.owns(session.role, s.objectType, key);
  if (!grant) {
    if (!manage && !owner) throw insufficientPrivileges(objectKind(s.objectType), shortName);
    removePrivileges(a, privileges, on, role.name);
    return ok();
  }
  for (const p of privileges) {
    if (!manage && !owner && !a.hasGrantOption(session.role, p, s.objectType, key)) {
      throw insufficientPrivileges(objectKind(s.objectType), shortName);
    }
  }
  // Under MANAGE GRANTS the recorded grantor is the object's owner (notes).
  addPrivileges(a, privileges, on, role.name, s.withGrantOption, a.owner(s.objectType, key) ?? session.role);
  return ok();
};

// SHOW GRANTS TO ROLE / ON <object> columns (notes, "Result shapes for grants").
const GRANT_COLUMNS: Column<Grant>[] = [
  time('created_on', (g) => g.createdOn),
  text('privilege', (g) => g.privilege),
  text('granted_on', (g) => g.onType),
  text('name', (g) => g.onName),
  text('granted_to', (g) => g.granteeType),
  text('grantee_name', (g) => g.grantee),
  text('grant_option', (g) => bool(g.grantOption)),
  text('granted_by', (g) => g.grantedBy),
];

// SHOW GRANTS TO USER: the column set of the 2025_01 behaviour change bundle (notes, "Result shapes for grants").
const USER_ROLE_COLUMNS: Column<Grant>[] = [
  time('created_on', (g) => g.createdOn),
  text('privilege', () => 'USAGE'),
  text('granted_on', () => 'ROLE'),
  text('name', (g) => g.onName),
  text('role', (g) => g.onName),
  text('granted_to', () => 'USER'),
  text('grantee_name', (g) => g.grantee),
  text('grant_option', () => 'false'),
  text('granted_by', (g) => g.grantedBy),
];

// SHOW GRANTS OF ROLE: who the role is granted to.
const ROLE_MEMBER_COLUMNS: Column<Grant>[] = [
  time('created_on', (g) => g.createdOn),
  text('role', (g) => g.onName),
  text('granted_to', (g) => g.granteeType),
  text('grantee_name', (g) => g.grantee),
  text('granted_by', (g) => g.grantedBy),
];

const byTime = (x: Grant, y: Grant) => x.createdOn.getTime() - y.createdOn.getTime();

/** The grants matching `which`, oldest first, in the given columns. */
function listGrants(a: AccountState, which: (g: Grant) => boolean, columns = GRANT_COLUMNS): ResultSet {
  return tabulate(columns, a.grants.filter(which).sort(byTime));
}

export const showGrants: Handler<'showGrants'> = (a, s, session) => {
  const manage = a.manageGrants(session.role);
  // Grants to or of a role: MANAGE GRANTS, a role in the session's hierarchy, or its owner.
  const roleToList = () => {
    const role = a.requireRole(s.name!);
    if (!manage && !a.closure(session.role).has(role.name) && !a.owns(session.role, 'ROLE', role.name)) {
      throw insufficientPrivileges('role', role.name);
    }
    return role.name;
  };
  // Grants to or on a user: MANAGE GRANTS, the user itself, or its owner.
  const userToList = () => {
    const user = a.requireUser(s.name!);
    if (!manage && session.user !== user.name && !a.owns(session.role, 'USER', user.name)) {
      throw insufficientPrivileges('user', user.name);
    }
    return user.name;
  };
  switch (s.mode) {
    case 'toRole': {
      const role = roleToList();
      return listGrants(a, (g) => g.granteeType === 'ROLE' && g.grantee === role);
    }
    case 'toUser': {
      const user = userToList();
      const held = (g: Grant) => g.onType === 'ROLE' && g.granteeType === 'USER' && g.grantee === user;
      return listGrants(a, held, USER_ROLE_COLUMNS);
    }
    case 'ofRole': {
      const role = roleToList();
      const members = (g: Grant) => g.onType === 'ROLE' && g.privilege === 'USAGE' && g.onName === role;
      return listGrants(a, members, ROLE_MEMBER_COLUMNS);
    }
    case 'onUser': {
      const user = userToList();
      return listGrants(a, (g) => g.onType === 'USER' && g.onName === user);
    }
    case 'onRole': {
      const role = a.requireRole(s.name!).name;
      return listGrants(a, (g) => g.onType === 'ROLE' && g.onName === role && g.privilege !== 'USAGE');
    }
    case 'onAccount':
      return listGrants(a, (g) => g.onType === 'ACCOUNT');
    case 'onNetworkPolicy': {
      const policy = resolveNetworkPolicy(a, s.name!.name, session).name;
      return listGrants(a, (g) => g.onType === 'NETWORK_POLICY' && g.onName === policy);
    }
  }
};

export const showGrantsOnObject: Handler<'showGrantsOnObject'> = (a, s, session) => {
  const { key } = securableKey(a, s.objectType, s.on, session, 'SHOW GRANTS');
  return listGrants(a, (g) => g.onType === s.objectType && g.onName === key);
};
