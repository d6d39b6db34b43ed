import { ActionError, sentences } from '../errors.js';
import { fingerprintOf, publicKeyBody } from '../keys.js';
import type { LoginRequest } from './login-request.js';
import { quoteIdentifier, quoteString } from './identifiers.js';
import { SnowflakeErrorCode, UNREACHABLE_CODES } from './error-codes.js';

/**
 * What snowflake-sdk's errors say: Snowflake's code and message, and a refused login turned into an error that
 * says what to do (the codes: error-codes.ts).
 */

export interface SdkError {
  code?: string | number;
  sqlState?: string;
  message?: string;
}

/** Snowflake's code of an SDK error, as a string ('390144', '002003', '401001', ...). */
export function snowflakeCode(error: unknown): string | undefined {
  const code = (error as SdkError | null)?.code;
  return code === undefined || code === null ? undefined : String(code);
}

/** The claims of a GitHub OIDC token that explain a refusal; never the token itself. */
export interface TokenClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
}

/** What a refused login's message and hint are made of. */
interface LoginFailure {
  login: LoginRequest;
  /** `user X at <url>`, or the workload identity user. */
  who: string;
  /** The user quoted for SQL, or `<user>`. */
  user: string;
  /** Snowflake's message, on one line. */
  reason: string;
}

/** The refusals Snowflake names by a code of their own, each with what to do about it. */
const LOGIN_REFUSALS: Record<
  string,
  (failure: LoginFailure) => { message: string; hint: string } | undefined
> = {
  [SnowflakeErrorCode.JWT_TOKEN_INVALID]: ({ login: { credential }, who, user, reason }) =>
    credential.kind === 'key-pair'
      ? {
          message: `Snowflake rejected the key-pair login of ${who} (390144: ${reason})`,
          hint: sentences(
            `The key sent has fingerprint ${fingerprintOf(credential.privateKey)}`,
            `Compare it with RSA_PUBLIC_KEY_FP and RSA_PUBLIC_KEY_2_FP of DESC USER ${user}; to register it, put it in the slot DESC USER shows empty (never the one your workflows use): ALTER USER ${user} SET RSA_PUBLIC_KEY_2 = '${publicKeyBody(credential.privateKey)}' (or RSA_PUBLIC_KEY)`,
          ),
        }
      : undefined,
  [SnowflakeErrorCode.USER_DISABLED]: ({ who, user }) => ({
    message: `Snowflake refused the login of ${who}: the user is disabled (390101)`,
    hint: `Enable it with ALTER USER ${user} SET DISABLED = FALSE`,
  }),
  [SnowflakeErrorCode.ROLE_NOT_GRANTED]: ({ who, user, reason }) => ({
    message: `Snowflake refused the login of ${who}: ${reason} (390189)`,
    hint: `Grant the role to the user (GRANT ROLE ... TO USER ${user}) or change the 'role' input`,
  }),
  [SnowflakeErrorCode.OAUTH_ACCESS_TOKEN_INVALID]: ({ who }) => ({
    message: `Snowflake rejected 'oauth-token' for ${who}: the token is invalid (390303)`,
    hint: 'Pass a current access token issued by the External OAuth integration for this account',
  }),
  [SnowflakeErrorCode.OAUTH_ACCESS_TOKEN_EXPIRED]: ({ who }) => ({
    message: `Snowflake rejected 'oauth-token' for ${who}: the token has expired (390318)`,
    hint: 'Obtain a fresh access token in the step before this one',
  }),
  [SnowflakeErrorCode.PROGRAMMATIC_ACCESS_TOKEN_INVALID]: ({ who, user, reason }) => ({
    message: `Snowflake rejected 'programmatic-access-token' for ${who}: ${reason} (394400)`,
    hint: `The token is wrong, expired or revoked, or belongs to another user; list the user's tokens with SHOW USER PROGRAMMATIC ACCESS TOKENS FOR USER ${user}`,
  }),
  [SnowflakeErrorCode.NETWORK_POLICY_BLOCKED]: ({ who }) => ({
    message: `A network policy blocks the runner's address from logging in as ${who} (390422)`,
    hint: "Allow the runner's egress addresses in the user's (or account's) network policy, or use a runner with a fixed address",
  }),
  [SnowflakeErrorCode.NETWORK_POLICY_REQUIRED]: ({ who, user }) => ({
    message: `Snowflake requires a network policy for programmatic access tokens of ${who} (390432)`,
    hint: `Set one on the user (ALTER USER ${user} SET NETWORK_POLICY = <policy>), or log in by workload identity`,
  }),
};

export function loginError(
  error: SdkError,
  login: LoginRequest,
  claims: TokenClaims | undefined,
): ActionError {
  const code = snowflakeCode(error);
  const failure: LoginFailure = {
    login,
    who: login.user ? `user ${login.user} at ${login.url}` : `the workload identity user at ${login.url}`,
    user: login.user ? quoteIdentifier(login.user) : '<user>',
    reason: firstLine(error.message),
  };
  if (UNREACHABLE_CODES.has(code ?? '')) {
    return new ActionError(`Could not reach Snowflake at ${login.url} (${code}: ${failure.reason})`, {
      code,
      hint: "Check 'account' or 'snowflake-url', the runner's network access and any proxy settings",
    });
  }
  const known =
    code !== undefined && Object.hasOwn(LOGIN_REFUSALS, code) ? LOGIN_REFUSALS[code]?.(failure) : undefined;
  if (known) return new ActionError(known.message, { code, hint: known.hint });
  if (login.credential.kind === 'workload-identity') {
    return workloadIdentityLoginError(failure, code, claims, login.credential.audience);
  }
  return new ActionError(
    `Snowflake login of ${failure.who} failed (${code ?? 'no code'}: ${failure.reason})`,
    {
      code,
      hint:
        code === SnowflakeErrorCode.INCORRECT_USERNAME_OR_PASSWORD
          ? "Check 'account', 'user' and the credential; the user may not exist"
          : undefined,
    },
  );
}

/** A workload identity refusal names the token's subject and audience, and the user's WORKLOAD_IDENTITY that would match them. */
function workloadIdentityLoginError(
  { login, reason }: LoginFailure,
  code: string | undefined,
  claims: TokenClaims | undefined,
  audience: string,
): ActionError {
  const audiences = Array.isArray(claims?.aud) ? claims.aud.join(', ') : (claims?.aud ?? 'unknown');
  return new ActionError(
    `Snowflake refused the workload identity login at ${login.url} (${code ?? 'no code'}: ${reason}): the token's subject is '${claims?.sub ?? 'unknown'}', its audience '${audiences}'`,
    {
      code,
      hint:
        `A SERVICE user must name this issuer and subject exactly: ALTER USER <rotator> SET WORKLOAD_IDENTITY = (TYPE = OIDC ISSUER = ${quoteString(claims?.iss ?? 'https://token.actions.githubusercontent.com')} SUBJECT = ${quoteString(claims?.sub ?? '<subject>')})` +
        (audience === 'snowflakecomputing.com'
          ? ''
          : `, and list the audience: OIDC_AUDIENCE_LIST = (${quoteString(audience)})`),
    },
  );
}

/** Snowflake's message on one line. */
export function firstLine(message: string | undefined): string {
  return (message ?? 'unknown error').replace(/\s*\n\s*/g, ' ').trim();
}
