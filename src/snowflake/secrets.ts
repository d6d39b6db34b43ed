import { ActionError } from '../errors.js';
import { type SnowflakeSession, StatementError } from './connection.js';
import { quoteIdentifier, quoteString } from './identifiers.js';
import { SnowflakeErrorCode } from './error-codes.js';
import { setSecretStringStatement } from './statements.js';
import type { SnowflakeSecretName } from './model.js';

/**
 * Snowflake SECRET objects (https://docs.snowflake.com/en/sql-reference/sql/alter-secret) that also hold the
 * private key, for code running inside Snowflake. Only generic string secrets, and only existing ones:
 * creating secrets is provisioning, not rotation.
 *
 * The value travels in the text of ALTER SECRET (Snowflake documents no bind variables for it). Snowflake
 * redacts sensitive values of syntactically valid statements in query history
 * (https://docs.snowflake.com/en/release-notes/bcr-bundles/2023_01/bcr-936); the statement is always valid,
 * because the value is a quoted literal.
 *
 * Whose key a secret holds is recorded in its COMMENT, written by the same ALTER SECRET as the value (the
 * "Generic string" form takes `SET SECRET_STRING = '…' COMMENT = '…'`, ALTER SECRET page), so the two never
 * disagree because of this action. Before anything changes, prepareSnowflakeSecret checks everything that
 * ALTER SECRET needs (existence, type, ownership) and whose key the secret holds.
 */

export function describeSnowflakeSecret(secret: SnowflakeSecretName): string {
  return `snowflake-secret:${secret.database}.${secret.schema}.${secret.name}`;
}

function qualified(secret: SnowflakeSecretName): string {
  return [secret.database, secret.schema, secret.name].map(quoteIdentifier).join('.');
}

/** How a refusal names the secret: by the input that named it, like every input error. */
function named(secret: SnowflakeSecretName): string {
  return `Input 'snowflake-secret' names Snowflake secret ${qualified(secret)}`;
}

/**
 * The two spellings of a generic string secret's type: DESCRIBE SECRET's page lists `secret_type` as "OAUTH2,
 * PASSWORD, GENERIC, ..." (https://docs.snowflake.com/en/sql-reference/sql/desc-secret), the SECRETS view as
 * GENERIC_STRING (https://docs.snowflake.com/en/sql-reference/account-usage/secrets), which is also what
 * CREATE SECRET's TYPE takes. Both are accepted; the live fidelity probe records which one DESC SECRET says.
 */
const GENERIC_STRING_TYPES: readonly string[] = ['GENERIC_STRING', 'GENERIC'];

/** Whose private key a secret holds, as this action records it in the secret's COMMENT. */
export interface KeyHolder {
  /** The Snowflake user, as stored (resolved). */
  user: string;
  /** `SHA256:` fingerprint of the key's public half (public information). */
  fingerprint: string;
}

const RECORD_PREFIX = 'snowflake-keypair-action: private key of user ';
/** The record: the user double-quoted as an identifier (so any name reads back unambiguously), then the fingerprint. */
const RECORD = /snowflake-keypair-action: private key of user "((?:[^"]|"")+)", (SHA256:[A-Za-z0-9+/]{43}=)/g;

/** The record of `holder`, as it appears in a secret's COMMENT. */
export function keyHolderRecord(holder: KeyHolder): string {
  return `${RECORD_PREFIX}${quoteIdentifier(holder.user)}, ${holder.fingerprint}`;
}

/** The last record in a comment, if it has one. */
export function readKeyHolder(comment: string): KeyHolder | undefined {
  const last = [...comment.matchAll(RECORD)].at(-1);
  return last ? { user: (last[1] ?? '').replace(/""/g, '"'), fingerprint: last[2] ?? '' } : undefined;
}

/**
 * The COMMENT that records `holder`: whatever text someone else put there is kept (it is not ours to
 * overwrite), and any earlier record of ours is replaced.
 */
export function commentRecording(existing: string, holder: KeyHolder): string {
  const others = existing.replace(RECORD, ' ').replace(/\s+/g, ' ').trim();
  return others ? `${others} ${keyHolderRecord(holder)}` : keyHolderRecord(holder);
}

/** What DESC SECRET says of a secret the session's role may alter. */
export interface SnowflakeSecretState {
  secret: SnowflakeSecretName;
  /** `secret_type`, as DESC SECRET spells it (GENERIC_STRING or GENERIC). */
  type: string;
  /** The role that owns it: one active in this session. */
  owner: string;
  /** The session's primary role (CURRENT_ROLE()), which a fixing grant names. */
  role?: string;
  /** Its COMMENT, '' when it has none. */
  comment: string;
}

/**
 * Checks, before anything changes, everything ALTER SECRET needs: that the secret exists and the role may
 * see it (DESC SECRET needs USAGE on it: https://docs.snowflake.com/en/sql-reference/sql/desc-secret), that it
 * holds a generic string, and that it is owned by a role active in this session: ALTER SECRET needs OWNERSHIP
 * (secrets take no MODIFY privilege: USAGE, READ and OWNERSHIP only, "Access control privileges"), which the
 * session has through its primary role, a role that one inherits, or a secondary role. IS_ROLE_IN_SESSION
 * answers exactly that (https://docs.snowflake.com/en/sql-reference/functions/is_role_in_session; the name as
 * stored, which DESC SECRET's `owner` is).
 */
export async function checkSnowflakeSecret(
  session: SnowflakeSession,
  secret: SnowflakeSecretName,
): Promise<SnowflakeSecretState> {
  const name = qualified(secret);
  let rows;
  try {
    rows = await session.execute(`DESC SECRET ${name}`);
  } catch (error) {
    // A refusal names the grant that fixes it, so it names the role the grant is for.
    const role =
      error instanceof StatementError && error.snowflakeCode === SnowflakeErrorCode.INSUFFICIENT_PRIVILEGES
        ? await currentRole(session).catch(() => undefined)
        : undefined;
    throw translate(error, secret, 'describe', role);
  }
  const row = rows[0] ?? {};
  const type = String(row.secret_type ?? '');
  if (!GENERIC_STRING_TYPES.includes(type)) {
    throw new ActionError(
      `${named(secret)}, of type ${type || 'unknown'}, not a generic string (TYPE = GENERIC_STRING)`,
      {
        code: 'snowflake-secret-type',
        input: 'snowflake-secret',
        hint: `Name a secret created with TYPE = GENERIC_STRING, e.g. CREATE SECRET ${name} TYPE = GENERIC_STRING SECRET_STRING = ''`,
      },
    );
  }
  const owner = String(row.owner ?? '');
  const [answer] = await session.execute(
    `SELECT ${owner ? `IS_ROLE_IN_SESSION(${quoteString(owner)})` : 'FALSE'} AS "OWNER_ACTIVE", CURRENT_ROLE() AS "ROLE"`,
  );
  const active = answer?.OWNER_ACTIVE === true || String(answer?.OWNER_ACTIVE).toLowerCase() === 'true';
  if (!active) {
    const to = roleToGrant(answer?.ROLE);
    throw new ActionError(
      `${named(secret)}, which the session's role may not change: it is owned by ${owner ? `role ${owner}, which is not active in this session` : 'no role'}, and ALTER SECRET needs OWNERSHIP of it (USAGE lets a role describe it, not change it)`,
      {
        code: 'snowflake-secret-owner',
        input: 'snowflake-secret',
        hint: `Transfer it to the role this action runs as (or to a role that role inherits): GRANT OWNERSHIP ON SECRET ${name} TO ROLE ${to} COPY CURRENT GRANTS, run as ${owner ? `${owner} or ` : ''}a role with MANAGE GRANTS`,
      },
    );
  }
  const role = answer?.ROLE ? String(answer.ROLE) : undefined;
  return { secret, type, owner, role, comment: String(row.comment ?? '') };
}

/** Whose key is about to go into the secret, and what may be overwritten for it. */
export interface KeyIntent {
  /** The user the new key is for, as stored. */
  user: string;
  /** The fingerprints registered on the user now (none: it gets its first key). */
  registered: string[];
  /** `force: true`: replace what the secret holds even when it is not provably this user's key. */
  force: boolean;
}

/** A secret checked and cleared for this run's write. */
export interface PreparedSnowflakeSecret extends SnowflakeSecretState {
  /** One line for the step's log: what the secret is and whose key it holds. */
  note: string;
  /** Set when `force` lets the run replace what is not provably this user's key: worth a warning. */
  forced?: string;
}

/**
 * Everything the write needs, checked before the first change: checkSnowflakeSecret, then whose key the
 * secret holds (its COMMENT record), which must be this user's. A record naming another user is refused. A
 * secret without a record is accepted for a user that has keys (secrets written before records existed
 * hold one of them), and refused for a user that has none: nothing in it can be a key of this user.
 * `force` turns either refusal into a warning. A record of this user whose key is no longer registered is
 * accepted: that key logs in nowhere, and replacing it is what the run is for.
 */
export async function prepareSnowflakeSecret(
  session: SnowflakeSession,
  secret: SnowflakeSecretName,
  intent: KeyIntent,
): Promise<PreparedSnowflakeSecret> {
  const state = await checkSnowflakeSecret(session, secret);
  const name = qualified(secret);
  const what = `${describeSnowflakeSecret(secret)} is a generic string secret (${state.type}) owned by ${state.owner}, a role of this session`;
  const holder = readKeyHolder(state.comment);
  const user = intent.user;
  if (holder && holder.user === user) {
    const registered = intent.registered.includes(holder.fingerprint) ? 'registered' : 'no longer registered';
    return { ...state, note: `${what}; it holds a key of ${user} (${holder.fingerprint}, ${registered})` };
  }
  const refusal = holder
    ? {
        message: `${named(secret)}, which holds the private key of another user, ${holder.user} (${holder.fingerprint}, as its comment records); this run would replace it with a key of ${user}`,
        code: 'snowflake-secret-other-user',
        hint: `Check who reads this secret. If ${holder.user}'s workloads use it, give ${user} a secret of its own (CREATE SECRET <db>.<schema>.<name> TYPE = GENERIC_STRING SECRET_STRING = '', owned by this role) and name that in 'snowflake-secret'. If the key of ${holder.user} in it is stale, set 'force: true' to replace it`,
        forced: `force: true: writing the key of ${user} into Snowflake secret ${name} although its comment records the key of ${holder.user} (${holder.fingerprint})`,
      }
    : intent.registered.length === 0
      ? {
          message: `${named(secret)}, which already exists with no record of whose key it holds; ${user} has no key yet, so whatever it holds is not a key of ${user}`,
          code: 'snowflake-secret-unrecorded',
          hint: `Check who reads this secret. If it is empty or stale, set 'force: true' to store the key of ${user} in it (from then on its comment records whose key it holds); otherwise name another secret in 'snowflake-secret'`,
          forced: `force: true: writing the key of ${user} into Snowflake secret ${name} although nothing records whose key it holds, while ${user} has no key yet`,
        }
      : undefined;
  if (!refusal) {
    return {
      ...state,
      note: `${what}; nothing records whose key it holds (${user} has keys, so it may hold one written before records were kept)`,
    };
  }
  if (!intent.force) {
    throw new ActionError(refusal.message, {
      code: refusal.code,
      input: 'snowflake-secret',
      hint: refusal.hint,
    });
  }
  return {
    ...state,
    note: `${what}; ${refusal.forced}`,
    forced: refusal.forced,
  };
}

/** Writes the key and, in the same statement, the record of whose key it is. */
export async function setSnowflakeSecret(
  session: SnowflakeSession,
  prepared: SnowflakeSecretState,
  holder: KeyHolder,
  value: string,
): Promise<void> {
  const comment = commentRecording(prepared.comment, holder);
  try {
    await session.execute(setSecretStringStatement(prepared.secret, value, comment), {
      sensitive: true,
    });
  } catch (error) {
    throw translate(error, prepared.secret, 'change', prepared.role);
  }
}

/** Snowflake's refusal of DESC SECRET (`describe`, before any change) or ALTER SECRET (`change`). */
function translate(
  error: unknown,
  secret: SnowflakeSecretName,
  doing: 'describe' | 'change',
  role?: string,
): unknown {
  if (!(error instanceof StatementError)) return error;
  const name = qualified(secret);
  if (error.snowflakeCode === SnowflakeErrorCode.OBJECT_DOES_NOT_EXIST_OR_NOT_AUTHORIZED) {
    return new ActionError(
      `${named(secret)}, which does not exist, or which the session's role may not see (002003)`,
      {
        code: SnowflakeErrorCode.OBJECT_DOES_NOT_EXIST_OR_NOT_AUTHORIZED,
        input: 'snowflake-secret',
        hint: `Create it (CREATE SECRET ${name} TYPE = GENERIC_STRING SECRET_STRING = '') and grant the role USAGE on its database and schema and OWNERSHIP of it`,
      },
    );
  }
  if (error.snowflakeCode === SnowflakeErrorCode.INSUFFICIENT_PRIVILEGES) {
    return new ActionError(
      doing === 'describe'
        ? `${named(secret)}, which the session's role may not describe (003001: ${error.reason}): DESC SECRET needs USAGE on it (READ is not enough)`
        : `The session's role may not change Snowflake secret ${name} (003001: ${error.reason})`,
      {
        code: SnowflakeErrorCode.INSUFFICIENT_PRIVILEGES,
        input: 'snowflake-secret',
        hint: `ALTER SECRET needs OWNERSHIP, which includes USAGE: GRANT OWNERSHIP ON SECRET ${name} TO ROLE ${roleToGrant(role)} COPY CURRENT GRANTS`,
      },
    );
  }
  return error;
}

async function currentRole(session: SnowflakeSession): Promise<string | undefined> {
  const [row] = await session.execute('SELECT CURRENT_ROLE() AS "ROLE"');
  return row?.ROLE ? String(row.ROLE) : undefined;
}

/** The role a fixing grant names: the session's, quoted, or a placeholder when Snowflake did not say. */
function roleToGrant(role: unknown): string {
  return typeof role === 'string' && role !== '' ? quoteIdentifier(role) : '<the role this action runs as>';
}
