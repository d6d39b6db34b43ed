// Parser for the statements the emulator runs (their shapes in statements.ts). Tokens come from lexer.ts,
// whose header gives the lexical rules and how a syntax error is reported.

import { SfError } from './errors.js';
import { type Token, tokenize } from './lexer.js';
import type { Expr, Ident, ParsedStatement, Property, Statement } from './statements.js';
import { TokenCursor } from './token-cursor.js';

class Parser extends TokenCursor {
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
