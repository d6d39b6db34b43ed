import { getOctokit } from '@actions/github';
import snowflake from 'snowflake-sdk';
import type { LiveConfig } from './env.js';

/**
 * The only ways the live suite reaches the services: SQL through the real snowflake-sdk as a user whose key it
 * holds, and GitHub's REST API through Octokit with the token. Nothing here knows about the emulators.
 */

snowflake.configure({ logLevel: 'OFF' });

export interface SqlError {
  code: string;
  sqlState: string;
  message: string;
}

export interface SqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

export class SqlFailure extends Error {
  constructor(
    readonly sql: string,
    readonly error: SqlError,
  ) {
    super(`${error.code} ${error.message} (in: ${sql.slice(0, 120)})`);
  }
}

export interface SnowflakeSession {
  /** Rows of one statement; rejects with SqlFailure. */
  sql(text: string): Promise<Record<string, unknown>[]>;
  /** Rows and the column names in the order the service sent them. */
  query(text: string): Promise<SqlResult>;
  /** The Snowflake error of a statement that must fail; throws if it succeeds. */
  refusal(text: string): Promise<SqlError>;
  close(): Promise<void>;
}

function errorOf(error: unknown): SqlError {
  const e = error as { code?: unknown; sqlState?: unknown; message?: unknown };
  return {
    code: String(e.code ?? ''),
    sqlState: String(e.sqlState ?? ''),
    message: String(e.message ?? error),
  };
}

export interface LoginOptions {
  user: string;
  privateKey?: string;
  token?: string;
  authenticator?: 'SNOWFLAKE_JWT' | 'PROGRAMMATIC_ACCESS_TOKEN';
  role?: string;
}

/** Logs in with the real SDK; rejects with the service's error (code, message) when the login is refused. */
export async function login(config: LiveConfig, options: LoginOptions): Promise<SnowflakeSession> {
  const connection = snowflake.createConnection({
    account: config.account,
    ...(config.snowflakeUrl ? { accessUrl: config.snowflakeUrl } : {}),
    username: options.user,
    authenticator: options.authenticator ?? 'SNOWFLAKE_JWT',
    ...(options.privateKey ? { privateKey: options.privateKey } : {}),
    ...(options.token ? { token: options.token } : {}),
    ...(options.role ? { role: options.role } : {}),
    // A refused login is final; network failures are retried a little, not for minutes.
    sfRetryMaxLoginRetries: 1,
    timeout: 60_000,
  } as snowflake.ConnectionOptions);
  await new Promise<void>((resolve, reject) =>
    connection.connect((error) => (error ? reject(new SqlFailure('login', errorOf(error))) : resolve())),
  );
  const query = (sqlText: string): Promise<SqlResult> =>
    new Promise((resolve, reject) =>
      connection.execute({
        sqlText,
        complete: (error, statement, rows) => {
          if (error) return reject(new SqlFailure(sqlText, errorOf(error)));
          const columns = (statement.getColumns() ?? []).map((column) => column.getName());
          resolve({ columns, rows: (rows ?? []) as Record<string, unknown>[] });
        },
      }),
    );
  return {
    query,
    sql: async (text) => (await query(text)).rows,
    refusal: async (text) => {
      try {
        await query(text);
      } catch (error) {
        if (error instanceof SqlFailure) return error.error;
        throw error;
      }
      throw new Error(`Expected the service to refuse: ${text}`);
    },
    close: () => new Promise<void>((resolve) => connection.destroy(() => resolve())),
  };
}

/** The admin's session, in the admin role, with the session's time zone as the service's default. */
export function adminLogin(config: LiveConfig): Promise<SnowflakeSession> {
  return login(config, {
    user: config.adminUser,
    privateKey: config.adminPrivateKey,
    role: config.adminRole,
  });
}

/** The Snowflake error code of a login attempt, or 'ok'. The session is closed at once. */
export async function loginResult(config: LiveConfig, options: LoginOptions): Promise<string> {
  try {
    const session = await login(config, options);
    await session.close();
    return 'ok';
  } catch (error) {
    if (error instanceof SqlFailure) return error.error.code;
    throw error;
  }
}

export type Octokit = ReturnType<typeof getOctokit>;

export function github(config: LiveConfig): Octokit {
  return getOctokit(config.githubToken, {
    baseUrl: config.githubApiUrl,
    headers: { 'x-github-api-version': '2022-11-28' },
    // Octokit's retry/throttle plugins are not loaded here; a failed request fails the test.
  });
}

/** The HTTP status of a GitHub request, also when it fails (Octokit throws on 4xx/5xx). */
export async function statusOf(request: Promise<{ status: number }>): Promise<number> {
  try {
    return (await request).status;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number') return status;
    throw error;
  }
}

/**
 * A name from the configuration as SQL: a plain identifier as Snowflake reads it unquoted (upper-cased), any
 * other name double-quoted as given.
 */
export function identifier(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name.toUpperCase() : quote(name);
}

export function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
