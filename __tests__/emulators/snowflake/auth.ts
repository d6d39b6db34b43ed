// Login verification: key-pair JWTs, workload-identity (OIDC) tokens, OAuth access tokens,
// programmatic access tokens and passwords. Sources for each rule are in README.md.

import {
  createPublicKey,
  randomUUID,
  verify as verifySignature,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type { Account } from './account.js';
import type { ProgrammaticAccessToken, User } from './account/model.js';
import { hashPassword } from './account/user-properties.js';
import { policyAllows } from './network.js';
import type { NetworkPolicyEvaluation, RegisteredToken } from './control.js';

export interface LoginFailure {
  ok: false;
  code: string;
  message: string;
  /** Why, for the log; Snowflake shows this only via SYSTEM$GET_LOGIN_FAILURE_DETAILS. */
  detail: string;
}

/** `viaPat`: the credential was a programmatic access token (the session may not revoke PATs of its user). */
export type LoginOutcome = { ok: true; user: User; tokenRole: string | null; viaPat: boolean } | LoginFailure;

/**
 * The credential checked out: whose it is, and for a PAT how network policies treat it (the PAT_POLICY
 * NETWORK_POLICY_EVALUATION in force), which applies next.
 */
type Identified =
  { ok: true; user: User; tokenRole: string | null; patEvaluation?: NetworkPolicyEvaluation } | LoginFailure;

export interface LoginData {
  AUTHENTICATOR?: string;
  LOGIN_NAME?: string;
  TOKEN?: string;
  PASSWORD?: string;
  PROVIDER?: string;
}

interface JwtParts {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

function decodeJwt(token: string): JwtParts | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null)
      return null;
    return {
      header: header as Record<string, unknown>,
      payload: payload as Record<string, unknown>,
      signingInput: Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'),
      signature: Buffer.from(parts[2]!, 'base64url'),
    };
  } catch {
    return null;
  }
}

/**
 * A JWT time claim as milliseconds. snowflake-sdk 3.3.0 writes `iat`/`exp` in milliseconds
 * (lib/authentication/auth_keypair.js: `Date.now()` and `+ LIFETIME * 1000`), other drivers and
 * every OIDC issuer in seconds; values above 10^11 cannot be seconds (year 5138), so they are
 * taken as milliseconds.
 */
export function claimMillis(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  return value > 1e11 ? value : value * 1000;
}

const jwtInvalid = (detail: string): LoginFailure => ({
  ok: false,
  code: '390144',
  message: `JWT token is invalid. [${randomUUID()}]`,
  detail,
});

/** Snowflake's generic credential refusal; also what an unknown user gets for a password login. */
const badCredentials = (detail: string): LoginFailure => ({
  ok: false,
  code: '390100',
  message: 'Incorrect username or password was specified.',
  detail,
});

export class Authenticator {
  /** issuer -> JWKS URL */
  readonly issuers = new Map<string, string>();
  readonly tokens: RegisteredToken[] = [];
  private readonly jwksCache = new Map<string, JsonWebKey[]>();

  constructor(
    private readonly account: Account,
    /** Wall clock for client-signed tokens (the client signs with its own clock, not ours). */
    private readonly wallClock: () => number = Date.now,
  ) {}

  trustIssuer(issuer: string, jwksUrl: string): void {
    this.issuers.set(issuer, jwksUrl);
    this.jwksCache.delete(issuer);
  }

  /**
   * Checks the credential, then the network policy for `clientIp`, then whether the user is disabled.
   * The policy is judged once the credential has named the user, so that strangers learn nothing.
   */
  async verify(data: LoginData, clientIp: string): Promise<LoginOutcome> {
    const identified = await this.identify(data);
    if (!identified.ok) return identified;
    const { user, tokenRole, patEvaluation } = identified;
    const policy = this.account.effectiveNetworkPolicy(user);
    const evaluation: NetworkPolicyEvaluation | null = patEvaluation ?? null;
    // A PAT needs a network policy on the user or the account unless an authentication policy
    // relaxes it: 390432 `Fail : Network policy is required.` (wording from public reports).
    if (!policy && evaluation === 'ENFORCED_REQUIRED') {
      return {
        ok: false,
        code: '390432',
        message: 'Fail : Network policy is required.',
        detail: 'programmatic access token used by a user with no network policy',
      };
    }
    if (policy && evaluation !== 'NOT_ENFORCED' && !policyAllows(policy, clientIp)) {
      return {
        ok: false,
        code: '390422',
        message: `Incoming request with IP/Token ${clientIp} is not allowed to access Snowflake. Contact your account administrator.`,
        detail: `network policy ${policy.name} does not allow ${clientIp}`,
      };
    }
    // Checked after the credential so that a disabled user's status is not revealed to a stranger.
    if (user.disabled) {
      return {
        ok: false,
        code: '390101',
        message: 'User access disabled. Contact your local system administrator.',
        detail: 'user disabled',
      };
    }
    return { ok: true, user, tokenRole, viaPat: evaluation !== null };
  }

  private async identify(data: LoginData): Promise<Identified> {
    const authenticator = (data.AUTHENTICATOR ?? 'SNOWFLAKE').toUpperCase();
    switch (authenticator) {
      case 'SNOWFLAKE_JWT':
        return this.keyPair(data);
      case 'WORKLOAD_IDENTITY':
        return this.workloadIdentity(data);
      case 'OAUTH':
        return this.registered(data, 'oauth');
      case 'PROGRAMMATIC_ACCESS_TOKEN':
        return this.registered(data, 'pat');
      case 'SNOWFLAKE':
        return this.password(data);
      default:
        return badCredentials(`authenticator ${authenticator} is not modelled`);
    }
  }

  private keyPair(data: LoginData): Identified {
    const token = data.TOKEN;
    const login = data.LOGIN_NAME ?? '';
    if (!token) return jwtInvalid('no token');
    const jwt = decodeJwt(token);
    if (!jwt) return jwtInvalid('malformed token');
    if (jwt.header.alg !== 'RS256') return jwtInvalid('algorithm is not RS256');
    const { iss, sub } = jwt.payload;
    if (typeof iss !== 'string' || typeof sub !== 'string') return jwtInvalid('iss or sub missing');
    // iss = ACCOUNT.USER.SHA256:<fingerprint>, sub = ACCOUNT.USER (Snowflake key-pair docs).
    const marker = iss.lastIndexOf('.SHA256:');
    if (marker < 0) return jwtInvalid('iss has no public key fingerprint');
    const issuerSubject = iss.slice(0, marker);
    const fingerprint = iss.slice(marker + 1);
    if (issuerSubject !== sub) return jwtInvalid('iss and sub name different users');
    const dot = sub.indexOf('.');
    const accountPart = sub.slice(0, dot);
    const userPart = sub.slice(dot + 1);
    // 394307: account mismatch. The account is the part of the identifier before the first '.'.
    if (dot < 0 || accountPart !== this.account.accountName) return jwtInvalid('account does not match');
    const user = this.account.findUserByLogin(login);
    // An unknown user gets the same answer as a bad key: the generic failure of the method.
    if (!user) return jwtInvalid(`no user with login name ${login.toUpperCase()}`);
    if (userPart !== user.loginName) return jwtInvalid('sub does not name the login user');
    // 394304: the fingerprint must match one of the two registered key slots.
    const slot = [user.keys[1], user.keys[2]].find((k) => k !== null && k.fingerprint === fingerprint);
    if (!slot) return jwtInvalid('public key fingerprint does not match a registered key');
    const key = createPublicKey({ key: Buffer.from(slot.body, 'base64'), format: 'der', type: 'spki' });
    // 394306: bad signature.
    if (!verifySignature('RSA-SHA256', jwt.signingInput, key, jwt.signature))
      return jwtInvalid('signature does not verify');
    // 394303: expired. A minute of skew is tolerated for iat in the future.
    const time = this.timeClaims(jwt.payload.exp, jwt.payload.iat);
    if (time === 'expired') return jwtInvalid('token expired');
    if (time === 'early') return jwtInvalid('token issued in the future');
    return { ok: true, user, tokenRole: null };
  }

  /**
   * A client-signed token's times against the wall clock: `expired` without a future `exp`, `early` when its
   * start (`iat` or `nbf`) is more than a minute ahead (the skew tolerated), else null.
   */
  private timeClaims(exp: unknown, start: unknown): 'expired' | 'early' | null {
    const now = this.wallClock();
    const expMs = claimMillis(exp);
    const startMs = claimMillis(start);
    if (expMs === null || expMs <= now) return 'expired';
    if (startMs !== null && startMs > now + 60_000) return 'early';
    return null;
  }

  private async workloadIdentity(data: LoginData): Promise<Identified> {
    // The SDK sends AUTHENTICATOR = WORKLOAD_IDENTITY, PROVIDER and TOKEN (lib/authentication/
    // auth_workload_identity/auth_workload_identity.js); LOGIN_NAME may be absent: the user is
    // found by issuer and subject. A mismatch is a generic credentials error (code undocumented).
    if ((data.PROVIDER ?? '').toUpperCase() !== 'OIDC')
      return badCredentials(`provider ${data.PROVIDER} is not modelled`);
    const jwt = data.TOKEN ? decodeJwt(data.TOKEN) : null;
    if (!jwt) return badCredentials('malformed OIDC token');
    if (jwt.header.alg !== 'RS256') return badCredentials('OIDC token algorithm is not RS256');
    const { iss, sub, aud } = jwt.payload;
    if (typeof iss !== 'string' || typeof sub !== 'string') return badCredentials('iss or sub missing');
    const jwksUrl = this.issuers.get(iss);
    if (!jwksUrl) return badCredentials(`issuer ${iss} is not trusted by the emulator`);
    const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : undefined;
    let key: KeyObject | null;
    try {
      key = await this.jwksKey(iss, jwksUrl, kid);
    } catch (e) {
      return badCredentials(`JWKS of ${iss} could not be read: ${(e as Error).message}`);
    }
    if (!key) return badCredentials(`no JWKS key for kid ${kid}`);
    if (!verifySignature('RSA-SHA256', jwt.signingInput, key, jwt.signature))
      return badCredentials('OIDC signature does not verify');
    const time = this.timeClaims(jwt.payload.exp, jwt.payload.nbf);
    if (time === 'expired') return badCredentials('OIDC token expired');
    if (time === 'early') return badCredentials('OIDC token not yet valid');
    const user = this.account.findUserByWorkloadIdentity(iss, sub);
    if (!user) return badCredentials(`no user with workload identity issuer ${iss} and subject ${sub}`);
    // With no OIDC_AUDIENCE_LIST the expected audience is snowflakecomputing.com.
    const expected = user.workloadIdentity?.audiences ?? ['snowflakecomputing.com'];
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.some((a) => typeof a === 'string' && expected.includes(a))) {
      return badCredentials(`audience ${JSON.stringify(aud)} is not one of ${JSON.stringify(expected)}`);
    }
    return { ok: true, user, tokenRole: null };
  }

  private async jwksKey(issuer: string, url: string, kid: string | undefined): Promise<KeyObject | null> {
    const pick = (keys: JsonWebKey[]) => {
      const candidates = keys.filter((k) => k.kty === 'RSA' && (kid === undefined || k.kid === kid));
      return candidates.length > 0 ? createPublicKey({ key: candidates[0]!, format: 'jwk' }) : null;
    };
    const cached = this.jwksCache.get(issuer);
    if (cached) {
      const key = pick(cached);
      if (key) return key;
    }
    // Fetch (again) on a miss: an issuer may have rotated its keys since we cached them.
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as { keys?: JsonWebKey[] };
    const keys = Array.isArray(body.keys) ? body.keys : [];
    this.jwksCache.set(issuer, keys);
    return pick(keys);
  }

  private registered(data: LoginData, type: 'oauth' | 'pat'): Identified {
    const invalid = (detail: string): LoginFailure =>
      type === 'oauth'
        ? { ok: false, code: '390303', message: 'Invalid OAuth access token.', detail }
        : { ok: false, code: '394400', message: 'Programmatic access token is invalid.', detail };
    const entry = this.tokens.find((t) => t.type === type && t.token === data.TOKEN);
    if (!entry && type === 'pat') {
      const made = this.account.findPatBySecret(data.TOKEN ?? '');
      if (made) return this.madePat(made, data, invalid);
    }
    if (!entry) return invalid('token not registered');
    if (entry.expiresAt !== undefined && Date.parse(entry.expiresAt) <= this.account.now().getTime()) {
      return type === 'oauth'
        ? { ok: false, code: '390318', message: 'OAuth access token expired.', detail: 'token expired' }
        : invalid('token expired');
    }
    const user = this.account.users.get(entry.user) ?? this.account.users.get(entry.user.toUpperCase());
    if (!user) return invalid(`token user ${entry.user} does not exist`);
    if (data.LOGIN_NAME && data.LOGIN_NAME.toUpperCase() !== user.loginName) {
      return invalid('login name differs from the token user');
    }
    const patEvaluation =
      type === 'pat'
        ? (entry.networkPolicyEvaluation ??
          (entry.networkPolicyRequired === false ? 'ENFORCED_NOT_REQUIRED' : 'ENFORCED_REQUIRED'))
        : undefined;
    return { ok: true, user, tokenRole: entry.role ?? null, patEvaluation };
  }

  /**
   * A token made by ALTER USER … ADD PROGRAMMATIC ACCESS TOKEN (account/pats.ts). It fails as an invalid token
   * (394400: "PAT_INVALID … the role associated with the programmatic access token was not found") once it has
   * expired, or its ROLE_RESTRICTION role was dropped or revoked from the user (docs, "Using programmatic access
   * tokens for authentication", https://docs.snowflake.com/en/user-guide/programmatic-access-tokens). Sessions
   * start in the restricted role. The network policy requirement holds (ENFORCED_REQUIRED: the emulator has no
   * authentication policies over SQL) except during MINS_TO_BYPASS_NETWORK_POLICY_REQUIREMENT after creation,
   * when a policy is not required but one that applies is still enforced ("does not allow users to bypass the
   * network policy itself").
   */
  private madePat(
    pat: ProgrammaticAccessToken,
    data: LoginData,
    invalid: (detail: string) => LoginFailure,
  ): Identified {
    const now = this.account.now().getTime();
    if (pat.expiresAt.getTime() <= now) return invalid(`token ${pat.name} expired`);
    const user = this.account.users.get(pat.user);
    if (!user) return invalid(`token user ${pat.user} does not exist`);
    if (data.LOGIN_NAME && data.LOGIN_NAME.toUpperCase() !== user.loginName) {
      return invalid('login name differs from the token user');
    }
    const role = pat.roleRestriction;
    if (role !== null && (!this.account.roles.has(role) || !this.account.rolesOfUser(user.name).has(role))) {
      return invalid(`role restriction ${role} of token ${pat.name} is no longer granted to ${user.name}`);
    }
    const bypassing = pat.minsToBypass !== null && pat.createdOn.getTime() + pat.minsToBypass * 60_000 > now;
    return {
      ok: true,
      user,
      tokenRole: role,
      patEvaluation: bypassing ? 'ENFORCED_NOT_REQUIRED' : 'ENFORCED_REQUIRED',
    };
  }

  private password(data: LoginData): Identified {
    const user = this.account.findUserByLogin(data.LOGIN_NAME ?? '');
    if (!user || user.passwordHash === null || user.passwordHash !== hashPassword(data.PASSWORD ?? '')) {
      return badCredentials('bad user name or password');
    }
    // Service users cannot log in with a password ("User management: Types of users").
    if (user.type === 'SERVICE') return badCredentials('service users cannot use passwords');
    return { ok: true, user, tokenRole: null };
  }
}
