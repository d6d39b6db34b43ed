// The status replies of commands: one row in a `status` column, worded as Snowflake words them.

import { alreadyExists, displayName } from '../errors.js';
import type { ResultSet } from './model.js';

export const ok = (message = 'Statement executed successfully.'): ResultSet => ({
  columns: [{ name: 'status', type: 'text' }],
  rows: [[message]],
});

/** The status of `CREATE … IF NOT EXISTS` when the object exists. */
export const existedOk = (name: string) => ok(`${displayName(name)} already exists, statement succeeded.`);
/** The status of `DROP … IF EXISTS` when the object does not. */
export const alreadyDropped = (name: string) =>
  ok(`Drop statement executed successfully (${displayName(name)} already dropped).`);
export const dropped = (name: string) => ok(`${displayName(name)} successfully dropped.`);
export const created = (kind: string, name: string) =>
  ok(`${kind} ${displayName(name)} successfully created.`);

/**
 * CREATE over an existing object: with IF NOT EXISTS, the status that it exists (nothing changes); without
 * OR REPLACE, or for an object that cannot be replaced, 002002 `Object 'N' already exists.`; else null: replace it.
 */
export function createOver(
  s: { ifNotExists: boolean; orReplace: boolean },
  name: string,
  replaceable = true,
): ResultSet | null {
  if (s.ifNotExists) return existedOk(name);
  if (!s.orReplace || !replaceable) throw alreadyExists(name);
  return null;
}
