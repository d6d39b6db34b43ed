// First: snowflake-sdk starts probing cloud metadata endpoints (lib/telemetry/platform_detection.js runs
// detectPlatforms() in its module body) and decides whether to load its native addon (lib/minicore/minicore.js)
// while it is being evaluated; runtime.js sets the switches against both. ESM evaluates a module's imports in
// order, and this is the only module of the action that loads the SDK (eslint.config.js holds to that), so every
// entry point is safe: dist/index.js, and src/main.ts run from source as @github/local-action runs an action.
import '../runtime.js';
import * as core from '@actions/core';
import snowflake from 'snowflake-sdk';
import { ActionError } from '../errors.js';
import { exportPkcs8 } from '../keys.js';
import { maskSecret, redact } from '../mask.js';
import { quoteIdentifier } from './identifiers.js';
import { REFUSAL_CODES } from './error-codes.js';
import type { LoginRequest } from './login-request.js';
import { type SdkError, type TokenClaims, firstLine, loginError, snowflakeCode } from './sdk-errors.js';

export type Row = Record<string, unknown>;

/** One logged-in Snowflake session. */
export interface SnowflakeSession {
  /**
   * Runs one statement and returns its rows as objects keyed by column name. A `sensitive` statement
   * carries a secret in its text: its errors keep Snowflake's message only where it cannot echo the text.
   */
  execute(sql: string, options?: { sensitive?: boolean }): Promise<Row[]>;
  close(): Promise<void>;
}

/** Opens sessions; modes get one passed in, so tests can count, slow down or fail logins. */
export type SnowflakeConnector = (login: LoginRequest) => Promise<SnowflakeSession>;

// Connection failures are retried by the SDK for up to 7 times with growing sleeps (minutes in total). One
// retry covers a blip and keeps a failing login within seconds. Each HTTP request gives up after a minute.
export const LOGIN_RETRIES = 1;
/**
 * A login normally takes well under a second; one that takes longer than this is against a host that does
 * not answer (a firewall dropping packets), which would otherwise hold the job for minutes.
 */
const LOGIN_DEADLINE_MS = 8_000;
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
 * land in the user's workspace), and proxies apply only when we pass them explicitly. With step debug logging
 * on (ACTIONS_STEP_DEBUG, which sets RUNNER_DEBUG), the SDK logs at DEBUG: logins, retries, statement
 * outcomes. It logs no statement text, tokens or keys (e2e/leak-cases.test.ts checks that), and every line is
 * redacted on its way to the debug log all the same.
 */
function configureSdk(): void {
  if (configured) return;
  configured = true;
  const toDebug = (message: string): void => core.debug(redact(`snowflake-sdk: ${message}`));
  snowflake.configure({
    logLevel: core.isDebug() ? 'DEBUG' : 'WARN',
    customLogger: { error: toDebug, warn: toDebug, info: toDebug, debug: toDebug, trace: toDebug },
    useEnvProxy: false,
  });
}

export interface ConnectorOptions {
  /** Fetches the job's OIDC token for an audience (core.getIDToken on a runner). */
  getIdToken: (audience: string) => Promise<string>;
  /**
   * Lets snowflake-sdk send a workload-identity token to a loopback host (a local emulator; inputs allow plain
   * http nowhere else). The SDK otherwise sends it only to Snowflake's own domains.
   */
  allowWorkloadIdentityHost: (host: string) => void;
  /**
   * Registers a credential the driver holds with the runner's masker and redact() (maskSecret's setSecret):
   * the session and master tokens Snowflake hands out at login, and the job's OIDC token.
   */
  setSecret: (value: string) => void;
}

/** The real connector: snowflake-sdk, with the login method the request names. */
export function snowflakeConnector(options: ConnectorOptions): SnowflakeConnector {
  return async (login) => {
    configureSdk();
    const masked = new Set<string>();
    const maskTokens = (connection: snowflake.Connection): void =>
      maskSessionTokens(connection, masked, options.setSecret);
    const attempt: LoginAttempt = {};
    const opened = await withinLoginDeadline(login, attempt, logIn(login, options, attempt, maskTokens));
    const session = sessionOf(opened, login.statementDeadlineMs ?? STATEMENT_DEADLINE_MS, maskTokens);
    // DESC USER renders key set-times as text in the session's time zone (default America/Los_Angeles);
    // UTC makes them unambiguous.
    if (login.readsTimes === false) return session;
    try {
      await session.execute("ALTER SESSION SET TIMEZONE = 'UTC'");
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  };
}

/** The connection of a login under way, once created: the deadline destroys it. */
interface LoginAttempt {
  connection?: snowflake.Connection;
}

async function logIn(
  login: LoginRequest,
  options: ConnectorOptions,
  attempt: LoginAttempt,
  maskTokens: (connection: snowflake.Connection) => void,
): Promise<snowflake.Connection> {
  const authentication = await authenticationOptions(login, options);
  const created = snowflake.createConnection(connectionOptions(login, authentication.options));
  attempt.connection = created;
  // connectAsync resolves even when Snowflake rejects the login: use the callback form.
  await new Promise<void>((resolve, reject) => {
    created.connect((error) => {
      if (error) return reject(loginError(error, login, authentication.claims));
      maskTokens(created);
      resolve();
    });
  });
  return created;
}

function connectionOptions(
  login: LoginRequest,
  authentication: Record<string, unknown>,
): snowflake.ConnectionOptions {
  return {
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
    ...authentication,
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
  };
}

/** The deadline covers fetching the OIDC token too. */
async function withinLoginDeadline(
  login: LoginRequest,
  attempt: LoginAttempt,
  loggingIn: Promise<snowflake.Connection>,
): Promise<snowflake.Connection> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      attempt.connection?.destroy(() => undefined);
      reject(
        new ActionError(
          `Snowflake at ${login.url} did not answer the login within ${LOGIN_DEADLINE_MS / 1000} s`,
          {
            code: 'login-timeout',
            hint: "Check 'account' or 'snowflake-url' and the runner's network access to Snowflake (firewalls, proxy settings)",
          },
        ),
      );
    }, LOGIN_DEADLINE_MS);
  });
  return Promise.race([loggingIn, deadline]).finally(() => clearTimeout(timer));
}

function sessionOf(
  opened: snowflake.Connection,
  deadlineMs: number,
  maskTokens: (connection: snowflake.Connection) => void,
): SnowflakeSession {
  return {
    execute: (sql, options) =>
      new Promise<Row[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          // A statement given up on may have renewed the session meanwhile: mask what the driver holds now.
          maskTokens(opened);
          reject(new StatementTimeout(sql, deadlineMs));
        }, deadlineMs);
        opened.execute({
          sqlText: sql,
          complete: (error, _statement, rows) => {
            clearTimeout(timer);
            // The driver renews an expired session during a statement: its new token may be in the error.
            maskTokens(opened);
            if (error) reject(statementError(error, sql, options?.sensitive ?? false));
            else resolve((rows ?? []) as Row[]);
          },
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        opened.destroy((error) => {
          if (error) core.debug(redact(`Closing the Snowflake session failed: ${error.message}`));
          resolve();
        });
      }),
  };
}

/**
 * Registers the session and master tokens the driver holds once it is logged in, each once: a server or proxy
 * quoting a request back shows them (every request carries `Authorization: Snowflake Token="<session token>"`,
 * a renewal the master token; snowflake-sdk lib/services/sf.js), and they change when the driver renews an
 * expired session. Connection.serialize() is the SDK's public way to read them (its index.d.ts: "a
 * JSON-serialized string of the connection state (master/session tokens and their expiration timestamps)",
 * `{services: {sf: {tokenInfo: {masterToken, sessionToken, ...}}}}`); integration/connection.test.ts checks
 * that shape, which the SDK says may change between versions.
 */
function maskSessionTokens(
  connection: snowflake.Connection,
  masked: Set<string>,
  setSecret: (value: string) => void,
): void {
  let tokenInfo: { sessionToken?: unknown; masterToken?: unknown } | undefined;
  try {
    const state = JSON.parse(connection.serialize()) as {
      services?: { sf?: { tokenInfo?: typeof tokenInfo } };
    };
    tokenInfo = state.services?.sf?.tokenInfo;
  } catch {
    return;
  }
  for (const token of [tokenInfo?.sessionToken, tokenInfo?.masterToken]) {
    if (typeof token !== 'string' || token === '' || masked.has(token)) continue;
    masked.add(token);
    maskSecret(token, setSecret);
  }
}

async function authenticationOptions(
  login: LoginRequest,
  options: ConnectorOptions,
): Promise<{ options: Record<string, unknown>; claims?: TokenClaims }> {
  const { credential } = login;
  switch (credential.kind) {
    case 'key-pair':
      return { options: { authenticator: 'SNOWFLAKE_JWT', privateKey: exportPkcs8(credential.privateKey) } };
    case 'oauth':
      return { options: { authenticator: 'OAUTH', token: credential.token } };
    case 'programmatic-access-token':
      return { options: { authenticator: 'PROGRAMMATIC_ACCESS_TOKEN', token: credential.token } };
    case 'workload-identity': {
      let token: string;
      try {
        token = await options.getIdToken(credential.audience);
      } catch (error) {
        throw new ActionError(
          `Could not get the job's GitHub OIDC token for audience '${credential.audience}' (${error instanceof Error ? error.message : String(error)})`,
          { code: 'oidc-token', hint: 'Give the job `permissions: id-token: write`' },
        );
      }
      maskSecret(token, options.setSecret);
      if (new URL(login.url).protocol === 'http:')
        options.allowWorkloadIdentityHost(new URL(login.url).hostname);
      return {
        options: { authenticator: 'WORKLOAD_IDENTITY', workloadIdentityProvider: 'OIDC', token },
        claims: decodeClaims(token),
      };
    }
  }
}

/** The payload of a JWT, unverified, for messages only. */
function decodeClaims(token: string): TokenClaims | undefined {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as TokenClaims;
    return { iss: payload.iss, sub: payload.sub, aud: payload.aud };
  } catch {
    return undefined;
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

function statementError(error: SdkError, sql: string, sensitive: boolean): StatementError {
  const code = snowflakeCode(error);
  const reason =
    sensitive && // Snowflake's refusal messages name the object only; others (a syntax error) may quote the statement.
    !REFUSAL_CODES.has(code ?? '')
      ? "Snowflake's message is withheld because the statement carries a secret"
      : firstLine(error.message);
  return new StatementError(code, error.sqlState, reason, statementVerb(sql));
}

/** The statement's leading keywords and object name (`ALTER USER "X"`), never its values. */
export function statementVerb(sql: string): string {
  const words = sql.trim().split(/\s+/).slice(0, 3).join(' ');
  return words.length > 80 ? `${words.slice(0, 80)}...` : words;
}
