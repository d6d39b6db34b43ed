/**
 * The Snowflake error codes the action acts on, named once, each with the page that documents the behaviour.
 * Snowflake publishes no list of its codes: where a page gives the code itself it is cited; otherwise the
 * comment says the code is not on a page we found (the reply's message is quoted instead). Snowflake's server sends each as a six-digit string
 * in the reply's `code` (the driver keeps it as `error.code`); the driver's own codes are numbers, compared here
 * as strings (`snowflakeCode()` in sdk-errors.ts turns either into a string).
 */
export const SnowflakeErrorCode = {
  // SQL errors, with their SQL states (ANSI SQLSTATE; Snowflake's reply carries them as `data.sqlState`).
  /**
   * `02000`: the object does not exist or the current role may not see it. Snowflake gives the same answer for
   * both on purpose (https://docs.snowflake.com/en/user-guide/security-access-control-overview: an object a role
   * has no privilege on is not visible to it).
   */
  OBJECT_DOES_NOT_EXIST_OR_NOT_AUTHORIZED: '002003',
  /** `42501`: insufficient privileges (https://docs.snowflake.com/en/user-guide/security-access-control-privileges). */
  INSUFFICIENT_PRIVILEGES: '003001',

  // Login refusals (the login-request's `code`).
  /** `Incorrect username or password was specified.` (the code is not on a page we found). */
  INCORRECT_USERNAME_OR_PASSWORD: '390100',
  /** `User access disabled.`: the user is DISABLED (the code is not on a page we found). */
  USER_DISABLED: '390101',
  /**
   * `JWT token is invalid.`: the key-pair login failed; details by SYSTEM$GET_LOGIN_FAILURE_DETAILS
   * (https://docs.snowflake.com/en/user-guide/key-pair-auth-troubleshooting).
   */
  JWT_TOKEN_INVALID: '390144',
  /** `Role 'X' specified in the connect string is not granted to this user.` (the code is not on a page we found). */
  ROLE_NOT_GRANTED: '390189',
  /** `Invalid OAuth access token.` (External OAuth: https://docs.snowflake.com/en/user-guide/oauth-ext-overview; the code is not on a page we found). */
  OAUTH_ACCESS_TOKEN_INVALID: '390303',
  /** `OAuth access token expired.` (as 390303; the code is not on a page we found). */
  OAUTH_ACCESS_TOKEN_EXPIRED: '390318',
  /**
   * `Incoming request with IP/Token ... is not allowed to access Snowflake.`: a network policy blocks the address
   * (https://docs.snowflake.com/en/user-guide/network-policies; the code is not on a page we found).
   */
  NETWORK_POLICY_BLOCKED: '390422',
  /**
   * A programmatic access token needs the user to be subject to a network policy
   * (https://docs.snowflake.com/en/user-guide/programmatic-access-tokens#network-policy-requirements).
   */
  NETWORK_POLICY_REQUIRED: '390432',
  /** `Programmatic access token is invalid.` (https://docs.snowflake.com/en/user-guide/programmatic-access-tokens). */
  PROGRAMMATIC_ACCESS_TOKEN_INVALID: '394400',

  // The driver's own codes (snowflake-sdk, lib/error_code: ERR_SF_NETWORK_COULD_NOT_CONNECT and the like).
  /** The driver could not connect. */
  NETWORK_COULD_NOT_CONNECT: '401001',
  /** The driver got an HTTP failure. */
  RESPONSE_FAILURE: '401002',
  /** As 401001, while fetching a large result set. */
  LARGE_RESULT_SET_COULD_NOT_CONNECT: '402001',
  /** As 401002, while fetching a large result set. */
  LARGE_RESULT_SET_RESPONSE_FAILURE: '402002',
} as const;

export type SnowflakeErrorCode = (typeof SnowflakeErrorCode)[keyof typeof SnowflakeErrorCode];

/** The codes by which Snowflake refuses a statement for want of a privilege, or hides the object from the role. */
export const REFUSAL_CODES: ReadonlySet<string> = new Set([
  SnowflakeErrorCode.INSUFFICIENT_PRIVILEGES,
  SnowflakeErrorCode.OBJECT_DOES_NOT_EXIST_OR_NOT_AUTHORIZED,
]);

/** The driver's codes for a Snowflake it could not reach. */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  SnowflakeErrorCode.NETWORK_COULD_NOT_CONNECT,
  SnowflakeErrorCode.RESPONSE_FAILURE,
  SnowflakeErrorCode.LARGE_RESULT_SET_COULD_NOT_CONNECT,
  SnowflakeErrorCode.LARGE_RESULT_SET_RESPONSE_FAILURE,
]);
