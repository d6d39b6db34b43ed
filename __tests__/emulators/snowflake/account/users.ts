// Users: CREATE, ALTER, DROP, DESC and SHOW USERS. Behaviour and sources are listed in README.md
// ("Users and keys", "Access control"); comments below name the rule they follow.

import { doesNotExist, insufficientPrivileges } from '../errors.js';
import type { Ident } from '../statements.js';
import { DEFAULT_TIMEZONE, type ResultSet, type SessionContext, type User } from './model.js';
import { checkNetworkPolicyProperty } from './network-policies.js';
import { type Column, bool, byName, likeFilter, tabulate, text, time } from './results.js';
import { alreadyDropped, createOver, created, dropped, ok } from './status.js';
import { type AccountState, type Handler } from './state.js';
import { applyProperties, unsetProperty } from './user-properties.js';

export const MPAM = 'MODIFY PROGRAMMATIC AUTHENTICATION METHODS';

// Properties whose change is an authentication-method change: OWNERSHIP or MODIFY PROGRAMMATIC
// AUTHENTICATION METHODS on the user suffices, and a user may set its own keys (notes, "Access control").
const AUTH_PROPERTIES = new Set(['RSA_PUBLIC_KEY', 'RSA_PUBLIC_KEY_2', 'WORKLOAD_IDENTITY']);
const SELF_PROPERTIES = new Set(['RSA_PUBLIC_KEY', 'RSA_PUBLIC_KEY_2']);

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

function newUser(a: AccountState, name: string): User {
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
    createdOn: a.now(),
    lastSuccessLogin: null,
  };
}

export const createUser: Handler<'createUser'> = (a, s, session) => {
  // CREATE USER needs the account privilege CREATE USER (USERADMIN and above by default).
  if (!a.accountPrivilege(session.role, 'CREATE USER')) {
    throw insufficientPrivileges('account', a.accountName);
  }
  const existing = a.users.get(s.name.name);
  if (existing) {
    const existed = createOver(s, s.name.name);
    if (existed) return existed;
    if (!a.owns(session.role, 'USER', existing.name)) throw insufficientPrivileges('user', existing.name);
  }
  checkNetworkPolicyProperty(a, s.props, session);
  const user = newUser(a, s.name.name);
  applyProperties(a, user, s.props, s.name.name);
  if (existing) removeUser(a, existing.name);
  a.users.set(user.name, user);
  // The creating role owns the new user.
  a.addOwnership('USER', user.name, session.role);
  return created('User', user.name);
};

function checkAlterPrivileges(a: AccountState, user: User, names: string[], session: SessionContext): void {
  const self = session.user === user.name;
  const owner = a.owns(session.role, 'USER', user.name);
  if (owner) return;
  const mpam = a.hasPrivilege(session.role, MPAM, 'USER', user.name);
  for (const name of names) {
    if (self && SELF_PROPERTIES.has(name)) continue;
    if (mpam && AUTH_PROPERTIES.has(name)) continue;
    throw insufficientPrivileges('user', user.name);
  }
}

/** The user ALTER USER [IF EXISTS] names; null when it does not exist and IF EXISTS was given. */
function userToAlter(a: AccountState, name: Ident, ifExists: boolean): User | null {
  const user = a.users.get(name.name);
  if (user) return user;
  if (ifExists) return null;
  throw doesNotExist('User', name.name);
}

/** A copy of the user to change, so that a failing property leaves the user untouched. */
const draftOf = (user: User): User => ({ ...user, keys: { ...user.keys } });

export const alterUserSet: Handler<'alterUserSet'> = (a, s, session) => {
  const user = userToAlter(a, s.name, s.ifExists);
  if (!user) return ok();
  checkAlterPrivileges(
    a,
    user,
    s.props.map((p) => p.name),
    session,
  );
  checkNetworkPolicyProperty(a, s.props, session);
  const draft = draftOf(user);
  applyProperties(a, draft, s.props, user.name);
  a.users.set(user.name, draft);
  return ok();
};

export const alterUserUnset: Handler<'alterUserUnset'> = (a, s, session) => {
  const user = userToAlter(a, s.name, s.ifExists);
  if (!user) return ok();
  const names = s.props.map((t) => (t.kind === 'word' ? t.upper : t.text));
  checkAlterPrivileges(a, user, names, session);
  const draft = draftOf(user);
  for (const name of names) unsetProperty(draft, name);
  a.users.set(user.name, draft);
  return ok();
};

function removeUser(a: AccountState, name: string): void {
  a.users.delete(name);
  // A user's programmatic access tokens go with it.
  a.pats = a.pats.filter((p) => p.user !== name);
  a.grants = a.grants.filter(
    (g) => !(g.onType === 'USER' && g.onName === name) && !(g.granteeType === 'USER' && g.grantee === name),
  );
}

export const dropUser: Handler<'dropUser'> = (a, s, session) => {
  const user = a.users.get(s.name.name);
  if (!user) {
    if (s.ifExists) return alreadyDropped(s.name.name);
    throw doesNotExist('User', s.name.name);
  }
  if (!a.owns(session.role, 'USER', user.name)) throw insufficientPrivileges('user', user.name);
  removeUser(a, user.name);
  return dropped(user.name);
};

/** What DESC USER reads a user's rows from. */
interface UserView {
  user: User;
  /** A set time as DESC USER renders it in the session's TIMEZONE, or `null`. */
  time: (d: Date | null | undefined) => string;
  hasPat: boolean;
}

const orNull = (x: string | null | undefined) => x ?? 'null';

// DESC USER: one row a property, with its value, its default and Snowflake's description of it.
const USER_DESCRIPTION: [string, (v: UserView) => string, string, string][] = [
  ['NAME', (v) => v.user.name, 'null', 'Name'],
  [
    'COMMENT',
    (v) => orNull(v.user.comment),
    'null',
    'user comment associated to an object in the dictionary',
  ],
  ['DISPLAY_NAME', (v) => orNull(v.user.displayName), 'null', 'Display name of the associated object'],
  ['TYPE', (v) => orNull(v.user.type), 'null', 'Type of the user'],
  ['LOGIN_NAME', (v) => v.user.loginName, 'null', 'Login name of the user'],
  ['FIRST_NAME', (v) => orNull(v.user.firstName), 'null', 'First name of the user'],
  ['MIDDLE_NAME', (v) => orNull(v.user.middleName), 'null', 'Middle name of the user'],
  ['LAST_NAME', (v) => orNull(v.user.lastName), 'null', 'Last name of the user'],
  ['EMAIL', (v) => orNull(v.user.email), 'null', 'Email address of the user'],
  ['PASSWORD', (v) => (v.user.passwordHash ? '********' : 'null'), 'null', 'Password of the user'],
  ['MUST_CHANGE_PASSWORD', (v) => bool(v.user.mustChangePassword), 'false', 'User must change the password'],
  ['DISABLED', (v) => bool(v.user.disabled), 'false', 'Whether the user is disabled'],
  ['SNOWFLAKE_LOCK', () => 'false', 'false', 'Whether the user or account is locked by Snowflake'],
  ['SNOWFLAKE_SUPPORT', () => 'false', 'false', 'Snowflake Support is allowed to use the user or account'],
  [
    'DAYS_TO_EXPIRY',
    (v) => orNull(v.user.daysToExpiry),
    'null',
    'User record will be treated as expired after specified number of days',
  ],
  [
    'MINS_TO_UNLOCK',
    (v) => orNull(v.user.minsToUnlock),
    'null',
    'Temporary lock on the user will be removed after specified number of minutes',
  ],
  ['DEFAULT_WAREHOUSE', (v) => orNull(v.user.defaultWarehouse), 'null', 'Default warehouse for this user'],
  [
    'DEFAULT_NAMESPACE',
    (v) => orNull(v.user.defaultNamespace),
    'null',
    'Default database namespace prefix for this user',
  ],
  ['DEFAULT_ROLE', (v) => orNull(v.user.defaultRole), 'null', 'Primary default role for this user'],
  [
    'DEFAULT_SECONDARY_ROLES',
    (v) => orNull(v.user.defaultSecondaryRoles),
    'null',
    'Default secondary roles for this user',
  ],
  [
    'EXT_AUTHN_DUO',
    () => 'false',
    'false',
    'Whether Duo Security is enabled as second factor authentication',
  ],
  ['EXT_AUTHN_UID', () => 'null', 'null', 'External authentication ID of the user'],
  ['HAS_MFA', () => 'false', 'false', 'Whether the user is enrolled for multi-factor authentication'],
  [
    'MINS_TO_BYPASS_MFA',
    () => 'null',
    'null',
    'Temporary bypass MFA for the user for a specified number of minutes',
  ],
  [
    'MINS_TO_BYPASS_NETWORK_POLICY',
    () => 'null',
    'null',
    'Temporary bypass network policy on the user for a specified number of minutes',
  ],
  ['RSA_PUBLIC_KEY', (v) => orNull(v.user.keys[1]?.body), 'null', 'RSA public key of the user'],
  [
    'RSA_PUBLIC_KEY_FP',
    (v) => orNull(v.user.keys[1]?.fingerprint),
    'null',
    "Fingerprint of user's RSA public key.",
  ],
  [
    'RSA_PUBLIC_KEY_LAST_SET_TIME',
    (v) => v.time(v.user.keys[1]?.setAt),
    'null',
    'The timestamp at which the RSA public key was last set for the user',
  ],
  ['RSA_PUBLIC_KEY_2', (v) => orNull(v.user.keys[2]?.body), 'null', 'Second RSA public key of the user'],
  [
    'RSA_PUBLIC_KEY_2_FP',
    (v) => orNull(v.user.keys[2]?.fingerprint),
    'null',
    "Fingerprint of user's second RSA public key.",
  ],
  [
    'RSA_PUBLIC_KEY_2_LAST_SET_TIME',
    (v) => v.time(v.user.keys[2]?.setAt),
    'null',
    'The timestamp at which the second RSA public key was last set for the user',
  ],
  [
    'PASSWORD_LAST_SET_TIME',
    (v) => v.time(v.user.passwordSetAt),
    'null',
    'The timestamp on which the last non-null password was set for the user. Default to null if no password has been set yet.',
  ],
  [
    'CUSTOM_LANDING_PAGE_URL',
    () => 'null',
    'null',
    'Snowflake Support is allowed to use the user or account',
  ],
  [
    'CUSTOM_LANDING_PAGE_URL_FLUSH_NEXT_UI_LOAD',
    () => 'false',
    'false',
    'The boolean indicating whether the custom landing page url should be flushed',
  ],
  ['HAS_PAT', (v) => bool(v.hasPat), 'false', 'Whether the user has a programmatic access token'],
  [
    'HAS_WORKLOAD_IDENTITY',
    (v) => bool(v.user.workloadIdentity !== null),
    'false',
    'Whether the user has workload identity federation set up',
  ],
];

type DescRow = [property: string, value: string, defaultValue: string, description: string];

const DESC_USER_COLUMNS: Column<DescRow>[] = [
  text('property', (r) => r[0]),
  text('value', (r) => r[1]),
  text('default', (r) => r[2]),
  text('description', (r) => r[3]),
];

export function descUser(a: AccountState, name: Ident, session: SessionContext): ResultSet {
  const user = a.requireUser(name);
  // A user may describe itself; another user needs OWNERSHIP (notes, "Access control").
  if (session.user !== user.name && !a.owns(session.role, 'USER', user.name)) {
    throw insufficientPrivileges('user', user.name);
  }
  const tz = session.params.get('TIMEZONE') ?? DEFAULT_TIMEZONE;
  const view: UserView = {
    user,
    time: (d) => (d ? renderSetTime(d, tz) : 'null'),
    hasPat: a.activePats(user.name).length > 0,
  };
  const rows = USER_DESCRIPTION.map(([property, value, byDefault, description]): DescRow => [
    property,
    value(view),
    byDefault,
    description,
  ]);
  return tabulate(DESC_USER_COLUMNS, rows);
}

interface UserRow {
  user: User;
  owner: string;
  hasPat: boolean;
  /** The role owns the user or has MANAGE GRANTS: every column is shown. */
  visible: boolean;
}

// Columns other than name, created_on and owner are NULL for users the role does not own,
// unless it has MANAGE GRANTS (notes, "Access control").
const ALWAYS_SHOWN = new Set(['name', 'created_on', 'owner']);
const unlessHidden = (c: Column<UserRow>): Column<UserRow> =>
  ALWAYS_SHOWN.has(c.name) ? c : { ...c, value: (r) => (r.visible ? c.value(r) : null) };

const USER_COLUMN_VALUES: Column<UserRow>[] = [
  text('name', (r) => r.user.name),
  time('created_on', (r) => r.user.createdOn),
  text('login_name', (r) => r.user.loginName),
  text('display_name', (r) => r.user.displayName ?? ''),
  text('first_name', (r) => r.user.firstName),
  text('last_name', (r) => r.user.lastName),
  text('email', (r) => r.user.email),
  text('mins_to_unlock', (r) => r.user.minsToUnlock),
  text('days_to_expiry', (r) => r.user.daysToExpiry),
  text('comment', (r) => r.user.comment),
  text('disabled', (r) => bool(r.user.disabled)),
  text('must_change_password', (r) => bool(r.user.mustChangePassword)),
  text('snowflake_lock', () => 'false'),
  text('default_warehouse', (r) => r.user.defaultWarehouse),
  text('default_namespace', (r) => r.user.defaultNamespace),
  text('default_role', (r) => r.user.defaultRole),
  text('default_secondary_roles', (r) => r.user.defaultSecondaryRoles),
  text('ext_authn_duo', () => 'false'),
  text('ext_authn_uid', () => null),
  text('mins_to_bypass_mfa', () => null),
  text('owner', (r) => r.owner),
  time('last_success_login', (r) => r.user.lastSuccessLogin),
  time('expires_at_time', () => null),
  time('locked_until_time', () => null),
  text('has_password', (r) => bool(r.user.passwordHash !== null)),
  text('has_rsa_public_key', (r) => bool(r.user.keys[1] !== null || r.user.keys[2] !== null)),
  text('type', (r) => r.user.type),
  text('has_mfa', () => 'false'),
  text('has_workload_identity', (r) => bool(r.user.workloadIdentity !== null)),
  text('has_pat', (r) => bool(r.hasPat)),
];
const USER_COLUMNS = USER_COLUMN_VALUES.map(unlessHidden);

export function showUsers(a: AccountState, like: string | null, session: SessionContext): ResultSet {
  const manage = a.manageGrants(session.role);
  const rows = [...a.users.values()]
    .filter(likeFilter(like))
    .sort(byName)
    .map((user): UserRow => ({
      user,
      owner: a.owner('USER', user.name) ?? '',
      hasPat: a.activePats(user.name).length > 0,
      visible: manage || a.owns(session.role, 'USER', user.name),
    }));
  return tabulate(USER_COLUMNS, rows);
}
