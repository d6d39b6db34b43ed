// A small typed client for the Snowflake emulator's control plane (/__emulator/*), for tests.

import type { EchoEncoding } from '../echo.js';

export interface LogEntry {
  seq: number;
  /** The emulator's clock at the time, ISO 8601. */
  at: string;
  kind: 'login' | 'query';
  /** `sdk` for the wire protocol, `control` for statements run through the control plane. */
  via: 'sdk' | 'control';
  /** The user's NAME once known; for a refused login, the login name sent (null if none). */
  user: string | null;
  role: string | null;
  sql?: string;
  ok: boolean;
  code: string | null;
  /** For logins: the AUTHENTICATOR sent. */
  authenticator?: string;
  /** For logins: the client address network policies judged (the socket's, or the client-ip override). */
  clientIp?: string;
  /** The fault action that answered instead of the emulator, if any. */
  fault?: Fault['action'];
  /**
   * Set with `fault` when the fault was an `after` fault: the statement ran (`ok` and `code` are its
   * own outcome) and then the fault answered instead of the result.
   */
  faultAfter?: true;
  /** Why it failed (for logins: the detail Snowflake keeps for SYSTEM$GET_LOGIN_FAILURE_DETAILS). */
  message?: string;
}

/**
 * One wire request (anything but the control plane: logins, statements, session close, heartbeats, token
 * renewals, telemetry), timed, as `GET /__emulator/requests` returns it. For benchmarks: how many requests a
 * run made and which of them waited on each other.
 */
export interface TimedRequest {
  seq: number;
  method: string;
  /** Path with query string, e.g. `/session/v1/login-request?...`, `/session?delete=true`. */
  path: string;
  /**
   * Arrival, before any injected latency: milliseconds since the epoch, fractional, on the process's monotonic
   * clock (`performance.timeOrigin + performance.now()`), not the emulated clock of the log's `at`.
   */
  start: number;
  /** When the response was done or the connection closed, same clock; null while in flight. */
  end: number | null;
  /** The HTTP status answered; 0 when the connection closed without a complete response. */
  status: number;
  /** Query requests: the statement text as sent. */
  sql?: string;
  /** Login requests: the LOGIN_NAME sent. */
  loginName?: string;
}

export interface Fault {
  on: 'login' | 'query';
  /** A regular expression (case-insensitive) on the SQL text (query) or the login name (login). */
  match?: string;
  action: 'http-500' | 'http-503' | 'reset' | 'sql-error' | 'delay' | 'session-expired';
  /** For sql-error: the Snowflake error code to answer with. */
  code?: string;
  /** For sql-error: the message. */
  message?: string;
  /** For delay: how long, default 1000 ms. */
  delayMs?: number;
  /** How many matching requests the fault answers; default every one. */
  times?: number;
  /** How many matching requests to let through before the fault starts answering; default 0. */
  skip?: number;
  /**
   * Query faults only: run the statement first (it takes effect and is logged with its own outcome),
   * then answer with the fault instead of the result — "the request was carried out, the reply was
   * lost". Every action supports it: http-500/http-503/reset/session-expired/sql-error replace the
   * reply; delay holds the real reply back for `delayMs`. Login faults ignore it. Default false.
   */
  after?: boolean;
  /**
   * For sql-error: the message also quotes something back, as a proxy's or a broken server's error does (for
   * the leak cases): `headers`, the request's headers as one JSON object (the session token in
   * `authorization`); `request`, its method, URL, headers and (decoded) body (a login's credential in
   * `data.TOKEN`); `session`, the session and master tokens the server holds for the request's session (query
   * faults only). Appended to the message after a line break.
   */
  echo?: 'headers' | 'request' | 'session';
  /** How the echo is shown (../echo.ts): `json` (default), `json-string`, `url`, `form`, `base64`, ... */
  echoAs?: EchoEncoding;
}

/** The tokens of one session, as the emulator handed them out (at login, and again at each renewal). */
export interface IssuedTokens {
  sessionId: string;
  /** The user's NAME. */
  user: string | null;
  sessionToken: string;
  masterToken: string;
}

/**
 * How a PAT login treats network policies: the PAT_POLICY NETWORK_POLICY_EVALUATION of the
 * authentication policy in force (docs, "Using programmatic access tokens: Network policy
 * requirements"). ENFORCED_REQUIRED (Snowflake's default): the user must be subject to a network
 * policy, which is enforced; ENFORCED_NOT_REQUIRED: none needed, enforced when there is one;
 * NOT_ENFORCED: none needed, and none enforced for PAT logins.
 */
export type NetworkPolicyEvaluation = 'ENFORCED_REQUIRED' | 'ENFORCED_NOT_REQUIRED' | 'NOT_ENFORCED';

export interface RegisteredToken {
  type: 'oauth' | 'pat';
  token: string;
  /** The user's NAME. */
  user: string;
  /** The role the token is scoped to. */
  role?: string;
  /** ISO 8601; compared with the emulator's clock. */
  expiresAt?: string;
  /**
   * PATs only. Snowflake refuses a PAT login with 390432 when neither the user nor the account has a
   * network policy, unless an authentication policy relaxes that. `false` stands for an authentication
   * policy with PAT_POLICY = (NETWORK_POLICY_EVALUATION = ENFORCED_NOT_REQUIRED): no policy needed,
   * one that exists is still enforced.
   */
  networkPolicyRequired?: boolean;
  /** PATs only: the NETWORK_POLICY_EVALUATION itself (default ENFORCED_REQUIRED); wins over networkPolicyRequired. */
  networkPolicyEvaluation?: NetworkPolicyEvaluation;
}

/** A Snowflake SECRET object with its value, as `GET /__emulator/secrets` returns it (for assertions). */
export interface SecretRecord {
  /** Stored names: upper-cased unless created quoted. */
  database: string;
  schema: string;
  name: string;
  /** `DB.SCHEMA.NAME` as SHOW GRANTS prints it (parts double-quoted when needed). */
  fullName: string;
  type: 'GENERIC_STRING' | 'PASSWORD';
  /** TYPE = GENERIC_STRING: the SECRET_STRING. */
  secretString: string | null;
  /** TYPE = PASSWORD: USERNAME and PASSWORD. */
  username: string | null;
  password: string | null;
  comment: string | null;
  /** The owning role, or null if the owner was dropped. */
  owner: string | null;
  /** ISO 8601, emulator clock. */
  createdOn: string;
}

export class SnowflakeSqlError extends Error {
  constructor(
    readonly code: string,
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
    this.name = 'SnowflakeSqlError';
  }
}

export class SnowflakeControl {
  constructor(private readonly url: string) {}

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}/__emulator/${path}`, {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as unknown;
    if (!response.ok) {
      const error = (json as { error?: { message?: string } }).error;
      throw new Error(`emulator control ${method} ${path}: HTTP ${response.status} ${error?.message ?? ''}`);
    }
    return json;
  }

  /** Runs one statement as ACCOUNTADMIN (or `role`); throws SnowflakeSqlError (with .code) on SQL errors. */
  async sql(text: string, role?: string): Promise<Record<string, unknown>[]> {
    const result = (await this.call('POST', 'sql', { sql: text, role })) as {
      rows?: Record<string, unknown>[];
      error?: { code: string; sqlState: string; message: string };
    };
    if (result.error)
      throw new SnowflakeSqlError(result.error.code, result.error.sqlState, result.error.message);
    return result.rows ?? [];
  }

  /** Every SECRET object in the account, values included, whoever owns it. */
  async secrets(): Promise<SecretRecord[]> {
    return (await this.call('GET', 'secrets')) as SecretRecord[];
  }

  async log(): Promise<LogEntry[]> {
    return (await this.call('GET', 'log')) as LogEntry[];
  }

  async clearLog(): Promise<void> {
    await this.call('DELETE', 'log');
  }

  /** Every wire request since the last clearRequests(), timed (logged or not: session close, telemetry...). */
  async requests(): Promise<TimedRequest[]> {
    return (await this.call('GET', 'requests')) as TimedRequest[];
  }

  async clearRequests(): Promise<void> {
    await this.call('DELETE', 'requests');
  }

  /**
   * Every session and master token handed out since the emulator started (closed sessions too): what a client
   * held, for the leak scan. Never in the log.
   */
  async issuedTokens(): Promise<IssuedTokens[]> {
    return (await this.call('GET', 'issued-tokens')) as IssuedTokens[];
  }

  async fault(f: Fault): Promise<void> {
    await this.call('POST', 'faults', f);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', 'faults');
  }

  async latency(ms: number): Promise<void> {
    await this.call('POST', 'latency', { ms });
  }

  async registerToken(t: RegisteredToken): Promise<void> {
    await this.call('POST', 'tokens', t);
  }

  async trustIssuer(issuer: string, jwksUrl: string): Promise<void> {
    await this.call('POST', 'oidc-issuers', { issuer, jwksUrl });
  }

  /**
   * The client address logins are judged by (network policies): `ip` pretends to be a runner at that
   * IPv4 address; `null` goes back to the socket's address (127.0.0.1 for local tests).
   */
  async clientIp(ip: string | null): Promise<void> {
    if (ip === null) await this.call('DELETE', 'client-ip');
    else await this.call('POST', 'client-ip', { ip });
  }

  /** Sets the emulator clock's offset from its base clock (absolute, not cumulative). */
  async clock(offsetMs: number): Promise<{ now: string; offsetMs: number }> {
    return (await this.call('POST', 'clock', { offsetMs })) as { now: string; offsetMs: number };
  }
}
