// Reading tokens: words, punctuation, identifiers, literals, property lists, and syntax errors naming the
// offending token, for the parser (sql.ts).

import { syntaxError } from './errors.js';
import type { Token } from './lexer.js';
import type { Ident, ObjectType, Property, SecurableType, ShowScope, Value } from './statements.js';

export class TokenCursor {
  protected i = 0;
  constructor(protected readonly tokens: Token[]) {}

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
}
