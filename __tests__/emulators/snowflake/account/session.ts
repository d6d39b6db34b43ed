// What a session reads and sets about itself: ALTER SESSION, SELECT of literals and context functions, and
// SHOW PARAMETERS. Sources: README.md ("Statements", "Warehouses and SHOW PARAMETERS").

import { SfError, doesNotExist, insufficientPrivileges, invalidArguments, invalidValue } from '../errors.js';
import type { ParameterScope, Property } from '../statements.js';
import type { Cell, ResultSet, SessionContext } from './model.js';
import { type Column, entryOf, likeToRegExp, tabulate, text } from './results.js';
import { ok } from './status.js';
import type { AccountState, StatementOf, Handler } from './state.js';

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function alterSessionSet(props: Property[], session: SessionContext): ResultSet {
  const updates: [string, string][] = [];
  for (const p of props) {
    let value: string;
    switch (p.value.kind) {
      case 'string':
      case 'number':
        value = p.value.value;
        break;
      case 'bool':
        value = String(p.value.value);
        break;
      case 'ident':
        value = p.value.parts.map((x) => x.name).join('.');
        break;
      default:
        throw invalidValue(`invalid value for parameter '${p.name}'`);
    }
    if (p.name === 'TIMEZONE' && !isValidTimeZone(value)) {
      throw invalidValue(`invalid value ['${value}'] for parameter 'TIMEZONE'`);
    }
    updates.push([p.name, value]);
  }
  for (const [k, v] of updates) session.params.set(k, v);
  return ok();
}

export function alterSessionUnset(names: string[], session: SessionContext): ResultSet {
  for (const name of names) session.params.delete(name);
  return ok();
}

/** The context functions SELECT answers as text, from the session and the account identifier. */
const CONTEXT_FUNCTIONS: Record<string, (session: SessionContext, account: string) => string | null> = {
  CURRENT_USER: (session) => session.user,
  CURRENT_ROLE: (session) => session.role,
  CURRENT_ACCOUNT: (_session, account) => account,
  CURRENT_ACCOUNT_NAME: (_session, account) => {
    const dash = account.indexOf('-');
    return dash > 0 ? account.slice(dash + 1) : account;
  },
  CURRENT_ORGANIZATION_NAME: (_session, account) => {
    const dash = account.indexOf('-');
    return dash > 0 ? account.slice(0, dash) : null;
  },
  CURRENT_WAREHOUSE: (session) => session.warehouse,
  CURRENT_DATABASE: (session) => session.database,
  CURRENT_SCHEMA: (session) => (session.database === null ? null : session.schema),
  CURRENT_SESSION: (session) => session.sessionId,
  CURRENT_VERSION: () => '9.0.0',
};

type Expr = StatementOf<'select'>['columns'][number]['expr'];

/** One SELECT column: its type and its value. */
function selectColumn(
  a: AccountState,
  e: Expr,
  session: SessionContext,
): { type: ResultSet['columns'][number]['type']; scale?: number; value: Cell } {
  if (e.kind === 'string') return { type: 'text', value: e.value };
  if (e.kind === 'number') {
    const scale = e.value.includes('.') ? e.value.split('.')[1]!.length : 0;
    return { type: 'fixed', scale, value: e.value };
  }
  if (e.kind === 'bool') return { type: 'boolean', value: e.value ? '1' : '0' };
  if (e.kind === 'null') return { type: 'text', value: null };
  if (e.name === 'IS_ROLE_IN_SESSION') {
    // IS_ROLE_IN_SESSION('<role>'): whether the session's active roles inherit the role; the name is
    // matched as stored, case and all (docs, "IS_ROLE_IN_SESSION": "the argument must use the same
    // case as the role name stored in Snowflake"). Secondary roles are not modelled, so the active roles
    // are the primary role's hierarchy. Expression and column arguments are not modelled.
    if (e.args?.length !== 1) throw invalidArguments(e.name, e.args ?? []);
    return { type: 'boolean', value: a.closure(session.role).has(e.args[0]!) ? '1' : '0' };
  }
  if (e.args !== undefined) throw invalidArguments(e.name, e.args);
  if (e.name === 'CURRENT_TIMESTAMP' || e.name === 'LOCALTIMESTAMP') {
    return { type: 'timestamp_ltz', scale: 9, value: a.now() };
  }
  const fn = entryOf(CONTEXT_FUNCTIONS, e.name);
  if (!fn) throw new SfError('002140', '42601', `SQL compilation error:\nUnknown function ${e.name}`);
  return { type: 'text', value: fn(session, a.accountName) };
}

export const select: Handler<'select'> = (a, s, session) => {
  const columns: ResultSet['columns'] = [];
  const row: Cell[] = [];
  for (const c of s.columns) {
    const { type, scale, value } = selectColumn(a, c.expr, session);
    columns.push(scale === undefined ? { name: c.label, type } : { name: c.label, type, scale });
    row.push(value);
  }
  return { columns, rows: [row] };
};

// ---------------------------------------------------------------- SHOW PARAMETERS
//
// Only NETWORK_POLICY is modelled, at the account level and on users (docs, "SHOW PARAMETERS";
// the Terraform provider reads a user's policy as the NETWORK_POLICY user object parameter).

interface ParameterRow {
  value: string | null;
  level: string;
  description: string;
}

const PARAMETER_COLUMNS: Column<ParameterRow>[] = [
  text('key', () => 'NETWORK_POLICY'),
  text('value', (r) => r.value ?? ''),
  text('default', () => ''),
  text('level', (r) => r.level),
  text('description', (r) => r.description),
  text('type', () => 'STRING'),
];

/** The NETWORK_POLICY parameter in the scope SHOW PARAMETERS names. */
function networkPolicyParameter(
  a: AccountState,
  scope: ParameterScope,
  session: SessionContext,
): ParameterRow {
  if (scope?.kind === 'ACCOUNT') {
    const value = a.accountNetworkPolicy;
    return {
      value,
      level: value === null ? '' : 'ACCOUNT',
      description: 'Network policy assigned for the account.',
    };
  }
  if (scope?.kind === 'USER') {
    const name = scope.name?.name ?? session.user;
    if (name === null) throw invalidValue('SHOW PARAMETERS IN USER needs a user name outside a user session');
    const user = a.users.get(name);
    if (!user) throw doesNotExist('User', name);
    // Our choice, by analogy with DESC USER: the user itself or a role owning it.
    if (session.user !== user.name && !a.owns(session.role, 'USER', user.name)) {
      throw insufficientPrivileges('user', user.name);
    }
    // A user's own policy wins; otherwise the account's shows through with level ACCOUNT (the
    // documented parameter hierarchy; our reading for this parameter).
    const value = user.networkPolicy ?? a.accountNetworkPolicy;
    return {
      value,
      level: user.networkPolicy !== null ? 'USER' : value === null ? '' : 'ACCOUNT',
      description: 'Network policy assigned for the given target.',
    };
  }
  throw invalidValue(
    `SHOW PARAMETERS ${scope === null ? '(IN SESSION)' : `IN ${scope.kind === 'OTHER' ? scope.word : scope.kind}`} is not modelled by the emulator (only IN ACCOUNT and IN USER, NETWORK_POLICY)`,
  );
}

export function showParameters(
  a: AccountState,
  like: string | null,
  scope: ParameterScope,
  session: SessionContext,
): ResultSet {
  const parameter = networkPolicyParameter(a, scope, session);
  const re = like === null ? null : likeToRegExp(like);
  return tabulate(PARAMETER_COLUMNS, !re || re.test('NETWORK_POLICY') ? [parameter] : []);
}
