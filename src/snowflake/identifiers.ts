import { ActionError } from '../errors.js';

/**
 * Snowflake identifiers as users write them, resolved to the exact name Snowflake stores.
 *
 * Snowflake's rules (https://docs.snowflake.com/en/sql-reference/identifiers-syntax): an unquoted identifier
 * starts with a letter or underscore, holds letters, digits, `_` and `$`, and is stored upper-cased; a
 * double-quoted identifier keeps its case and may hold any character, `""` standing for one `"`; at most 255
 * characters. We accept both forms from users, resolve them once, and always emit the quoted form into SQL, so
 * that no name can change the statement it is placed in.
 */
const UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const MAX_LENGTH = 255;
// Control characters cannot be typed into a name on purpose; refusing them keeps logs and SQL readable.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface IdentifierContext {
  /** What the name is, for messages: `input 'target-user'` or `spec field users[0].name`. */
  source: string;
}

/** Resolves `name` as Snowflake would read it in SQL and returns the stored name. Throws a clear error. */
export function resolveIdentifier(name: string, context: IdentifierContext): string {
  const trimmed = name.trim();
  if (trimmed === '') {
    throw invalid(context, 'is empty', 'Give the name of the Snowflake object');
  }
  let resolved: string;
  if (trimmed.startsWith('"')) {
    if (trimmed.length < 2 || !trimmed.endsWith('"')) {
      throw invalid(
        context,
        `has an opening double quote without a closing one`,
        'Close the quote: "My_Name"',
      );
    }
    const inner = trimmed.slice(1, -1);
    if (inner.replace(/""/g, '').includes('"')) {
      throw invalid(
        context,
        'has a lone double quote inside quotes',
        'Write a double quote inside a quoted name as ""',
      );
    }
    resolved = inner.replace(/""/g, '"');
  } else if (UNQUOTED.test(trimmed)) {
    resolved = trimmed.toUpperCase();
  } else {
    throw invalid(
      context,
      `is not a valid unquoted Snowflake identifier: ${unquotedProblem(trimmed)} (unquoted names hold ASCII letters, digits, '_' and '$', and do not start with a digit or '$')`,
      'Use such a name, or wrap the exact, case-sensitive name in double quotes ("my-user")',
    );
  }
  if (resolved === '') {
    throw invalid(context, 'is an empty quoted name', 'Give the name of the Snowflake object');
  }
  if (characterCount(resolved) > MAX_LENGTH) {
    throw invalid(
      context,
      `is ${characterCount(resolved)} characters, longer than Snowflake's limit of ${MAX_LENGTH} characters`,
      'Use a shorter name',
    );
  }
  if (CONTROL.test(resolved)) {
    const characters = Array.from(resolved);
    const index = characters.findIndex((ch) => CONTROL.test(ch));
    throw invalid(
      context,
      `contains a control character (${describeCharacter(characters[index] ?? '')} at position ${index + 1})`,
      'Remove it; names cannot hold line breaks or tabs',
    );
  }
  return resolved;
}

/** The SQL text for an already-resolved name: always double-quoted, inner quotes doubled. */
export function quoteIdentifier(resolvedName: string): string {
  // Resolved names come from resolveIdentifier or from Snowflake itself; anything else is a bug here. A name
  // Snowflake returns may hold control characters (a quoted identifier "can contain and start with ASCII,
  // extended ASCII, and non-ASCII characters", https://docs.snowflake.com/en/sql-reference/identifiers-syntax),
  // which inside double quotes change nothing of the statement: verify quotes such names in its fixes. NUL
  // cannot be part of any name.
  // eslint-disable-next-line no-control-regex
  if (resolvedName === '' || /\u0000/.test(resolvedName) || characterCount(resolvedName) > MAX_LENGTH) {
    throw new ActionError(`Internal error: refusing to quote the identifier ${JSON.stringify(resolvedName)}`);
  }
  return `"${resolvedName.replace(/"/g, '""')}"`;
}

/**
 * A single-quoted SQL string literal. Snowflake treats backslash as an escape character inside single-quoted
 * strings (https://docs.snowflake.com/en/sql-reference/data-types-text#escape-sequences-in-single-quoted-string-constants),
 * so both `\` and `'` are escaped.
 */
export function quoteString(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000]/.test(value)) throw new ActionError('Internal error: refusing to quote a string holding NUL');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A name like `db.schema.name`, each part resolved by the identifier rules. */
export function resolveQualifiedName(name: string, parts: number, context: IdentifierContext): string[] {
  const split = splitQualified(name);
  if (split.length !== parts) {
    throw invalid(
      context,
      `should have ${parts} parts separated by dots, found ${split.length}`,
      parts === 3 ? 'Write it as database.schema.name' : `Write ${parts} dot-separated names`,
    );
  }
  return split.map((part) => resolveIdentifier(part, context));
}

/** Each dot-separated part of a name like `DB.SCHEMA."Odd name"` (as SHOW commands print them), resolved. */
export function resolveNameParts(name: string, context: IdentifierContext): string[] {
  return splitQualified(name).map((part) => resolveIdentifier(part, context));
}

/**
 * A name as SHOW prints it (`DB.SCHEMA."Odd name"`) in the spec's form: the resolved parts joined with dots.
 * A name that does not parse is kept as shown: it then matches nothing the spec declares, which is what it is.
 */
export function nameAsShown(text: string): string {
  try {
    return resolveNameParts(text, { source: 'a SHOW result' }).join('.');
  } catch {
    return text;
  }
}

function splitQualified(name: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < name.length; i++) {
    const ch = name.charAt(i);
    if (ch === '"') {
      if (quoted && name.charAt(i + 1) === '"') {
        current += '""';
        i++;
        continue;
      }
      quoted = !quoted;
      current += ch;
    } else if (ch === '.' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/**
 * Snowflake's limit is 255 characters: Unicode code points, not the UTF-16 units JavaScript's `length` counts
 * (an emoji is one character to Snowflake and two units to JavaScript).
 */
function characterCount(name: string): number {
  return Array.from(name).length;
}

/**
 * Why a name is not a valid unquoted identifier, naming the first character that does not fit: a look-alike
 * (Cyrillic 'А' in SVC_LOАDER, a fullwidth letter, a zero-width space) reads as a valid name, so its code
 * point is what tells the user what is wrong.
 */
function unquotedProblem(name: string): string {
  const characters = [...name];
  const index = characters.findIndex((ch, i) => !(i === 0 ? /^[A-Za-z_]$/ : /^[A-Za-z0-9_$]$/).test(ch));
  const ch = characters[index] ?? '';
  if (index === 0 && /^[0-9$]$/.test(ch)) return `it starts with ${describeCharacter(ch)}`;
  return `it has ${describeCharacter(ch)} at position ${index + 1}`;
}

/** `U+0410 (А)`; control and invisible characters by their code point only. */
export function describeCharacter(ch: string): string {
  const code = `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  // Control, format (zero-width) and separator characters would be invisible or break the line.
  if (/^[\p{Cc}\p{Cf}\p{Z}\p{Co}\p{Cn}]$/u.test(ch)) return ch === ' ' ? `${code} (a space)` : code;
  return `${code} (${ch})`;
}

function invalid(context: IdentifierContext, problem: string, fix: string): ActionError {
  return new ActionError(`The Snowflake name in ${context.source} ${problem}`, {
    code: 'invalid-identifier',
    hint: fix,
  });
}
