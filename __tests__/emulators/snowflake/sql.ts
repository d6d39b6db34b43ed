// Tokenizer and parser for the statements the emulator runs.
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

interface Pos {
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

export interface Ident {
  /** The stored name: upper-cased when written unquoted, exact when quoted. */
  name: string;
  quoted: boolean;
}

export type Value =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'ident'; parts: Ident[] }
  | { kind: 'list'; items: Value[] }
  | { kind: 'props'; props: Property[] };

export interface Property {
  /** Property names are keywords: always upper-cased. */
  name: string;
  value: Value;
  token: Token;
}

export type Expr =
  /** A function call; `args` holds its string literal arguments (the only kind of argument modelled). */
  | { kind: 'fn'; name: string; args?: string[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' };

export type ObjectType = 'USER' | 'ROLE';

/** Databases, warehouses and the schema-level objects the emulator models. */
export type SecurableType = 'DATABASE' | 'SCHEMA' | 'SECRET' | 'WAREHOUSE';

/** Where SHOW PARAMETERS looks: `IN SESSION`, `IN ACCOUNT`, `IN USER [u]`; null without IN. */
export type ParameterScope =
  | { kind: 'SESSION' }
  | { kind: 'ACCOUNT' }
  | { kind: 'USER'; name: Ident | null }
  | { kind: 'OTHER'; word: string }
  | null;

/** Where SHOW SECRETS looks: `IN ACCOUNT`, `IN DATABASE [d]`, `IN SCHEMA [s]`, or the default. */
export type ShowScope =
  | { kind: 'ACCOUNT' }
  | { kind: 'DATABASE'; name: Ident[] | null }
  | { kind: 'SCHEMA'; name: Ident[] | null }
  | null;

export type Statement =
  | { type: 'createUser'; orReplace: boolean; ifNotExists: boolean; name: Ident; props: Property[] }
  | { type: 'alterUserSet'; ifExists: boolean; name: Ident; props: Property[] }
  | { type: 'alterUserUnset'; ifExists: boolean; name: Ident; props: Token[] }
  | { type: 'dropUser'; ifExists: boolean; name: Ident }
  /**
   * `ALTER USER [IF EXISTS] [u] ADD {PROGRAMMATIC ACCESS TOKEN | PAT} [IF NOT EXISTS] t [props]`; `user` null:
   * the session's user (https://docs.snowflake.com/en/sql-reference/sql/alter-user-add-programmatic-access-token).
   */
  | {
      type: 'addPat';
      ifExists: boolean;
      user: Ident | null;
      ifNotExists: boolean;
      name: Ident;
      props: Property[];
    }
  /**
   * `ALTER USER [IF EXISTS] [u] REMOVE {PROGRAMMATIC ACCESS TOKEN | PAT} [IF EXISTS] t`
   * (https://docs.snowflake.com/en/sql-reference/sql/alter-user-remove-programmatic-access-token).
   */
  | { type: 'removePat'; ifExists: boolean; user: Ident | null; tokenIfExists: boolean; name: Ident }
  /**
   * `SHOW USER {PROGRAMMATIC ACCESS TOKENS | PATS} [FOR USER u]`
   * (https://docs.snowflake.com/en/sql-reference/sql/show-user-programmatic-access-tokens).
   */
  | { type: 'showPats'; user: Ident | null }
  | { type: 'descUser'; name: Ident }
  | { type: 'showUsers'; like: string | null }
  | { type: 'createRole'; orReplace: boolean; ifNotExists: boolean; name: Ident; comment: string | null }
  | { type: 'dropRole'; ifExists: boolean; name: Ident }
  | { type: 'showRoles'; like: string | null }
  | { type: 'grantRole'; role: Ident; granteeType: ObjectType; grantee: Ident }
  | { type: 'revokeRole'; role: Ident; granteeType: ObjectType; grantee: Ident }
  | {
      type: 'grantOwnership';
      onType: ObjectType | 'NETWORK_POLICY';
      on: Ident;
      to: Ident;
      currentGrants: 'COPY' | 'REVOKE' | null;
    }
  | {
      type: 'grantPrivileges';
      privileges: string[];
      onType: 'USER' | 'ACCOUNT';
      on: Ident | null;
      to: Ident;
      withGrantOption: boolean;
    }
  | {
      type: 'revokePrivileges';
      privileges: string[];
      onType: 'USER' | 'ACCOUNT';
      on: Ident | null;
      from: Ident;
    }
  | {
      type: 'showGrants';
      mode: 'toUser' | 'toRole' | 'ofRole' | 'onUser' | 'onRole' | 'onAccount' | 'onNetworkPolicy';
      name: Ident | null;
    }
  | { type: 'useRole'; role: Ident }
  | { type: 'useDatabase'; name: Ident }
  | { type: 'useSchema'; name: Ident[] }
  | {
      type: 'createDatabase' | 'createSchema';
      orReplace: boolean;
      ifNotExists: boolean;
      /** One part for a database; one or two (`d.s`) for a schema. */
      name: Ident[];
      props: Property[];
    }
  | { type: 'showDatabases'; like: string | null }
  /** `DROP DATABASE [IF EXISTS] d [CASCADE | RESTRICT]` (https://docs.snowflake.com/en/sql-reference/sql/drop-database). */
  | { type: 'dropDatabase'; ifExists: boolean; name: Ident }
  | { type: 'showSchemas'; like: string | null; in: ShowScope }
  | { type: 'createSecret'; orReplace: boolean; ifNotExists: boolean; name: Ident[]; props: Property[] }
  | { type: 'alterSecretSet'; ifExists: boolean; name: Ident[]; props: Property[] }
  | { type: 'alterSecretUnset'; ifExists: boolean; name: Ident[]; names: string[] }
  | { type: 'descSecret'; name: Ident[] }
  | { type: 'dropSecret'; ifExists: boolean; name: Ident[] }
  | { type: 'showSecrets'; like: string | null; in: ShowScope }
  | {
      type: 'grantObjectOwnership';
      objectType: SecurableType;
      on: Ident[];
      to: Ident;
      currentGrants: 'COPY' | 'REVOKE' | null;
    }
  | {
      type: 'grantObjectPrivileges';
      privileges: string[];
      objectType: SecurableType;
      on: Ident[];
      to: Ident;
      withGrantOption: boolean;
    }
  | {
      type: 'revokeObjectPrivileges';
      privileges: string[];
      objectType: SecurableType;
      on: Ident[];
      from: Ident;
    }
  | { type: 'showGrantsOnObject'; objectType: SecurableType; on: Ident[] }
  | {
      type: 'createNetworkPolicy';
      orReplace: boolean;
      ifNotExists: boolean;
      name: Ident;
      props: Property[];
    }
  | { type: 'alterNetworkPolicySet'; ifExists: boolean; name: Ident; props: Property[] }
  | { type: 'alterNetworkPolicyUnset'; ifExists: boolean; name: Ident; names: string[] }
  | { type: 'descNetworkPolicy'; name: Ident }
  | { type: 'dropNetworkPolicy'; ifExists: boolean; name: Ident }
  | { type: 'showNetworkPolicies'; like: string | null }
  | {
      type: 'createWarehouse';
      orReplace: boolean;
      ifNotExists: boolean;
      name: Ident;
      props: Property[];
    }
  | { type: 'alterWarehouseSet'; ifExists: boolean; name: Ident; props: Property[] }
  | { type: 'dropWarehouse'; ifExists: boolean; name: Ident }
  | { type: 'showWarehouses'; like: string | null }
  | { type: 'useWarehouse'; name: Ident }
  | { type: 'showParameters'; like: string | null; in: ParameterScope }
  | { type: 'alterAccountSet'; props: Property[] }
  | { type: 'alterAccountUnset'; names: string[] }
  | { type: 'alterSessionSet'; props: Property[] }
  | { type: 'alterSessionUnset'; names: string[] }
  | { type: 'select'; columns: { expr: Expr; label: string }[] };

export interface ParsedStatement {
  statement: Statement;
  /** The statement's own text, as the client sent it, without the separator. */
  text: string;
}

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
export const MAX_IDENTIFIER_LENGTH = 255;

function checkIdentifierLength(name: string): void {
  if (Array.from(name).length <= MAX_IDENTIFIER_LENGTH) return;
  throw new SfError(
    '001003',
    '42000',
    `SQL compilation error:\nObject name '${name}' exceeds maximum length limit of ${MAX_IDENTIFIER_LENGTH} characters`,
  );
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i += 1;
    return t;
  }

  fail(t: Token = this.peek()): never {
    throw syntaxError(t.pos.line, t.pos.col, t.text);
  }

  isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'word' && t.upper === word;
  }

  acceptWord(...words: string[]): boolean {
    for (let k = 0; k < words.length; k += 1) if (!this.isWord(words[k]!, k)) return false;
    this.i += words.length;
    return true;
  }

  expectWord(...words: string[]): void {
    for (const w of words) {
      if (!this.isWord(w)) this.fail();
      this.i += 1;
    }
  }

  isPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === p;
  }

  acceptPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.i += 1;
    return true;
  }

  expectPunct(p: string): void {
    if (!this.acceptPunct(p)) this.fail();
  }

  atEnd(): boolean {
    const t = this.peek();
    return t.kind === 'eof' || (t.kind === 'punct' && t.text === ';');
  }

  ident(): Ident {
    const t = this.peek();
    if (t.kind === 'word') {
      this.i += 1;
      return { name: t.upper, quoted: false };
    }
    if (t.kind === 'qident') {
      this.i += 1;
      return { name: t.value, quoted: true };
    }
    return this.fail();
  }

  dottedIdent(max = Number.POSITIVE_INFINITY): Ident[] {
    const parts = [this.ident()];
    while (parts.length < max && this.acceptPunct('.')) parts.push(this.ident());
    return parts;
  }

  /** `DATABASE`, `WAREHOUSE`, `SCHEMA` or `SECRET` followed by a name of at most 1, 1, 2 or 3 parts. */
  securable(): { objectType: SecurableType; on: Ident[] } | null {
    for (const [word, max] of [
      ['DATABASE', 1],
      ['WAREHOUSE', 1],
      ['SCHEMA', 2],
      ['SECRET', 3],
    ] as const) {
      if (this.acceptWord(word)) return { objectType: word, on: this.dottedIdent(max) };
    }
    return null;
  }

  /** `IN ACCOUNT | IN [DATABASE] d | IN SCHEMA [d.]s | IN d.s`, or nothing. */
  showScope(): ShowScope {
    if (!this.acceptWord('IN')) return null;
    if (this.acceptWord('ACCOUNT')) return { kind: 'ACCOUNT' };
    if (this.acceptWord('DATABASE')) {
      return this.atEnd()
        ? { kind: 'DATABASE', name: null }
        : { kind: 'DATABASE', name: this.dottedIdent(1) };
    }
    if (this.acceptWord('SCHEMA')) {
      return this.atEnd() ? { kind: 'SCHEMA', name: null } : { kind: 'SCHEMA', name: this.dottedIdent(2) };
    }
    const name = this.dottedIdent(2);
    return name.length === 1 ? { kind: 'DATABASE', name } : { kind: 'SCHEMA', name };
  }

  string(): string {
    const t = this.peek();
    if (t.kind !== 'string') this.fail();
    this.i += 1;
    return t.value;
  }

  value(): Value {
    const t = this.peek();
    if (t.kind === 'string') {
      this.i += 1;
      return { kind: 'string', value: t.value };
    }
    if (t.kind === 'number') {
      this.i += 1;
      return { kind: 'number', value: t.text };
    }
    if (t.kind === 'punct' && t.text === '-' && this.peek(1).kind === 'number') {
      this.i += 1;
      return { kind: 'number', value: `-${this.next().text}` };
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.i += 1;
      const first = this.peek();
      const second = this.peek(1);
      if (first.kind === 'word' && second.kind === 'punct' && second.text === '=') {
        const props = this.properties(() => this.isPunct(')'));
        this.expectPunct(')');
        return { kind: 'props', props };
      }
      const items: Value[] = [];
      if (!this.isPunct(')')) {
        items.push(this.value());
        while (this.acceptPunct(',')) items.push(this.value());
      }
      this.expectPunct(')');
      return { kind: 'list', items };
    }
    if (t.kind === 'word') {
      if (t.upper === 'TRUE' || t.upper === 'FALSE') {
        this.i += 1;
        return { kind: 'bool', value: t.upper === 'TRUE' };
      }
      if (t.upper === 'NULL') {
        this.i += 1;
        return { kind: 'null' };
      }
    }
    if (t.kind === 'word' || t.kind === 'qident') return { kind: 'ident', parts: this.dottedIdent() };
    return this.fail();
  }

  /** `NAME = value` pairs separated by blanks (Snowflake's form) or commas (tolerated). */
  properties(stop: () => boolean): Property[] {
    const props: Property[] = [];
    while (!stop()) {
      const t = this.peek();
      if (t.kind !== 'word') this.fail();
      this.i += 1;
      this.expectPunct('=');
      props.push({ name: t.upper, value: this.value(), token: t });
      this.acceptPunct(',');
    }
    return props;
  }

  like(): string | null {
    if (!this.acceptWord('LIKE')) return null;
    return this.string();
  }

  objectType(): ObjectType {
    if (this.acceptWord('USER')) return 'USER';
    if (this.acceptWord('ROLE')) return 'ROLE';
    return this.fail();
  }

  /** Privilege names up to `ON`: `MODIFY PROGRAMMATIC AUTHENTICATION METHODS, CREATE USER`. */
  privileges(): string[] {
    const list: string[] = [];
    let words: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'word' && t.upper !== 'ON') {
        words.push(t.upper);
        this.i += 1;
        continue;
      }
      if (words.length === 0) this.fail();
      list.push(words.join(' '));
      words = [];
      if (this.acceptPunct(',')) continue;
      if (this.isWord('ON')) return list;
      this.fail();
    }
  }

  statement(): Statement {
    const t = this.peek();
    if (t.kind !== 'word') this.fail();
    switch (t.upper) {
      case 'CREATE':
        return this.create();
      case 'ALTER':
        return this.alter();
      case 'DROP':
        return this.drop();
      case 'DESC':
      case 'DESCRIBE':
        this.i += 1;
        if (this.acceptWord('SECRET')) return { type: 'descSecret', name: this.dottedIdent(3) };
        if (this.acceptWord('NETWORK', 'POLICY')) return { type: 'descNetworkPolicy', name: this.ident() };
        this.expectWord('USER');
        return { type: 'descUser', name: this.ident() };
      case 'SHOW':
        return this.show();
      case 'GRANT':
        return this.grant();
      case 'REVOKE':
        return this.revoke();
      case 'USE':
        return this.use();
      case 'SELECT':
        return this.select();
      default:
        return this.fail();
    }
  }

  create(): Statement {
    this.expectWord('CREATE');
    const orReplace = this.acceptWord('OR', 'REPLACE');
    // CREATE [OR REPLACE] WAREHOUSE [IF NOT EXISTS] w [[WITH] props] (docs, "CREATE WAREHOUSE"); USER alike.
    for (const [words, type, withWord] of [
      [['USER'], 'createUser', true],
      [['NETWORK', 'POLICY'], 'createNetworkPolicy', false],
      [['WAREHOUSE'], 'createWarehouse', true],
    ] as const) {
      if (!this.acceptWord(...words)) continue;
      const ifNotExists = this.acceptWord('IF', 'NOT', 'EXISTS');
      const name = this.ident();
      if (withWord) this.acceptWord('WITH');
      const props = this.properties(() => this.atEnd());
      return { type, orReplace, ifNotExists, name, props };
    }
    if (this.acceptWord('ROLE')) {
      const ifNotExists = this.acceptWord('IF', 'NOT', 'EXISTS');
      const name = this.ident();
      let comment: string | null = null;
      if (this.acceptWord('COMMENT')) {
        this.expectPunct('=');
        comment = this.string();
      }
      return { type: 'createRole', orReplace, ifNotExists, name, comment };
    }
    for (const [word, type, max] of [
      ['DATABASE', 'createDatabase', 1],
      ['SCHEMA', 'createSchema', 2],
      ['SECRET', 'createSecret', 3],
    ] as const) {
      if (!this.acceptWord(word)) continue;
      const ifNotExists = this.acceptWord('IF', 'NOT', 'EXISTS');
      const name = this.dottedIdent(max);
      const props = this.properties(() => this.atEnd());
      return { type, orReplace, ifNotExists, name, props };
    }
    return this.fail();
  }

  use(): Statement {
    this.expectWord('USE');
    if (this.acceptWord('ROLE')) return { type: 'useRole', role: this.ident() };
    if (this.acceptWord('WAREHOUSE')) return { type: 'useWarehouse', name: this.ident() };
    if (this.acceptWord('DATABASE')) return { type: 'useDatabase', name: this.ident() };
    if (this.acceptWord('SCHEMA')) return { type: 'useSchema', name: this.dottedIdent(2) };
    // `USE d` is USE DATABASE, `USE d.s` is USE SCHEMA (docs, "USE <object>").
    const name = this.dottedIdent(2);
    return name.length === 1 ? { type: 'useDatabase', name: name[0]! } : { type: 'useSchema', name };
  }

  alter(): Statement {
    this.expectWord('ALTER');
    if (this.acceptWord('SESSION')) {
      const change = this.setOrUnset();
      return 'props' in change
        ? { type: 'alterSessionSet', ...change }
        : { type: 'alterSessionUnset', ...change };
    }
    if (this.acceptWord('SECRET')) {
      const ifExists = this.acceptWord('IF', 'EXISTS');
      const name = this.dottedIdent(3);
      const change = this.setOrUnset();
      return 'props' in change
        ? { type: 'alterSecretSet', ifExists, name, ...change }
        : { type: 'alterSecretUnset', ifExists, name, ...change };
    }
    if (this.acceptWord('NETWORK', 'POLICY')) {
      const ifExists = this.acceptWord('IF', 'EXISTS');
      const name = this.ident();
      const change = this.setOrUnset();
      return 'props' in change
        ? { type: 'alterNetworkPolicySet', ifExists, name, ...change }
        : { type: 'alterNetworkPolicyUnset', ifExists, name, ...change };
    }
    if (this.acceptWord('WAREHOUSE')) {
      // ALTER WAREHOUSE [IF EXISTS] w SET … only (docs, "ALTER WAREHOUSE"; the other forms are not modelled).
      const ifExists = this.acceptWord('IF', 'EXISTS');
      const name = this.ident();
      this.expectWord('SET');
      return { type: 'alterWarehouseSet', ifExists, name, props: this.setProperties() };
    }
    if (this.acceptWord('ACCOUNT')) {
      const change = this.setOrUnset();
      return 'props' in change
        ? { type: 'alterAccountSet', ...change }
        : { type: 'alterAccountUnset', ...change };
    }
    this.expectWord('USER');
    const ifExists = this.acceptWord('IF', 'EXISTS');
    // The user name may be left out before ADD/REMOVE PROGRAMMATIC ACCESS TOKEN (the session's user).
    if (this.patClauseAhead()) return this.patClause(ifExists, null);
    const name = this.ident();
    if (this.patClauseAhead()) return this.patClause(ifExists, name);
    if (this.acceptWord('SET')) return { type: 'alterUserSet', ifExists, name, props: this.setProperties() };
    if (this.acceptWord('UNSET')) return { type: 'alterUserUnset', ifExists, name, props: this.unsetList() };
    return this.fail();
  }

  /** The properties after `SET`: at least one. */
  setProperties(): Property[] {
    const props = this.properties(() => this.atEnd());
    if (props.length === 0) this.fail();
    return props;
  }

  /** `SET` and its properties, or `UNSET` and the names to unset. */
  setOrUnset(): { props: Property[] } | { names: string[] } {
    if (this.acceptWord('SET')) return { props: this.setProperties() };
    this.expectWord('UNSET');
    return { names: this.unsetList().map((tok) => (tok.kind === 'word' ? tok.upper : tok.text)) };
  }

  /** `ADD` or `REMOVE` followed by `PROGRAMMATIC ACCESS TOKEN` or its short form `PAT`. */
  patClauseAhead(): boolean {
    if (!this.isWord('ADD') && !this.isWord('REMOVE')) return false;
    return (
      this.isWord('PAT', 1) ||
      (this.isWord('PROGRAMMATIC', 1) && this.isWord('ACCESS', 2) && this.isWord('TOKEN', 3))
    );
  }

  patClause(ifExists: boolean, user: Ident | null): Statement {
    const add = this.acceptWord('ADD');
    if (!add) this.expectWord('REMOVE');
    if (!this.acceptWord('PAT')) this.expectWord('PROGRAMMATIC', 'ACCESS', 'TOKEN');
    if (add) {
      const ifNotExists = this.acceptWord('IF', 'NOT', 'EXISTS');
      const name = this.ident();
      const props = this.properties(() => this.atEnd());
      return { type: 'addPat', ifExists, user, ifNotExists, name, props };
    }
    const tokenIfExists = this.acceptWord('IF', 'EXISTS');
    return { type: 'removePat', ifExists, user, tokenIfExists, name: this.ident() };
  }

  unsetList(): Token[] {
    const list: Token[] = [];
    do {
      const t = this.peek();
      if (t.kind !== 'word') this.fail();
      this.i += 1;
      list.push(t);
    } while (this.acceptPunct(','));
    return list;
  }

  drop(): Statement {
    this.expectWord('DROP');
    if (this.acceptWord('SECRET')) {
      const ifExists = this.acceptWord('IF', 'EXISTS');
      return { type: 'dropSecret', ifExists, name: this.dottedIdent(3) };
    }
    if (this.acceptWord('NETWORK', 'POLICY')) {
      const ifExists = this.acceptWord('IF', 'EXISTS');
      return { type: 'dropNetworkPolicy', ifExists, name: this.ident() };
    }
    if (this.acceptWord('WAREHOUSE')) {
      const ifExists = this.acceptWord('IF', 'EXISTS');
      return { type: 'dropWarehouse', ifExists, name: this.ident() };
    }
    if (this.acceptWord('DATABASE')) {
      const ifExists = this.acceptWord('IF', 'EXISTS');
      const name = this.ident();
      // CASCADE (the default) and RESTRICT differ only for foreign keys, which are not modelled.
      if (!this.acceptWord('CASCADE')) this.acceptWord('RESTRICT');
      return { type: 'dropDatabase', ifExists, name };
    }
    const type = this.objectType();
    const ifExists = this.acceptWord('IF', 'EXISTS');
    const name = this.ident();
    return type === 'USER' ? { type: 'dropUser', ifExists, name } : { type: 'dropRole', ifExists, name };
  }

  show(): Statement {
    this.expectWord('SHOW');
    if (this.acceptWord('USERS')) return { type: 'showUsers', like: this.like() };
    if (this.acceptWord('ROLES')) return { type: 'showRoles', like: this.like() };
    if (this.acceptWord('USER')) {
      if (!this.acceptWord('PATS')) this.expectWord('PROGRAMMATIC', 'ACCESS', 'TOKENS');
      return { type: 'showPats', user: this.acceptWord('FOR', 'USER') ? this.ident() : null };
    }
    if (this.acceptWord('DATABASES')) return { type: 'showDatabases', like: this.like() };
    if (this.acceptWord('NETWORK', 'POLICIES')) return { type: 'showNetworkPolicies', like: this.like() };
    if (this.acceptWord('WAREHOUSES')) return { type: 'showWarehouses', like: this.like() };
    if (this.acceptWord('PARAMETERS')) {
      // SHOW PARAMETERS [LIKE '…'] [{IN | FOR} {SESSION | ACCOUNT | USER [u] | <object> [name]}] (docs).
      const like = this.like();
      if (!this.acceptWord('IN') && !this.acceptWord('FOR'))
        return { type: 'showParameters', like, in: null };
      if (this.acceptWord('SESSION')) return { type: 'showParameters', like, in: { kind: 'SESSION' } };
      if (this.acceptWord('ACCOUNT')) return { type: 'showParameters', like, in: { kind: 'ACCOUNT' } };
      if (this.acceptWord('USER')) {
        const name = this.atEnd() ? null : this.ident();
        return { type: 'showParameters', like, in: { kind: 'USER', name } };
      }
      const t = this.peek();
      if (t.kind !== 'word') this.fail();
      this.i += 1;
      while (!this.atEnd()) this.i += 1;
      return { type: 'showParameters', like, in: { kind: 'OTHER', word: t.upper } };
    }
    if (this.acceptWord('SCHEMAS')) {
      const like = this.like();
      return { type: 'showSchemas', like, in: this.showScope() };
    }
    if (this.acceptWord('SECRETS')) {
      const like = this.like();
      return { type: 'showSecrets', like, in: this.showScope() };
    }
    this.expectWord('GRANTS');
    if (this.acceptWord('TO')) {
      const type = this.objectType();
      return { type: 'showGrants', mode: type === 'USER' ? 'toUser' : 'toRole', name: this.ident() };
    }
    if (this.acceptWord('OF')) {
      this.expectWord('ROLE');
      return { type: 'showGrants', mode: 'ofRole', name: this.ident() };
    }
    this.expectWord('ON');
    if (this.acceptWord('ACCOUNT')) return { type: 'showGrants', mode: 'onAccount', name: null };
    if (this.acceptWord('NETWORK', 'POLICY')) {
      return { type: 'showGrants', mode: 'onNetworkPolicy', name: this.ident() };
    }
    const object = this.securable();
    if (object) return { type: 'showGrantsOnObject', ...object };
    const type = this.objectType();
    return { type: 'showGrants', mode: type === 'USER' ? 'onUser' : 'onRole', name: this.ident() };
  }

  grant(): Statement {
    this.expectWord('GRANT');
    if (this.acceptWord('ROLE')) {
      const role = this.ident();
      this.expectWord('TO');
      const granteeType = this.objectType();
      return { type: 'grantRole', role, granteeType, grantee: this.ident() };
    }
    if (this.acceptWord('OWNERSHIP')) {
      this.expectWord('ON');
      const object = this.securable();
      const onType = object
        ? null
        : this.acceptWord('NETWORK', 'POLICY')
          ? 'NETWORK_POLICY'
          : this.objectType();
      const on = object ? null : this.ident();
      this.expectWord('TO');
      this.expectWord('ROLE');
      const to = this.ident();
      let currentGrants: 'COPY' | 'REVOKE' | null = null;
      if (this.acceptWord('COPY', 'CURRENT', 'GRANTS')) currentGrants = 'COPY';
      else if (this.acceptWord('REVOKE', 'CURRENT', 'GRANTS')) currentGrants = 'REVOKE';
      if (object) return { type: 'grantObjectOwnership', ...object, to, currentGrants };
      return { type: 'grantOwnership', onType: onType!, on: on!, to, currentGrants };
    }
    const privileges = this.privileges();
    this.expectWord('ON');
    const object = this.securable();
    if (object) {
      this.expectWord('TO');
      this.acceptWord('ROLE');
      const to = this.ident();
      const withGrantOption = this.acceptWord('WITH', 'GRANT', 'OPTION');
      return { type: 'grantObjectPrivileges', privileges, ...object, to, withGrantOption };
    }
    const target = this.userOrAccount();
    this.expectWord('TO');
    this.acceptWord('ROLE');
    const to = this.ident();
    const withGrantOption = this.acceptWord('WITH', 'GRANT', 'OPTION');
    return { type: 'grantPrivileges', privileges, ...target, to, withGrantOption };
  }

  revoke(): Statement {
    this.expectWord('REVOKE');
    if (this.acceptWord('ROLE')) {
      const role = this.ident();
      this.expectWord('FROM');
      const granteeType = this.objectType();
      return { type: 'revokeRole', role, granteeType, grantee: this.ident() };
    }
    const privileges = this.privileges();
    this.expectWord('ON');
    const object = this.securable();
    if (object) {
      this.expectWord('FROM');
      this.acceptWord('ROLE');
      return { type: 'revokeObjectPrivileges', privileges, ...object, from: this.ident() };
    }
    const target = this.userOrAccount();
    this.expectWord('FROM');
    this.acceptWord('ROLE');
    return { type: 'revokePrivileges', privileges, ...target, from: this.ident() };
  }

  /** What privileges are granted on besides securable objects: `ACCOUNT` or `USER u`. */
  userOrAccount(): { onType: 'USER' | 'ACCOUNT'; on: Ident | null } {
    if (this.acceptWord('ACCOUNT')) return { onType: 'ACCOUNT', on: null };
    this.expectWord('USER');
    return { onType: 'USER', on: this.ident() };
  }

  select(): Statement {
    this.expectWord('SELECT');
    const columns: { expr: Expr; label: string }[] = [];
    do {
      const item = this.selectItem();
      if (this.acceptWord('AS')) item.label = this.ident().name;
      else if (this.peek().kind === 'qident' || (this.peek().kind === 'word' && !this.isWord('FROM'))) {
        item.label = this.ident().name;
      }
      columns.push(item);
    } while (this.acceptPunct(','));
    return { type: 'select', columns };
  }

  selectItem(): { expr: Expr; label: string } {
    const t = this.peek();
    if (t.kind === 'string') {
      this.i += 1;
      // Snowflake names a column after its expression text, upper-cased.
      return { expr: { kind: 'string', value: t.value }, label: t.text.toUpperCase() };
    }
    if (t.kind === 'number') {
      this.i += 1;
      return { expr: { kind: 'number', value: t.text }, label: t.text };
    }
    if (t.kind === 'punct' && t.text === '-' && this.peek(1).kind === 'number') {
      this.i += 1;
      const n = this.next().text;
      return { expr: { kind: 'number', value: `-${n}` }, label: `-${n}` };
    }
    if (t.kind !== 'word') return this.fail();
    this.i += 1;
    if (t.upper === 'TRUE' || t.upper === 'FALSE') {
      return { expr: { kind: 'bool', value: t.upper === 'TRUE' }, label: t.upper };
    }
    if (t.upper === 'NULL') return { expr: { kind: 'null' }, label: 'NULL' };
    if (this.acceptPunct('(')) {
      // String literal arguments, as IS_ROLE_IN_SESSION('<role>') takes; the column label keeps their text.
      const args: { value: string; text: string }[] = [];
      if (this.peek().kind === 'string') {
        do {
          const arg = this.next();
          if (arg.kind !== 'string') return this.fail(arg);
          args.push({ value: arg.value, text: arg.text });
        } while (this.acceptPunct(','));
      }
      this.expectPunct(')');
      const label = `${t.upper}(${args.map((a) => a.text.toUpperCase()).join(', ')})`;
      return args.length === 0
        ? { expr: { kind: 'fn', name: t.upper }, label }
        : { expr: { kind: 'fn', name: t.upper, args: args.map((a) => a.value) }, label };
    }
    // Niladic functions that SQL allows without parentheses.
    if (['CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIMESTAMP'].includes(t.upper)) {
      return { expr: { kind: 'fn', name: t.upper }, label: t.upper };
    }
    // A bare name would be a column reference, and there is no FROM clause to resolve it against.
    throw new SfError(
      '000904',
      '42000',
      `SQL compilation error: error line ${t.pos.line} at position ${t.pos.col}\ninvalid identifier '${t.upper}'`,
    );
  }
}

/**
 * Parses a request's text into statements. A trailing `;` is allowed; empty statements between
 * separators are skipped, as Snowflake does not count them.
 */
export function parseScript(sql: string): ParsedStatement[] {
  const tokens = tokenize(sql);
  const parser = new Parser(tokens);
  const out: ParsedStatement[] = [];
  for (;;) {
    while (parser.acceptPunct(';'));
    const first = parser.peek();
    if (first.kind === 'eof') break;
    const statement = parser.statement();
    const end = parser.peek();
    if (!parser.atEnd()) parser.fail(end);
    out.push({ statement, text: sql.slice(first.pos.offset, end.pos.offset).trim() });
  }
  return out;
}
