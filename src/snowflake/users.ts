import { ActionError } from '../errors.js';
import { fingerprintOf } from '../keys.js';
import { type SnowflakeSession, StatementError } from './connection.js';
import { quoteIdentifier } from './identifiers.js';
import { setKeySlotStatement, unsetKeySlotStatement } from './statements.js';
import { SnowflakeErrorCode } from './error-codes.js';
import type { KeySlot, SlotName } from './model.js';

/** Snowflake's two public-key slots (https://docs.snowflake.com/en/user-guide/key-pair-auth#configuring-key-pair-rotation). */

export interface UserState {
  name: string;
  /** What the user logs in as; may differ from its name (`CREATE USER x LOGIN_NAME = 'y'`). */
  loginName: string;
  slots: Record<SlotName, KeySlot>;
}

/**
 * Reads a user with DESC USER. Properties are read by name and extra rows are ignored, since Snowflake adds
 * rows in behaviour-change bundles. The session must use TIMEZONE = 'UTC' (the connector sets it): the
 * LAST_SET_TIME values are zone-less text.
 */
export async function describeUser(session: SnowflakeSession, user: string): Promise<UserState> {
  let rows;
  try {
    rows = await session.execute(`DESC USER ${quoteIdentifier(user)}`);
  } catch (error) {
    throw translateUserError(error, user, 'describe');
  }
  const properties = new Map<string, string | undefined>();
  for (const row of rows) {
    const property = String(row.property ?? row.PROPERTY ?? '');
    const value = row.value ?? row.VALUE;
    properties.set(
      property,
      value === null || value === undefined || value === 'null' ? undefined : String(value),
    );
  }
  const slot = (name: SlotName): KeySlot => {
    const body = properties.get(name)?.replace(/\s+/g, '') || undefined;
    return {
      slot: name,
      publicKeyBody: body,
      fingerprint: body ? (properties.get(`${name}_FP`) ?? fingerprintOf(body)) : undefined,
      lastSetAt: parseSnowflakeUtcTime(properties.get(`${name}_LAST_SET_TIME`)),
    };
  };
  const name = properties.get('NAME') ?? user;
  return {
    name,
    loginName: properties.get('LOGIN_NAME') ?? name,
    slots: { RSA_PUBLIC_KEY: slot('RSA_PUBLIC_KEY'), RSA_PUBLIC_KEY_2: slot('RSA_PUBLIC_KEY_2') },
  };
}

export async function setKeySlot(
  session: SnowflakeSession,
  user: string,
  slot: SlotName,
  body: string,
): Promise<void> {
  try {
    await session.execute(setKeySlotStatement(user, slot, body));
  } catch (error) {
    throw translateUserError(error, user, 'modify');
  }
}

export async function unsetKeySlot(session: SnowflakeSession, user: string, slot: SlotName): Promise<void> {
  try {
    await session.execute(unsetKeySlotStatement(user, slot));
  } catch (error) {
    throw translateUserError(error, user, 'modify');
  }
}

/** Puts a slot back the way it was: the previous body, or empty. */
export async function restoreKeySlot(
  session: SnowflakeSession,
  user: string,
  previous: KeySlot,
): Promise<void> {
  if (previous.publicKeyBody) await setKeySlot(session, user, previous.slot, previous.publicKeyBody);
  else await unsetKeySlot(session, user, previous.slot);
}

/**
 * `2020-10-08 01:33:13.43` (UTC, fraction optional) -> Date. Snowflake's sentinels for "never"
 * (`292278994-08-17 ...`, `1969-12-31 23:59:59.999`) and unparsable text give undefined.
 */
export function parseSnowflakeUtcTime(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction] = match;
  const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  const time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (time <= 0) return undefined;
  return new Date(time);
}

function translateUserError(error: unknown, user: string, action: 'describe' | 'modify'): unknown {
  if (!(error instanceof StatementError)) return error;
  const quoted = quoteIdentifier(user);
  if (error.snowflakeCode === SnowflakeErrorCode.OBJECT_DOES_NOT_EXIST_OR_NOT_AUTHORIZED) {
    return new ActionError(
      `Snowflake user ${user} does not exist, or the session's role may not see it (002003)`,
      {
        code: SnowflakeErrorCode.OBJECT_DOES_NOT_EXIST_OR_NOT_AUTHORIZED,
        hint: `Check 'target-user'; if the user exists, grant the role OWNERSHIP of it (GRANT OWNERSHIP ON USER ${quoted} TO ROLE <role> COPY CURRENT GRANTS)`,
      },
    );
  }
  if (error.snowflakeCode === SnowflakeErrorCode.INSUFFICIENT_PRIVILEGES) {
    return new ActionError(
      `The session's role may not ${action} Snowflake user ${user} (003001: ${error.reason})`,
      {
        code: SnowflakeErrorCode.INSUFFICIENT_PRIVILEGES,
        hint:
          action === 'describe'
            ? `Grant the role OWNERSHIP of the user: GRANT OWNERSHIP ON USER ${quoted} TO ROLE <role> COPY CURRENT GRANTS`
            : `Grant the role OWNERSHIP of the user, or GRANT MODIFY PROGRAMMATIC AUTHENTICATION METHODS ON USER ${quoted} TO ROLE <role>`,
      },
    );
  }
  return error;
}
