// Tokenizer for the statements the emulator runs.
//
// Lexical rules follow Snowflake's documentation ("Identifier requirements", "String & binary
// data types: string constants"):
// - unquoted identifiers start with a letter or underscore, continue with letters, digits, `_`
//   and `$`, and are stored upper-cased;
// - double-quoted identifiers keep their case exactly; `""` inside stands for one `"`;
// - string constants are single-quoted, `''` stands for one `'`, and backslash escapes
//   (`\'`, `\\`, `\n`, `\t`, `\r`, `\b`, `\f`, `\0`) are decoded; `$$...$$` is a raw string;
// - comments are `-- ...`, `// ...` and `/* ... */`;
// - an identifier, quoted or not, has at most 255 characters ("Regardless of whether an identifier
//   is unquoted or double-quoted, the maximum number of characters allowed is 255 (including blank
//   spaces)", https://docs.snowflake.com/en/sql-reference/identifiers-syntax); the limit applies to
//   each part of a qualified name. Characters are Unicode code points (an emoji is one).
//   Snowflake's message for a longer one is `Object name '...' exceeds maximum length limit of 255
//   characters` (reported from a live account); its code is our guess.
// A syntax error is reported as Snowflake does, naming the 1-based line, the 0-based position in
// that line, and the offending token (`<EOF>` at the end of the text).

import { SfError, syntaxError } from './errors.js';

export interface Pos {
  offset: number;
  line: number;
  col: number;
}

export type Token =
  | { kind: 'word'; text: string; upper: string; pos: Pos }
  | { kind: 'qident'; text: string; value: string; pos: Pos }
  | { kind: 'string'; text: string; value: string; pos: Pos }
  | { kind: 'number'; text: string; pos: Pos }
  | { kind: 'punct'; text: string; pos: Pos }
  | { kind: 'eof'; text: string; pos: Pos };

const PUNCT = new Set(['(', ')', ',', '=', ';', '.', '*', '-', '+']);

export function tokenize(sql: string): Token[] {
  return new Lexer(sql).tokens();
}

const STRING_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

/** Reads the text left to right into tokens, keeping the line and column of each for syntax errors. */
class Lexer {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private readonly out: Token[] = [];

  constructor(private readonly sql: string) {}

  tokens(): Token[] {
    while (this.i < this.sql.length) {
      if (this.skipSpaceOrComment()) continue;
      const c = this.sql[this.i]!;
      if (/[A-Za-z_]/.test(c)) this.word();
      else if (/[0-9]/.test(c)) this.number();
      else if (c === '"') this.quotedIdentifier();
      else if (c === '$' && this.sql[this.i + 1] === '$') this.dollarString();
      else if (c === "'") this.string();
      else if (PUNCT.has(c)) this.push('punct', c, this.i + 1);
      else this.fail(this.i, c);
    }
    this.out.push({ kind: 'eof', text: '<EOF>', pos: this.pos(this.sql.length) });
    return this.out;
  }

  private pos(offset: number): Pos {
    return { offset, line: this.line, col: offset - this.lineStart };
  }

  private newline(at: number): void {
    this.line += 1;
    this.lineStart = at + 1;
  }

  /** Counts the line breaks in `[from, to)`. */
  private newlines(from: number, to: number): void {
    for (let k = from; k < to; k += 1) if (this.sql[k] === '\n') this.newline(k);
  }

  private fail(offset: number, near: string): never {
    const p = this.pos(offset);
    throw syntaxError(p.line, p.col, near);
  }

  /** A token of the text from the current offset to `end`, which becomes the current offset. */
  private push(kind: 'word' | 'number' | 'punct', text: string, end: number): void {
    const pos = this.pos(this.i);
    if (kind === 'word') this.out.push({ kind, text, upper: text.toUpperCase(), pos });
    else this.out.push({ kind, text, pos });
    this.i = end;
  }

  private skipSpaceOrComment(): boolean {
    const { sql, i } = this;
    const c = sql[i]!;
    if (c === '\n') {
      this.newline(i);
      this.i += 1;
    } else if (/\s/.test(c)) this.i += 1;
    else if ((c === '-' && sql[i + 1] === '-') || (c === '/' && sql[i + 1] === '/')) {
      while (this.i < sql.length && sql[this.i] !== '\n') this.i += 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) this.fail(i, '<EOF>');
      this.newlines(i, end);
      this.i = end + 2;
    } else return false;
    return true;
  }

  private word(): void {
    let j = this.i + 1;
    while (j < this.sql.length && /[A-Za-z0-9_$]/.test(this.sql[j]!)) j += 1;
    const text = this.sql.slice(this.i, j);
    checkIdentifierLength(text.toUpperCase());
    this.push('word', text, j);
  }

  private number(): void {
    let j = this.i + 1;
    while (j < this.sql.length && /[0-9.]/.test(this.sql[j]!)) j += 1;
    this.push('number', this.sql.slice(this.i, j), j);
  }

  /**
   * The text between `quote` and the next lone `quote` (a doubled one stands for one), with backslash
   * escapes decoded when `escapes` is set; returns it and the offset of the closing quote.
   */
  private quoted(quote: '"' | "'", escapes: boolean): { value: string; close: number } {
    const { sql } = this;
    let j = this.i + 1;
    let value = '';
    for (;;) {
      if (j >= sql.length) this.fail(this.i, '<EOF>');
      const d = sql[j]!;
      if (d === quote) {
        if (sql[j + 1] !== quote) return { value, close: j };
        value += quote;
        j += 2;
      } else if (escapes && d === '\\' && j + 1 < sql.length) {
        const e = sql[j + 1]!;
        value += STRING_ESCAPES[e] ?? e;
        j += 2;
      } else {
        if (d === '\n') this.newline(j);
        value += d;
        j += 1;
      }
    }
  }

  private quotedIdentifier(): void {
    const pos = this.pos(this.i);
    const { value, close } = this.quoted('"', false);
    if (value === '') this.fail(this.i, '""');
    checkIdentifierLength(value);
    this.out.push({ kind: 'qident', text: this.sql.slice(this.i, close + 1), value, pos });
    this.i = close + 1;
  }

  private string(): void {
    const pos = this.pos(this.i);
    const { value, close } = this.quoted("'", true);
    this.out.push({ kind: 'string', text: this.sql.slice(this.i, close + 1), value, pos });
    this.i = close + 1;
  }

  private dollarString(): void {
    const { sql, i } = this;
    const pos = this.pos(i);
    const end = sql.indexOf('$$', i + 2);
    if (end < 0) this.fail(i, '<EOF>');
    this.newlines(i, end);
    this.out.push({ kind: 'string', text: sql.slice(i, end + 2), value: sql.slice(i + 2, end), pos });
    this.i = end + 2;
  }
}

/** Snowflake's limit on one identifier: 255 characters (code points), quoted or not (see the header). */
const MAX_IDENTIFIER_LENGTH = 255;

function checkIdentifierLength(name: string): void {
  if (Array.from(name).length <= MAX_IDENTIFIER_LENGTH) return;
  throw new SfError(
    '001003',
    '42000',
    `SQL compilation error:\nObject name '${name}' exceeds maximum length limit of ${MAX_IDENTIFIER_LENGTH} characters`,
  );
}
