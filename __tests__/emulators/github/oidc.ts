// The GitHub Actions OIDC provider, as far as a job and a relying party (Snowflake) can see it:
// an RS256 signing key published as a JWKS, the discovery document, and tokens with GitHub's claims.
//
// Sources (see README.md for the full list):
// - Claims, default audience, subject formats: https://docs.github.com/en/actions/reference/security/oidc
//   (github/docs content/actions/reference/security/oidc.md).
// - Lifetime: the documented example token has nbf = iat - 600 and exp = iat + 300.
// - Header: alg RS256, typ JWT, kid (same example token).
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { IdTokenClaimsInput } from './control.js';

export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com' as const;

/** Seconds a token is valid after `iat`, and how far `nbf` lies before `iat` (documented example token). */
export const TOKEN_LIFETIME_SECONDS = 300;
export const NOT_BEFORE_SKEW_SECONDS = 600;

/** What the emulator knows about the repository a job runs in (taken from the REST model). */
export interface OidcRepository {
  owner: string;
  ownerId: number;
  name: string;
  id: number;
  visibility: 'public' | 'private' | 'internal';
  defaultBranch: string;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomUUID(), privateKey, publicKey };
}

/** JWKS as served at https://token.actions.githubusercontent.com/.well-known/jwks (without x5c/x5t:
 * the emulator has no certificate for its key). */
export function jwks(keys: SigningKey[]): { keys: Record<string, string>[] } {
  return {
    keys: keys.map((k) => {
      const jwk = k.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
      return { kty: 'RSA', alg: 'RS256', use: 'sig', kid: k.kid, n: jwk.n, e: jwk.e };
    }),
  };
}

/** Discovery document; `jwks_uri` points at the emulator because tests cannot reach GitHub. */
export function openIdConfiguration(jwksUrl: string): Record<string, unknown> {
  return {
    issuer: GITHUB_OIDC_ISSUER,
    jwks_uri: jwksUrl,
    subject_types_supported: ['public', 'pairwise'],
    response_types_supported: ['id_token'],
    claims_supported: [
      'sub',
      'aud',
      'exp',
      'iat',
      'iss',
      'jti',
      'nbf',
      'ref',
      'sha',
      'repository',
      'repository_id',
      'repository_owner',
      'repository_owner_id',
      'repository_visibility',
      'run_id',
      'run_number',
      'run_attempt',
      'runner_environment',
      'actor',
      'actor_id',
      'workflow',
      'workflow_ref',
      'workflow_sha',
      'head_ref',
      'base_ref',
      'event_name',
      'ref_type',
      'environment',
      'job_workflow_ref',
      'job_workflow_sha',
    ],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid'],
  };
}

// "Any `:` within the metadata values will be replaced with `%3A` in the subject claim." (oidc.md)
function subjectPart(value: string): string {
  return value.replaceAll(':', '%3A');
}

/**
 * The default `sub`, built as GitHub documents it (oidc.md, "Example subject claims"):
 * environment first, then `pull_request` for pull_request events, else the ref.
 * `immutable` gives the format of repositories created after 2026-07-15: OWNER@OWNER-ID/REPO@REPO-ID.
 */
export function subjectFor(
  repo: OidcRepository,
  ctx: { environment?: string; eventName: string; ref: string },
  immutable: boolean,
): string {
  const prefix = immutable
    ? `repo:${repo.owner}@${repo.ownerId}/${repo.name}@${repo.id}`
    : `repo:${repo.owner}/${repo.name}`;
  if (ctx.environment) return `${prefix}:environment:${subjectPart(ctx.environment)}`;
  if (ctx.eventName === 'pull_request') return `${prefix}:pull_request`;
  return `${prefix}:ref:${subjectPart(ctx.ref)}`;
}

let runCounter = 1000;

/** Claims of a token minted now for the given job description; everything GitHub sends is a string. */
export function buildClaims(
  repo: OidcRepository,
  input: IdTokenClaimsInput,
  audience: string | undefined,
  nowSeconds: number,
): Record<string, unknown> {
  const {
    repository: _repository,
    subject_format: subjectFormat,
    iat: iatOverride,
    nbf: nbfOverride,
    exp: expOverride,
    ...rest
  } = input;
  const full = `${repo.owner}/${repo.name}`;
  const eventName = input.event_name ?? 'push';
  const ref =
    input.ref ?? (eventName === 'pull_request' ? 'refs/pull/1/merge' : `refs/heads/${repo.defaultBranch}`);
  const runId = input.run_id ?? String(++runCounter);
  const workflowRef = input.workflow_ref ?? `${full}/.github/workflows/ci.yml@${ref}`;
  const sha = input.sha ?? '0000000000000000000000000000000000000000';
  const iat = iatOverride ?? nowSeconds;
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    sub: subjectFor(repo, { environment: input.environment, eventName, ref }, subjectFormat === 'immutable'),
    // "By default, this is the URL of the repository owner" (oidc.md).
    aud: audience ?? `https://github.com/${repo.owner}`,
    ref,
    sha,
    repository: full,
    repository_owner: repo.owner,
    repository_owner_id: String(repo.ownerId),
    repository_visibility: repo.visibility,
    repository_id: String(repo.id),
    actor_id: '1',
    actor: 'octocat',
    run_id: runId,
    run_number: '1',
    run_attempt: '1',
    runner_environment: 'github-hosted',
    workflow: 'CI',
    head_ref: eventName === 'pull_request' ? 'feature' : '',
    base_ref: eventName === 'pull_request' ? repo.defaultBranch : '',
    event_name: eventName,
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    workflow_ref: workflowRef,
    workflow_sha: sha,
    // For a job that is not in a reusable workflow, job_workflow_ref names the workflow itself.
    job_workflow_ref: workflowRef,
    job_workflow_sha: sha,
    ...rest,
    iss: GITHUB_OIDC_ISSUER,
    nbf: nbfOverride ?? iat - NOT_BEFORE_SKEW_SECONDS,
    exp: expOverride ?? iat + TOKEN_LIFETIME_SECONDS,
    iat,
  };
  if (input.environment) claims.environment = input.environment;
  else delete claims.environment;
  return claims;
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** RS256 compact JWS with GitHub's header fields (typ, alg, kid). */
export function signJwt(claims: Record<string, unknown>, key: SigningKey): string {
  const header = { typ: 'JWT', alg: 'RS256', kid: key.kid };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key.privateKey);
  return `${input}.${b64url(signature)}`;
}
