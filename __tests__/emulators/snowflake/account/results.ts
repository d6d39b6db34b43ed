// SHOW/DESC results described as column tables (name, type, how each cell is read from the row's object),
// turned into rows by one function; and what SHOW … LIKE lists, in which order.

import type { Cell, ColumnType, ResultSet } from './model.js';

export const bool = (b: boolean) => (b ? 'true' : 'false');

/** One column of a SHOW/DESC result: its name and type, and its cell for a row object `T`. */
export interface Column<T> {
  name: string;
  type: ColumnType;
  scale?: number;
  value: (row: T) => Cell;
}

export const text = <T>(name: string, value: (row: T) => Cell): Column<T> => ({ name, type: 'text', value });
export const fixed = <T>(name: string, value: (row: T) => Cell, scale?: number): Column<T> =>
  scale === undefined ? { name, type: 'fixed', value } : { name, type: 'fixed', scale, value };
/** A `timestamp_ltz` column with milliseconds, as every SHOW command's time columns are. */
export const time = <T>(name: string, value: (row: T) => Cell): Column<T> => ({
  name,
  type: 'timestamp_ltz',
  scale: 3,
  value,
});

/** The result of a column table over row objects, one row each, columns in table order. */
export function tabulate<T>(columns: readonly Column<T>[], items: readonly T[]): ResultSet {
  return {
    columns: columns.map(({ name, type, scale }) =>
      scale === undefined ? { name, type } : { name, type, scale },
    ),
    rows: items.map((item) => columns.map((c) => c.value(item))),
  };
}

/** The entry of a table keyed by a name from a statement (never an inherited member such as `constructor`). */
export const entryOf = <T>(table: Record<string, T>, name: string): T | undefined =>
  Object.hasOwn(table, name) ? table[name] : undefined;

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

/** What `SHOW … [LIKE '…']` keeps: every object without a pattern, else those whose name matches it. */
export function likeFilter(like: string | null): (o: { name: string }) => boolean {
  const re = like === null ? null : likeToRegExp(like);
  return (o) => !re || re.test(o.name);
}

/** The order SHOW lists account-level objects in: by name. */
export const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
