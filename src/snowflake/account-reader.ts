import { ActionError } from '../errors.js';
import { type Row, type SnowflakeSession, StatementError } from './connection.js';
import { nameAsShown, quoteIdentifier } from './identifiers.js';
import { type UserState, describeUser } from './users.js';
import { REFUSAL_CODES } from './error-codes.js';
import type { LiveGrant } from './model.js';

/**
 * The one reader of the account, for `verify` and `setup`: every read is a SHOW or DESC, parsed here, run
 * through a small pool (at most `concurrency` statements in flight) and remembered by its text, so that no
 * statement is sent twice however many checks need its answer, and each role's grants are read with one SHOW
 * GRANTS at most. Reading is done with SHOW, not ACCOUNT_USAGE, which lags by up to two hours (notes, "Result
 * shapes for grants"). A statement the session's role may not run is an answer too (a `Refusal`), so that
 * verify can report it as a finding instead of failing (setup fails on it: `settled`): Snowflake answers 003001
 * (insufficient privileges) or 002003 (does not exist or not authorized) for objects the role may not see
 * (notes, "Common codes").
 */

export interface Refusal {
  refused: true;
  /** The statement's leading words and object, never values. */
  statement: string;
  code?: string;
  reason: string;
  /** What Snowflake answered, for a caller that fails on a refusal (`settled`). */
  error: ActionError;
}

export type Answer<T> = T | Refusal;

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && (value as Refusal).refused === true;
}

/** A warehouse as SHOW WAREHOUSES reports it (notes, "Objects"). */
export interface LiveWarehouse {
  /** `X-Small` as shown, normalised to the WAREHOUSE_SIZE keyword: `XSMALL`. */
  size?: string;
  type?: string;
  /** Seconds; null: never suspends. */
  autoSuspend: number | null;
  autoResume?: boolean;
}

/** A user as SHOW USERS reports it; `visible` false when its columns are hidden from the role (NULL). */
export interface LiveUser {
  name: string;
  visible: boolean;
  type?: string;
  hasPassword?: boolean;
  hasKey?: boolean;
  hasWorkloadIdentity?: boolean;
  defaultRole?: string;
  defaultWarehouse?: string;
  defaultNamespace?: string;
  owner?: string;
}

/** A role SHOW GRANTS TO USER lists. */
export interface LiveRoleOfUser {
  /** Resolved, as the spec names roles. */
  name: string;
  /** As SHOW GRANTS printed it. */
  shownName: string;
}

export interface NetworkPolicyLists {
  allowed: string[];
  blocked: string[];
}

/** A pool of at most `size` promises in flight. */
function pool(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

export class AccountReader {
  private readonly answers = new Map<string, Promise<Answer<unknown>>>();
  private readonly limit: <T>(task: () => Promise<T>) => Promise<T>;
  /** Statements sent, for the report. */
  sent = 0;

  constructor(
    private readonly session: SnowflakeSession,
    concurrency: number,
  ) {
    this.limit = pool(Math.max(1, concurrency));
  }

  /** Sends `sql` (through `run`) once; later callers get the same answer, a refusal included. */
  private once<T>(sql: string, run: () => Promise<T>): Promise<Answer<T>> {
    let answer = this.answers.get(sql) as Promise<Answer<T>> | undefined;
    if (!answer) {
      answer = this.limit(async () => {
        this.sent++;
        try {
          return await run();
        } catch (error) {
          return refusalOf(error, sql);
        }
      });
      this.answers.set(sql, answer);
    }
    return answer;
  }

  private async map<T>(sql: string, convert: (rows: Row[]) => T): Promise<Answer<T>> {
    const rows = await this.once(sql, () => this.session.execute(sql));
    return isRefusal(rows) ? rows : convert(rows);
  }

  databases(): Promise<Answer<Set<string>>> {
    return this.map('SHOW DATABASES', namesOf);
  }

  schemas(database: string): Promise<Answer<Set<string>>> {
    return this.map(`SHOW SCHEMAS IN DATABASE ${quoteIdentifier(database)}`, namesOf);
  }

  secrets(database: string, schema: string): Promise<Answer<Set<string>>> {
    return this.map(
      `SHOW SECRETS IN SCHEMA ${quoteIdentifier(database)}.${quoteIdentifier(schema)}`,
      namesOf,
    );
  }

  roles(): Promise<Answer<Set<string>>> {
    return this.map('SHOW ROLES', namesOf);
  }

  networkPolicies(): Promise<Answer<Set<string>>> {
    return this.map('SHOW NETWORK POLICIES', namesOf);
  }

  /** DESC NETWORK POLICY: `name, value` rows, lists comma-joined without spaces (notes, "Objects"). */
  networkPolicy(policy: string): Promise<Answer<NetworkPolicyLists>> {
    return this.map(`DESC NETWORK POLICY ${quoteIdentifier(policy)}`, (rows) => {
      const list = (property: string): string[] => {
        const value = rows.find((row) => String(row.name).toUpperCase() === property)?.value;
        return value === null || value === undefined || value === ''
          ? []
          : String(value)
              .split(',')
              .map((entry) => entry.trim())
              .filter(Boolean);
      };
      return { allowed: list('ALLOWED_IP_LIST'), blocked: list('BLOCKED_IP_LIST') };
    });
  }

  warehouses(): Promise<Answer<Map<string, LiveWarehouse>>> {
    return this.map('SHOW WAREHOUSES', (rows) => byName(rows, warehouseOf));
  }

  /** SHOW USERS: every user; columns other than name, created_on and owner are NULL unless the role owns it or has MANAGE GRANTS. */
  allUsers(): Promise<Answer<Map<string, LiveUser>>> {
    return this.map('SHOW USERS', (rows) => byName(rows, userOf));
  }

  /** DESC USER: key slots, fingerprints and set times (the session runs with TIMEZONE = 'UTC'). */
  describeUser(user: string): Promise<Answer<UserState>> {
    return this.once(`DESC USER ${quoteIdentifier(user)}`, () => describeUser(this.session, user));
  }

  /**
   * The network policy set on the user itself: `SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER u`, level `USER`.
   * A value with level `ACCOUNT` is the account's policy showing through, not the user's.
   */
  userNetworkPolicy(user: string): Promise<Answer<string | undefined>> {
    return this.map(`SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER ${quoteIdentifier(user)}`, (rows) => {
      const row = rows.find((r) => String(r.key).toUpperCase() === 'NETWORK_POLICY');
      if (!row || String(row.level ?? '').toUpperCase() !== 'USER') return undefined;
      return shownName(text(row.value));
    });
  }

  /** SHOW GRANTS TO ROLE: its privileges, and the roles granted to it (USAGE on a ROLE). */
  grantsToRole(role: string): Promise<Answer<LiveGrant[]>> {
    return this.map(`SHOW GRANTS TO ROLE ${quoteIdentifier(role)}`, (rows) =>
      rows.map((row) => {
        const shown = String(row.name ?? '');
        const on = String(row.granted_on ?? '').replace(/_/g, ' ');
        return {
          privilege: String(row.privilege ?? ''),
          on,
          name: on === 'ACCOUNT' ? '' : (shownName(shown) ?? shown),
          shownName: shown,
        };
      }),
    );
  }

  /** SHOW GRANTS TO USER: the roles granted to it (column `role` since the 2025_01 bundle, `name` before... both tolerated). */
  rolesOfUser(user: string): Promise<Answer<LiveRoleOfUser[]>> {
    return this.map(`SHOW GRANTS TO USER ${quoteIdentifier(user)}`, (rows) =>
      rows.map((row) => {
        const shown = String(row.role ?? row.name ?? '');
        return { name: shownName(shown) ?? '', shownName: shown };
      }),
    );
  }
}

/** The answer, or the refusal's error thrown: for a caller that cannot go on without it. */
export function settled<T>(answer: Answer<T>): T {
  if (isRefusal(answer)) throw answer.error;
  return answer;
}

function refusalOf(error: unknown, sql: string): Refusal {
  const code = error instanceof StatementError ? error.snowflakeCode : (error as ActionError)?.code;
  if (!(error instanceof ActionError) || !REFUSAL_CODES.has(code ?? '')) throw error;
  return {
    refused: true,
    statement: sql,
    code,
    reason: error instanceof StatementError ? error.reason : error.message,
    error,
  };
}

function byName<T>(rows: Row[], convert: (row: Row) => T): Map<string, T> {
  return new Map(rows.map((row) => [String(row.name), convert(row)]));
}

function warehouseOf(row: Row): LiveWarehouse {
  const suspend = text(row.auto_suspend);
  return {
    size: text(row.size) === undefined ? undefined : warehouseSizeKeyword(String(row.size)),
    type: text(row.type)?.toUpperCase(),
    // 0 and NULL both mean "never" (CREATE WAREHOUSE, AUTO_SUSPEND).
    autoSuspend: suspend === undefined || Number(suspend) === 0 ? null : Number(suspend),
    autoResume: flag(row.auto_resume),
  };
}

function userOf(row: Row): LiveUser {
  return {
    name: String(row.name),
    // login_name is never NULL for a user the role may see in full.
    visible: text(row.login_name) !== undefined,
    type: text(row.type)?.toUpperCase(),
    hasPassword: flag(row.has_password),
    hasKey: flag(row.has_rsa_public_key),
    hasWorkloadIdentity: flag(row.has_workload_identity),
    defaultRole: shownName(text(row.default_role)),
    defaultWarehouse: shownName(text(row.default_warehouse)),
    defaultNamespace: shownName(text(row.default_namespace)),
    owner: text(row.owner),
  };
}

const namesOf = (rows: Row[]): Set<string> => new Set(rows.map((row) => String(row.name)));

function text(value: unknown): string | undefined {
  return value === null || value === undefined || value === '' || value === 'null'
    ? undefined
    : String(value);
}

function flag(value: unknown): boolean | undefined {
  const shown = text(value);
  return shown === undefined ? undefined : shown.toLowerCase() === 'true';
}

function shownName(value: string | undefined): string | undefined {
  return value === undefined ? undefined : nameAsShown(value);
}

/** SHOW WAREHOUSES' `X-Small`, `2X-Large` as the WAREHOUSE_SIZE keywords the spec uses (`XSMALL`, `XXLARGE`). */
function warehouseSizeKeyword(shown: string): string {
  const compact = shown.replace(/[-\s]/g, '').toUpperCase();
  const map: Record<string, string> = {
    '2XLARGE': 'XXLARGE',
    '3XLARGE': 'XXXLARGE',
    '4XLARGE': 'X4LARGE',
    '5XLARGE': 'X5LARGE',
    '6XLARGE': 'X6LARGE',
  };
  return map[compact] ?? compact;
}
