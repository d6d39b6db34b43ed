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

/** 002003 / 02000: absent, or present but invisible to the role. */
export function doesNotExist(kind: 'User' | 'Role', name: string): SfError {
  return new SfError(
    '002003',
    '02000',
    `SQL compilation error:\n${kind} '${displayName(name)}' does not exist or not authorized.`,
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
export function insufficientPrivileges(kind: 'user' | 'role' | 'account', name: string): SfError {
  return new SfError(
    '003001',
    '42501',
    `SQL access control error:\nInsufficient privileges to operate on ${kind} '${displayName(name)}'`,
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
