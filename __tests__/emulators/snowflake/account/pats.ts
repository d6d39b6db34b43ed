// Programmatic access tokens over SQL: ALTER USER … ADD / REMOVE PROGRAMMATIC ACCESS TOKEN and SHOW USER
// PROGRAMMATIC ACCESS TOKENS.
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

import { createHash, randomBytes } from 'node:crypto';
import { alreadyExists, displayName, doesNotExist, insufficientPrivileges, invalidValue } from '../errors.js';
import type { Ident, Property } from '../statements.js';
import type { ProgrammaticAccessToken, ResultSet, SessionContext, User } from './model.js';
import { type Column, fixed, tabulate, text, time } from './results.js';
import { existedOk, ok } from './status.js';
import type { AccountState, Handler } from './state.js';
import { MPAM } from './users.js';

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

/** The token whose secret this is, if any (compared by SHA-256; the secret itself is not kept). */
export function findPatBySecret(a: AccountState, secret: string): ProgrammaticAccessToken | undefined {
  const hash = hashTokenSecret(secret);
  return a.pats.find((p) => p.secretHash === hash);
}

/** `ALTER USER [u]` / `SHOW … FOR USER u`: the named user, or the session's when the name is left out. */
function patUser(
  a: AccountState,
  name: Ident | null,
  ifExists: boolean,
  session: SessionContext,
): User | null {
  const userName = name?.name ?? session.user;
  if (userName === null) {
    // The control plane acts as no user (our limitation): it must name one.
    throw invalidValue('this session has no current user: name the user (ALTER USER u ADD PAT …)');
  }
  const user = a.users.get(userName);
  if (!user) {
    if (ifExists) return null;
    throw doesNotExist('User', userName);
  }
  return user;
}

const isService = (user: User) => user.type === 'SERVICE' || user.type === 'LEGACY_SERVICE';

/**
 * Generating, revoking or listing tokens: nothing for a person's own tokens; for another user, or for a
 * service user (even itself), OWNERSHIP or MODIFY PROGRAMMATIC AUTHENTICATION METHODS on that user (docs,
 * "Using programmatic access tokens for authentication: Privileges required for programmatic access tokens").
 */
function checkPatPrivileges(a: AccountState, user: User, session: SessionContext): void {
  if (session.user === user.name && !isService(user)) return;
  if (a.owns(session.role, 'USER', user.name)) return;
  if (a.hasPrivilege(session.role, MPAM, 'USER', user.name)) return;
  throw insufficientPrivileges('user', user.name);
}

interface PatSettings {
  role: string | null;
  days: number;
  bypass: number | null;
  comment: string | null;
}

function integer(p: Property, min: number, max: number): number {
  const n = p.value.kind === 'number' ? Number(p.value.value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalidValue(`invalid value for property '${p.name}': must be an integer from ${min} to ${max}`);
  }
  return n;
}

/** ADD PAT's properties over their defaults (15 days, no role restriction, no bypass, no comment). */
function patSettings(a: AccountState, props: Property[]): PatSettings {
  const settings: PatSettings = { role: null, days: 15, bypass: null, comment: null };
  for (const p of props) {
    switch (p.name) {
      case 'ROLE_RESTRICTION':
        // Documented as a string literal ('example_role' names the unquoted role EXAMPLE_ROLE); the Terraform
        // provider writes an identifier. A literal names a role exactly, else as an unquoted name would.
        if (p.value.kind === 'string') {
          const text = p.value.value;
          settings.role = a.roles.has(text) ? text : text.toUpperCase();
        } else if (p.value.kind === 'ident' && p.value.parts.length === 1)
          settings.role = p.value.parts[0]!.name;
        else throw invalidValue(`invalid value for property '${p.name}'`);
        break;
      case 'DAYS_TO_EXPIRY':
        // 1 to the maximum expiration time, 365 days unless an authentication policy lowers it.
        settings.days = integer(p, 1, 365);
        break;
      case 'MINS_TO_BYPASS_NETWORK_POLICY_REQUIREMENT':
        settings.bypass = integer(p, 1, 1440);
        break;
      case 'COMMENT':
        if (p.value.kind !== 'string') throw invalidValue(`invalid value for property '${p.name}'`);
        settings.comment = p.value.value;
        break;
      default:
        throw invalidValue(`invalid property '${p.name}' for 'PROGRAMMATIC ACCESS TOKEN'`);
    }
  }
  return settings;
}

/** The rules a new token must meet for its user. Codes and wording of these refusals are ours (not found in public sources); see README. */
function checkNewPat(a: AccountState, user: User, role: string | null): void {
  const service = isService(user);
  if (service && role === null) {
    throw invalidValue(
      `ROLE_RESTRICTION is required for a programmatic access token of a user with TYPE = ${user.type}.`,
    );
  }
  if (role !== null && (!a.roles.has(role) || !a.rolesOfUser(user.name).has(role))) {
    throw invalidValue(`Role '${displayName(role)}' is not granted to user '${displayName(user.name)}'.`);
  }
  // A service user can only generate a token while subject to a network policy (user's or account's);
  // MINS_TO_BYPASS_NETWORK_POLICY_REQUIREMENT is for persons and does not lift this (docs, guide).
  if (service && !a.effectiveNetworkPolicy(user)) {
    throw invalidValue(
      `Network policy is required: user '${displayName(user.name)}' (TYPE = ${user.type}) is not subject to a network policy.`,
    );
  }
  if (a.activePats(user.name).length >= 15) {
    throw invalidValue(
      `User '${displayName(user.name)}' already has the maximum of 15 programmatic access tokens.`,
    );
  }
}

const NEW_TOKEN_COLUMNS: Column<[string, string]>[] = [
  text('token_name', ([name]) => name),
  text('token_secret', ([, secret]) => secret),
];

export const addPat: Handler<'addPat'> = (a, s, session) => {
  const user = patUser(a, s.user, s.ifExists, session);
  if (!user) return ok();
  checkPatPrivileges(a, user, session);
  const name = s.name.name;
  if (a.pats.some((p) => p.user === user.name && p.name === name)) {
    // IF NOT EXISTS: success without a new token or a secret (docs). Wording ours, as for other objects.
    if (s.ifNotExists) return existedOk(name);
    throw alreadyExists(name);
  }
  const { role, days, bypass, comment } = patSettings(a, s.props);
  checkNewPat(a, user, role);
  const now = a.now();
  const expiresAt = new Date(now.getTime() + days * 86_400_000);
  const secret = newTokenSecret(expiresAt);
  a.pats.push({
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
  return tabulate(NEW_TOKEN_COLUMNS, [[name, secret]]);
};

export const removePat: Handler<'removePat'> = (a, s, session) => {
  const user = patUser(a, s.user, s.ifExists, session);
  if (!user) return ok();
  checkPatPrivileges(a, user, session);
  // "You cannot revoke a programmatic access token in a session where you used a programmatic access token
  // [for that same user] for authentication" (docs). Code and wording ours.
  if (session.viaPat && session.user === user.name) {
    throw invalidValue(
      'Cannot remove a programmatic access token in a session authenticated with a programmatic access token.',
    );
  }
  const i = a.pats.findIndex((p) => p.user === user.name && p.name === s.name.name);
  if (i < 0) {
    if (s.tokenIfExists) return ok();
    // Kind word ours, by analogy with other objects.
    throw doesNotExist('Programmatic access token', s.name.name);
  }
  a.pats.splice(i, 1);
  return ok();
};

interface PatRow {
  pat: ProgrammaticAccessToken;
  status: 'EXPIRED' | 'DISABLED' | 'ACTIVE';
}

const PAT_COLUMNS: Column<PatRow>[] = [
  text('name', (r) => r.pat.name),
  text('user_name', (r) => r.pat.user),
  // Read as non-null text by the Terraform provider: empty when the token has no role restriction.
  text('role_restriction', (r) => r.pat.roleRestriction ?? ''),
  time('expires_at', (r) => r.pat.expiresAt),
  text('status', (r) => r.status),
  text('comment', (r) => r.pat.comment),
  time('created_on', (r) => r.pat.createdOn),
  text('created_by', (r) => r.pat.createdBy),
  fixed(
    'mins_to_bypass_network_policy_requirement',
    (r) => (r.pat.minsToBypass === null ? null : String(r.pat.minsToBypass)),
    0,
  ),
  text('rotated_to', () => null),
];

export function showPats(a: AccountState, name: Ident | null, session: SessionContext): ResultSet {
  const user = patUser(a, name, false, session)!;
  checkPatPrivileges(a, user, session);
  const now = a.now().getTime();
  const rows = a.pats
    .filter((p) => p.user === user.name)
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
    .map((pat): PatRow => ({
      pat,
      status: pat.expiresAt.getTime() <= now ? 'EXPIRED' : user.disabled ? 'DISABLED' : 'ACTIVE',
    }));
  return tabulate(PAT_COLUMNS, rows);
}
