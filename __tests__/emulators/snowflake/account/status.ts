// The status replies of commands: one row in a `status` column, worded as Snowflake words them.

import { displayName } from '../errors.js';
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
