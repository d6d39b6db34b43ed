import * as core from '@actions/core';
import type { KeyObject } from 'node:crypto';
import snowflake from 'snowflake-sdk';
import { ActionError } from '../errors.js';
import { exportPkcs8, fingerprintOf, publicKeyBody } from '../keys.js';
import { quoteIdentifier } from './identifiers.js';

export type Row = Record<string, unknown>;

export interface ProxySettings {
  protocol: 'http' | 'https';
  host: string;
  port: number;
  user?: string;
  password?: string;
  /** Hosts that bypass the proxy, as NO_PROXY lists them. */
  noProxy?: string;
}

/** One logged-in Snowflake session. */
export interface SnowflakeSession {
  /** The login name the session belongs to. */
  readonly user: string;
  /**
   * Runs one statement and returns its rows as objects keyed by column name. A `sensitive` statement
   * carries a secret in its text: its errors keep Snowflake's message only where it cannot echo the text.
   */
  execute(sql: string, options?: { sensitive?: boolean }): Promise<Row[]>;
  close(): Promise<void>;
}

export interface KeyPairLogin {
  account: string;
  url: string;
  user: string;
  role?: string;
  privateKey: KeyObject;
  proxy?: ProxySettings;
  /** How long to wait for one statement, the driver's retries included (default STATEMENT_DEADLINE_MS). */
  statementDeadlineMs?: number;
}

/** Opens sessions; modes get one passed in, so tests can count, slow down or fail logins. */
export type SnowflakeConnector = (login: KeyPairLogin) => Promise<SnowflakeSession>;

// Connection failures are retried by the SDK for up to 7 times with growing sleeps (minutes in total). Two
// retries cover a blip without leaving a scheduled job hanging. Each HTTP request gives up after a minute.
const LOGIN_RETRIES = 2;
const REQUEST_TIMEOUT_MS = 60_000;
/**
 * The SDK retries a statement on 5xx and network errors up to 1,000 times (sfRetryMaxNumRetries, not
 * settable through connection options), sleeping up to 16 s between tries: hours. We stop waiting after
 * this long and report the statement's outcome as unknown; the process exits at the end of the run, which
 * ends the SDK's retries.
 */
export const STATEMENT_DEADLINE_MS = 90_000;

let configured = false;

/**
 * Global SDK settings, applied once: its log goes to the debug log instead of `./snowflake.log` (which would
 * land in the user's workspace), and proxies apply only when we pass them explicitly.
 */
function configureSdk(): void {
  if (configured) return;
  configured = true;
  const toDebug = (message: string): void => core.debug(`snowflake-sdk: ${message}`);
  snowflake.configure({
    logLevel: 'WARN',
    customLogger: { error: toDebug, warn: toDebug, info: toDebug, debug: toDebug, trace: toDebug },
    useEnvProxy: false,
  });
}

/** The real connector: snowflake-sdk with key-pair (SNOWFLAKE_JWT) authentication. */
export function keyPairConnector(): SnowflakeConnector {
  return async (login) => {
    configureSdk();
    const deadlineMs = login.statementDeadlineMs ?? STATEMENT_DEADLINE_MS;
    const connection = snowflake.createConnection({
      account: login.account,
      accessUrl: login.url,
      username: login.user,
      // The connect string's role follows the identifier rules, like USE ROLE: quote what is not plain.
      role:
        login.role === undefined
          ? undefined
          : /^[A-Z_][A-Z0-9_$]*$/.test(login.role)
            ? login.role
            : quoteIdentifier(login.role),
      authenticator: 'SNOWFLAKE_JWT',
      privateKey: exportPkcs8(login.privateKey),
      application: 'snowflake-keypair-action',
      sfRetryMaxLoginRetries: LOGIN_RETRIES,
      timeout: REQUEST_TIMEOUT_MS,
      ...(login.proxy
        ? {
            proxyProtocol: login.proxy.protocol,
            proxyHost: login.proxy.host,
            proxyPort: login.proxy.port,
            proxyUser: login.proxy.user,
            proxyPassword: login.proxy.password,
            noProxy: login.proxy.noProxy,
          }
        : {}),
    });
    // connectAsync resolves even when Snowflake rejects the login: use the callback form.
    await new Promise<void>((resolve, reject) => {
      connection.connect((error) => (error ? reject(loginError(error, login)) : resolve()));
    });
    const session: SnowflakeSession = {
      user: login.user,
      execute: (sql, options) =>
        new Promise<Row[]>((resolve, reject) => {
          const timer = setTimeout(() => reject(new StatementTimeout(sql, deadlineMs)), deadlineMs);
          connection.execute({
            sqlText: sql,
            complete: (error, _statement, rows) => {
              clearTimeout(timer);
              if (error) reject(statementError(error, sql, options?.sensitive ?? false));
              else resolve((rows ?? []) as Row[]);
            },
          });
        }),
      close: () =>
        new Promise<void>((resolve) => {
          connection.destroy((error) => {
            if (error) core.debug(`Closing the Snowflake session failed: ${error.message}`);
            resolve();
          });
        }),
    };
    // DESC USER renders key set-times as text in the session's time zone (default America/Los_Angeles);
    // UTC makes them unambiguous.
    try {
      await session.execute("ALTER SESSION SET TIMEZONE = 'UTC'");
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  };
}

interface SdkError {
  code?: string | number;
  sqlState?: string;
  message?: string;
}

/** Snowflake's code of an SDK error, as a string ('390144', '002003', '401001', ...). */
export function snowflakeCode(error: unknown): string | undefined {
  const code = (error as SdkError | null)?.code;
  return code === undefined || code === null ? undefined : String(code);
}

function loginError(error: SdkError, login: KeyPairLogin): ActionError {
  const code = snowflakeCode(error);
  const who = `user ${login.user} at ${login.url}`;
  const reason = firstLine(error.message);
  switch (code) {
    case '390144': {
      const fingerprint = fingerprintOf(login.privateKey);
      return new ActionError(`Snowflake rejected the key-pair login of ${who} (390144: ${reason})`, {
        code,
        hint:
          `The key sent has fingerprint ${fingerprint}. Compare it with RSA_PUBLIC_KEY_FP and RSA_PUBLIC_KEY_2_FP of ` +
          `DESC USER ${quoteIdentifier(login.user)}; to register it, run ALTER USER ${quoteIdentifier(login.user)} SET ` +
          `RSA_PUBLIC_KEY_2 = '${publicKeyBody(login.privateKey)}'`,
      });
    }
    case '390101':
      return new ActionError(`Snowflake refused the login of ${who}: the user is disabled (390101)`, {
        code,
        hint: `Enable it with ALTER USER ${quoteIdentifier(login.user)} SET DISABLED = FALSE`,
      });
    case '390189':
      return new ActionError(`Snowflake refused the login of ${who}: ${reason} (390189)`, {
        code,
        hint: `Grant the role to the user (GRANT ROLE ... TO USER ${quoteIdentifier(login.user)}) or change the 'role' input`,
      });
    case '390100':
      return new ActionError(`Snowflake refused the login of ${who}: ${reason} (390100)`, {
        code,
        hint: "Check 'account', 'user' and the key; the user may not exist",
      });
    default:
      if (code === '401001' || code === '401002' || code === '402001' || code === '402002') {
        return new ActionError(`Could not reach Snowflake at ${login.url} (${code}: ${reason})`, {
          code,
          hint: "Check 'account' or 'snowflake-url', the runner's network access and any proxy settings",
        });
      }
      return new ActionError(`Snowflake login of ${who} failed (${code ?? 'no code'}: ${reason})`, { code });
  }
}

/** A failed statement: keeps Snowflake's code and message; the SQL is given only by its first words. */
export class StatementError extends ActionError {
  constructor(
    readonly snowflakeCode: string | undefined,
    readonly sqlState: string | undefined,
    readonly reason: string,
    statement: string,
  ) {
    super(`Snowflake statement ${statement} failed (${snowflakeCode ?? 'no code'}: ${reason})`, {
      code: snowflakeCode,
    });
    this.name = 'StatementError';
  }
}

/** Snowflake did not answer within the deadline: the statement may or may not have run. */
export class StatementTimeout extends ActionError {
  constructor(sql: string, deadlineMs: number) {
    super(
      `Snowflake did not answer ${statementVerb(sql)} within ${Math.round(deadlineMs / 1000)} s (the driver kept retrying)`,
      {
        code: 'statement-timeout',
        hint: 'Snowflake or the network to it is failing; whether the statement ran is unknown',
      },
    );
    this.name = 'StatementTimeout';
  }
}

// Snowflake's messages for these name the object only; others (a syntax error) may quote the statement.
const MESSAGES_WITHOUT_STATEMENT_TEXT = new Set(['002003', '003001']);

function statementError(error: SdkError, sql: string, sensitive: boolean): StatementError {
  const code = snowflakeCode(error);
  const reason =
    sensitive && !MESSAGES_WITHOUT_STATEMENT_TEXT.has(code ?? '')
      ? "Snowflake's message is withheld because the statement carries a secret"
      : firstLine(error.message);
  return new StatementError(code, error.sqlState, reason, statementVerb(sql));
}

/** The statement's leading keywords and object name (`ALTER USER "X"`), never its values. */
export function statementVerb(sql: string): string {
  const words = sql.trim().split(/\s+/).slice(0, 3).join(' ');
  return words.length > 80 ? `${words.slice(0, 80)}...` : words;
}

function firstLine(message: string | undefined): string {
  return (message ?? 'unknown error').replace(/\s*\n\s*/g, ' ').trim();
}
