// Errors the emulator answers with, shaped like Snowflake's: a six-digit code, a SQL state and a
// message. Where a message text was checked against public sources, the source is named at the
// constructor below; README.md lists which codes are verified and which are our best guess.

export class SfError extends Error {
  constructor(
    readonly code: string,
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
    this.name = 'SfError';
  }
}

/**
 * How Snowflake prints an identifier inside an error message: names that would survive being
 * written unquoted stay bare, others are double-quoted (seen in messages such as
 * `Schema 'TEST_DB."s_empty"' does not exist or not authorized.`).
 */
export function displayName(name: string): string {
  return /^[A-Z_][A-Z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** A qualified name as Snowflake prints it in messages: each part bare or quoted, joined by `.`. */
export function qualifiedName(parts: string[]): string {
  return parts.map(displayName).join('.');
}

/**
 * 002003 / 02000: absent, or present but invisible to the role. Schema-level names are printed
 * fully qualified (`Schema 'TEST_DB."s_empty"'`); pass the parts as an array.
 */
export function doesNotExist(
  kind:
    | 'User'
    | 'Role'
    | 'Database'
    | 'Schema'
    | 'Secret'
    | 'Network policy'
    | 'Warehouse'
    | 'Programmatic access token',
  name: string | string[],
): SfError {
  const shown = typeof name === 'string' ? displayName(name) : qualifiedName(name);
  return new SfError(
    '002003',
    '02000',
    `SQL compilation error:\n${kind} '${shown}' does not exist or not authorized.`,
  );
}

/**
 * 090105 / 090106, 22000: an unqualified name with no current database or schema:
 * `Cannot perform CREATE TABLE. This session does not have a current schema. Call 'USE SCHEMA', or
 * use a qualified name.` (wording and codes from public reports of live errors; the verb after
 * "perform" follows the statement, e.g. `CREATE TABLE`, `DROP`).
 */
export function noCurrent(what: 'database' | 'schema', command: string): SfError {
  return new SfError(
    what === 'database' ? '090105' : '090106',
    '22000',
    `Cannot perform ${command}. This session does not have a current ${what}. Call 'USE ${what.toUpperCase()}', or use a qualified name.`,
  );
}

/** 002002 / 42710: `SQL compilation error: Object 'X' already exists.` (seen for stages, tables, schemas). */
export function alreadyExists(name: string): SfError {
  return new SfError(
    '002002',
    '42710',
    `SQL compilation error:\nObject '${displayName(name)}' already exists.`,
  );
}

/** 003001 / 42501: `SQL access control error: Insufficient privileges to operate on user 'X'`. */
export function insufficientPrivileges(
  kind: 'user' | 'role' | 'account' | 'database' | 'schema' | 'secret' | 'network policy' | 'warehouse',
  name: string,
): SfError {
  return new SfError(
    '003001',
    '42501',
    // An account is named as it is (`TESTORG-TESTACCOUNT`), not as an SQL identifier.
    `SQL access control error:\nInsufficient privileges to operate on ${kind} '${kind === 'account' ? name : displayName(name)}'`,
  );
}

/** 001003 / 42000: `SQL compilation error: syntax error line L at position P unexpected 'T'.` */
export function syntaxError(line: number, position: number, near: string): SfError {
  return new SfError(
    '001003',
    '42000',
    `SQL compilation error:\nsyntax error line ${line} at position ${position} unexpected '${near}'.`,
  );
}

/** 001008 / 22023: an invalid property or value (code and wording not confirmed; see README). */
export function invalidValue(message: string): SfError {
  return new SfError('001008', '22023', `SQL compilation error:\n${message}`);
}

/**
 * 001044 / 42P13: a function called with arguments it does not take (`Invalid argument types for function 'F':
 * (VARCHAR(3))`, the shape of live messages quoted in public reports; the exact text is not confirmed: README).
 */
export function invalidArguments(name: string, args: string[]): SfError {
  const types = args.map((a) => `VARCHAR(${a.length})`).join(', ');
  return new SfError(
    '001044',
    '42P13',
    `SQL compilation error:\nInvalid argument types for function '${name}': (${types})`,
  );
}
