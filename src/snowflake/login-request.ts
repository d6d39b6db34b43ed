import type { KeyObject } from 'node:crypto';

/** What a Snowflake login is made of before the driver sees it: where, who, with what, through which proxy. */

export interface ProxySettings {
  protocol: 'http' | 'https';
  host: string;
  port: number;
  user?: string;
  password?: string;
  /** Hosts that bypass the proxy, as NO_PROXY lists them. */
  noProxy?: string;
}

/** What a login presents: a private key, the job's OIDC token (fetched at login), or a token. */
export type Credential =
  | { kind: 'key-pair'; privateKey: KeyObject }
  | { kind: 'workload-identity'; audience: string }
  | { kind: 'oauth'; token: string }
  | { kind: 'programmatic-access-token'; token: string };

export interface LoginRequest {
  account: string;
  url: string;
  /** Login name; workload identity finds the user from the token's issuer and subject instead. */
  user?: string;
  role?: string;
  credential: Credential;
  proxy?: ProxySettings;
  /** How long to wait for one statement, the driver's retries included (default STATEMENT_DEADLINE_MS). */
  statementDeadlineMs?: number;
  /**
   * Whether the session reads times (DESC USER's key set-times): then its time zone is set to UTC, one more
   * round trip. Default true; a session that only proves a login does not need it.
   */
  readsTimes?: boolean;
}

/**
 * A login as the inputs describe it (config.ts's SnowflakeLogin, which sits above this layer): a key pair
 * as the parsed key, any other method as it is sent.
 */
export interface ConfiguredLogin extends Omit<LoginRequest, 'credential' | 'readsTimes'> {
  method: Exclude<Credential, { kind: 'key-pair' }> | { kind: 'key-pair'; privateKey: { key: KeyObject } };
}

/** The connection's view of the configured login. */
export function loginRequest(login: ConfiguredLogin): LoginRequest {
  const { method, ...rest } = login;
  const credential: Credential =
    method.kind === 'key-pair' ? { kind: 'key-pair', privateKey: method.privateKey.key } : method;
  return { ...rest, credential };
}
