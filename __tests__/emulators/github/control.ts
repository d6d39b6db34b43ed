// Typed client for the GitHub emulator's control plane (`/__emulator/...`, no authentication), plus the
// types both sides share. Tests and scripts use this; the action under test never does.

import type { EchoEncoding } from '../echo.js';

export type AccessLevel = 'read' | 'write' | 'admin';

/**
 * Fine-grained permissions, keyed by GitHub's permission names (as in `X-Accepted-GitHub-Permissions`):
 * repository `secrets`, `environments`, `actions_variables`, `actions`, `metadata`; organization
 * `organization_secrets`, `organization_actions_variables`. `metadata: read` is always granted, as on GitHub.
 */
export type TokenPermissions = Partial<Record<string, AccessLevel>>;

export interface RepositorySpec {
  owner: string;
  repo: string;
  id?: number;
  /** Defaults to true. A private repository is hidden (404) from tokens that cannot reach it. */
  private?: boolean;
  environments?: string[];
  defaultBranch?: string;
}

export interface OrganizationSpec {
  org: string;
  id?: number;
}

export interface TokenSpec {
  token: string;
  /** Id shown in the request log instead of the token; generated when omitted. */
  id?: string;
  /** `installation` (GitHub App, `ghs_...`) or `fine-grained` (PAT). Defaults from the prefix. */
  type?: 'fine-grained' | 'installation';
  permissions: TokenPermissions;
  /** `owner/repo` names the token may reach, or `'all'`. Defaults to none. */
  repositories?: string[] | 'all';
  /** Organizations whose organization-level endpoints the token may use. */
  organizations?: string[];
}

export type SecretScopeRef =
  | { scope: 'repository'; owner: string; repo: string }
  | { scope: 'environment'; owner: string; repo: string; environment: string }
  | { scope: 'organization'; org: string };

export interface StoredVariable {
  scope: 'repository' | 'environment' | 'organization';
  owner?: string;
  repo?: string;
  environment?: string;
  org?: string;
  name: string;
  /** A secret's decrypted value (UTF-8); a variable's value. */
  value: string;
  created_at: string;
  updated_at: string;
  visibility?: 'all' | 'private' | 'selected';
  selected_repository_ids?: number[];
}

export interface StoredSecret extends StoredVariable {
  /** The key the value was sealed with. */
  key_id: string;
}

export interface LogEntry {
  seq: number;
  time: string;
  method: string;
  /** Path with query string. */
  path: string;
  status: number;
  /** Id of the registered token (or runner request token) that authenticated; null when none did. */
  tokenId: string | null;
  apiVersion: string | null;
  /** Set when an injected fault decided the response. */
  fault?: string;
  /** Set (with `fault`) when the fault was an `after` fault: the request was handled, then the fault answered. */
  faultAfter?: true;
  /** For an `after` fault: the status the emulator answered before the fault replaced it. */
  handledStatus?: number;
}

/**
 * One non-control request (REST and OIDC), timed, as `GET /__emulator/requests` returns it. For benchmarks:
 * how many requests a run made and which of them waited on each other.
 */
export interface TimedRequest {
  seq: number;
  method: string;
  /** Path with query string. */
  path: string;
  /**
   * Arrival, before any injected latency: milliseconds since the epoch, fractional, on the process's monotonic
   * clock (`performance.timeOrigin + performance.now()`); the log's `time` is the wall clock at whole ms.
   */
  start: number;
  /** When the response was done or the connection closed, same clock; null while in flight. */
  end: number | null;
  /** The HTTP status answered; 0 when the connection closed without a complete response. */
  status: number;
}

export interface FaultSpec {
  /** Regular expression tested against `METHOD /path` (path without query string). */
  match: string;
  /**
   * `http-error` answers `status` with GitHub's error body; `respond` answers `status` (default 200) with
   * `body` as is, for malformed or unexpected answers.
   */
  action: 'http-500' | 'http-503' | 'reset' | 'delay' | 'http-error' | 'respond';
  /** For http-error (400-599, e.g. 422 or 502) and respond (default 200). */
  status?: number;
  /** For http-500, http-503 and http-error: the error message (default: the status's reason). */
  message?: string;
  /** For respond: the JSON body. */
  body?: unknown;
  /**
   * For http-500, http-503 and http-error (not `after`): the error message echoes the request, as GitHub's
   * validation errors quote the values they reject and some proxies' error pages quote the request: `body`
   * appends the request body; `request` the request line, every header (Authorization too) and the body.
   */
  echo?: 'body' | 'request';
  /**
   * With echo: quote the request as a JSON text (`{body}`, or `{method, url, headers, body}`) shown in this
   * encoding (../echo.ts: `json`, `json-string`, `url`, `form`, `base64`, `wrapped`, `sql-quoted`) instead of
   * as plain text.
   */
  echoAs?: EchoEncoding;
  delayMs?: number;
  /** How many matching requests the fault applies to; unlimited when omitted. */
  times?: number;
  /** How many matching requests to let through before the fault applies; default 0. */
  skip?: number;
  /**
   * Handle the request in full first (a PUT stores the secret), then let the fault replace the response:
   * http-500/http-503 answer that status, reset destroys the connection, delay sends the real response
   * after `delayMs`. "The request was carried out, the reply was lost." Default false.
   */
  after?: boolean;
}

/**
 * What a job looks like to GitHub's OIDC provider. Only `repository` (`owner/repo`, registered) is required;
 * the emulator fills in the ids, visibility and GitHub's other claims. Any extra key becomes a claim.
 */
export interface IdTokenClaimsInput {
  repository: string;
  ref?: string;
  sha?: string;
  environment?: string;
  event_name?: string;
  actor?: string;
  run_id?: string;
  workflow?: string;
  workflow_ref?: string;
  job_workflow_ref?: string;
  /** `immutable`: subject `repo:OWNER@OWNER-ID/REPO@REPO-ID:...` (repositories created after 2026-07-15). */
  subject_format?: 'default' | 'immutable';
  /** Overrides for tests of expired or not-yet-valid tokens (seconds since the epoch). */
  iat?: number;
  nbf?: number;
  exp?: number;
  [claim: string]: unknown;
}

export class GitHubControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'GitHubControlError';
  }
}

export class GitHubControl {
  private readonly base: string;

  constructor(url: string) {
    this.base = url.replace(/\/+$/, '');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}/__emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const data: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const message = (data as { error?: string } | undefined)?.error ?? text;
      throw new GitHubControlError(res.status, `${method} /__emulator${path}: ${res.status} ${message}`);
    }
    return data as T;
  }

  addRepository(spec: RepositorySpec): Promise<{ id: number; owner_id: number }> {
    return this.call('POST', '/repositories', spec);
  }

  addEnvironment(owner: string, repo: string, environment: string): Promise<{ id: number }> {
    return this.call('POST', '/environments', { owner, repo, environment });
  }

  addOrganization(spec: OrganizationSpec): Promise<{ id: number }> {
    return this.call('POST', '/organizations', spec);
  }

  addToken(spec: TokenSpec): Promise<{ id: string }> {
    return this.call('POST', '/tokens', spec);
  }

  revokeToken(id: string): Promise<void> {
    return this.call('DELETE', `/tokens/${encodeURIComponent(id)}`);
  }

  /** Every stored secret, decrypted, for assertions. */
  secrets(): Promise<StoredSecret[]> {
    return this.call('GET', '/secrets');
  }

  /**
   * Seeds a secret directly (as if set earlier in the UI), sealed with the scope's current key; `updated_at`
   * (ISO 8601) backdates it, as a secret set days ago (also its `created_at` when it is new).
   */
  putSecret(
    ref: SecretScopeRef,
    name: string,
    value: string,
    options?: {
      visibility?: 'all' | 'private' | 'selected';
      selected_repository_ids?: number[];
      updated_at?: string;
    },
  ): Promise<void> {
    return this.call('POST', '/secrets', { ...ref, name, value, ...options });
  }

  variables(): Promise<StoredVariable[]> {
    return this.call('GET', '/variables');
  }

  /** The scope's current public key, as `GET .../secrets/public-key` would return it. */
  publicKey(ref: SecretScopeRef): Promise<{ key_id: string; key: string }> {
    return this.call('POST', '/public-keys', ref);
  }

  /** Replaces the scope's key pair: values sealed for the previous `key_id` are then rejected (422). */
  rotatePublicKey(ref: SecretScopeRef): Promise<{ key_id: string; key: string }> {
    return this.call('POST', '/public-keys/rotate', ref);
  }

  log(): Promise<LogEntry[]> {
    return this.call('GET', '/log');
  }

  clearLog(): Promise<void> {
    return this.call('DELETE', '/log');
  }

  /** Every non-control request since the last clearRequests() (or reset), timed. */
  requests(): Promise<TimedRequest[]> {
    return this.call('GET', '/requests');
  }

  clearRequests(): Promise<void> {
    return this.call('DELETE', '/requests');
  }

  fault(spec: FaultSpec): Promise<void> {
    return this.call('POST', '/faults', spec);
  }

  clearFaults(): Promise<void> {
    return this.call('DELETE', '/faults');
  }

  /** Adds `ms` to every request outside the control plane (0 turns it off). */
  latency(ms: number): Promise<void> {
    return this.call('POST', '/latency', { ms });
  }

  /** Registers a runner request token (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`) and the job it stands for. */
  addIdTokenRequest(spec: { requestToken: string; id?: string; claims: IdTokenClaimsInput }): Promise<{
    id: string;
  }> {
    return this.call('POST', '/id-token-requests', spec);
  }

  /** Mints a signed OIDC token directly (without the runner endpoint). */
  async mintIdToken(claims: IdTokenClaimsInput, audience?: string): Promise<string> {
    const { token } = await this.call<{ token: string }>('POST', '/id-tokens', { claims, audience });
    return token;
  }

  /** Forgets everything: repositories, organizations, tokens, secrets, variables, faults, log. */
  reset(): Promise<void> {
    return this.call('POST', '/reset');
  }
}
