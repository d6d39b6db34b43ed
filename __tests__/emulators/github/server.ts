// GitHub emulator: the REST endpoints this project uses (Actions secrets and variables for repositories,
// environments and organizations; repositories, environments, organizations), the runner's OIDC token
// endpoint with its JWKS, and a control plane under /__emulator for tests. One HTTP server on 127.0.0.1.
//
// Behaviour and wording come from GitHub's documentation and from responses quoted in public issues; each
// rule cites its source here and in README.md. Where GitHub's exact wording is unknown, the comment says so.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import {
  GitHubControl,
  type AccessLevel,
  type FaultSpec,
  type IdTokenClaimsInput,
  type LogEntry,
  type RepositorySpec,
  type SecretScopeRef,
  type TimedRequest,
  type TokenSpec,
} from './control.js';
import { type EchoEncoding, encodeEcho, isEchoEncoding } from '../echo.js';
import {
  GITHUB_OIDC_ISSUER,
  buildClaims,
  jwks,
  newSigningKey,
  openIdConfiguration,
  signJwt,
  type OidcRepository,
  type SigningKey,
} from './oidc.js';
import {
  GitHubState,
  levelSatisfies,
  openSealed,
  publicKeyBody,
  seal,
  timestamp,
  type Environment,
  type Organization,
  type Repository,
  type Scope,
  type Secret,
  type Token,
  type Variable,
  type Visibility,
} from './state.js';

export interface GitHubEmulator {
  /** http://127.0.0.1:PORT, the value for GITHUB_API_URL. */
  url: string;
  oidc: {
    issuer: typeof GITHUB_OIDC_ISSUER;
    jwksUrl: string;
    /** Value for ACTIONS_ID_TOKEN_REQUEST_URL (already has a query string, as the runner's does). */
    requestUrl: string;
  };
  /** Control-plane client bound to this emulator. */
  control: GitHubControl;
  close(): Promise<void>;
}

// "requests that don't include the X-GitHub-Api-Version header will continue to default to 2022-11-28"
// (https://github.blog/changelog/2026-03-12-rest-api-version-2026-03-10-is-now-available).
const API_VERSIONS = ['2026-03-10', '2022-11-28'] as const;
const DEFAULT_API_VERSION = '2022-11-28';

const DOCS = 'https://docs.github.com/rest';
const SECRETS_DOCS = 'https://docs.github.com/rest/actions/secrets';
const VARIABLES_DOCS = 'https://docs.github.com/rest/actions/variables';

// Secrets and variables are limited to 48 KB each (GitHub docs, "Limits for secrets" / "Limits for
// configuration variables"); the limit is applied to the decrypted value.
const VALUE_LIMIT_BYTES = 48 * 1024;

// Exact pattern GitHub quotes when encrypted_value is not standard base64 (github/rest-api-description#1688).
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

// Naming rules: "[A-Za-z0-9_] only, must not start with GITHUB_ or a digit, case-insensitive"
// (docs "Naming your secrets"); message text as returned by the API (millylee/anyrouter-check-in#126).
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const nameMessage = (kind: 'Secret' | 'Variable'): string =>
  `${kind} names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_). ` +
  'Spaces are not allowed. Must start with a letter ([a-z], [A-Z]) or underscores (_).';

// "Bad request - validation failed due to an improperly encrypted secret", status 422
// (rollthecloudinc/hedge#256, integrations/terraform-provider-github#2315). GitHub's wording for a stale
// key_id is not documented; the value cannot be opened with the current key either, so the same answer.
const IMPROPERLY_ENCRYPTED = 'Bad request - validation failed due to an improperly encrypted secret';

type Need = [permission: string, level: AccessLevel];
type Target = 'repo' | 'env' | 'org' | 'public-org';

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  token: Token | null;
  docs: string;
  headers: Record<string, string>;
  repo?: Repository;
  env?: Environment;
  org?: Organization;
}

interface Route {
  method: string;
  segments: string[];
  target: Target;
  needs: Need[];
  docs: string;
  handler: (ctx: Ctx) => Promise<void> | void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A delay fault's wait; unref'd, so a stalled reply does not keep the process alive after close(). */
const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

const FAULT_ACTIONS: FaultSpec['action'][] = [
  'http-500',
  'http-503',
  'reset',
  'delay',
  'http-error',
  'respond',
];

/** The status and message of an error-answering fault (http-500, http-503, http-error). */
function faultError(fault: FaultSpec): { status: number; message: string } {
  const status =
    fault.action === 'http-error' ? Number(fault.status) : fault.action === 'http-500' ? 500 : 503;
  const reasons: Record<number, string> = {
    422: 'Validation Failed',
    500: 'Server Error',
    503: 'Service Unavailable',
  };
  return { status, message: fault.message ?? reasons[status] ?? `HTTP ${status}` };
}

/**
 * A fault's message echoing the request (FaultSpec.echo): its body, or its request line, headers and body; as
 * text, or with `echoAs` as a JSON text shown in that encoding (../echo.ts).
 */
async function echoRequest(
  req: IncomingMessage,
  message: string,
  echo: 'body' | 'request',
  echoAs: EchoEncoding | undefined,
): Promise<string> {
  const body = await readBody(req);
  if (echoAs !== undefined) {
    const parsed = parseJsonOr(body);
    const quoted =
      echo === 'body'
        ? { body: parsed }
        : { method: req.method, url: req.url, headers: req.headers, body: parsed };
    return `${message}\n\n${encodeEcho(quoted, echoAs)}`;
  }
  if (echo === 'body') return `${message}\n\n${body}`;
  const headers = Object.entries(req.headers).map(([name, value]) => `${name}: ${String(value)}`);
  return `${message}\n\n${req.method ?? 'GET'} ${req.url ?? '/'}\n${headers.join('\n')}\n\n${body}`;
}

/** GitHub's error body: message, documentation_url, and the status as a string ("422"). */
function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  docs: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { message, documentation_url: docs, status: String(status) }, headers);
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4 * 1024 * 1024) throw new HttpError(413, 'Payload too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON object body the way GitHub reports problems with it (400, docs "Troubleshooting"). */
async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Problems parsing JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HttpError(400, 'Body should be a JSON object');
  }
  return data as Record<string, unknown>;
}

/** JSON-schema style validation messages: `Invalid request.\n\n"key_id" wasn't supplied.`
 * (github/rest-api-description#419). */
function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null)
    throw new HttpError(422, `Invalid request.\n\n"${field}" wasn't supplied.`);
  if (typeof value !== 'string') {
    throw new HttpError(
      422,
      `Invalid request.\n\nFor 'properties/${field}', ${JSON.stringify(value)} is not a string.`,
    );
  }
  return value;
}

function validateName(kind: 'Secret' | 'Variable', raw: string): string {
  if (!NAME_PATTERN.test(raw)) throw new HttpError(422, nameMessage(kind));
  // Wording as GitHub shows it: "Secret names must not start with GITHUB_." (tauri-apps/tauri-action#628).
  if (/^GITHUB_/i.test(raw)) throw new HttpError(422, `${kind} names must not start with GITHUB_.`);
  // Names are case-insensitive; GitHub stores and lists them upper-cased.
  return raw.toUpperCase();
}

function orgVisibility(
  body: Record<string, unknown>,
  required: boolean,
): { visibility?: Visibility; ids?: number[] } {
  const raw = body.visibility;
  let visibility: Visibility | undefined;
  if (raw === undefined || raw === null) {
    if (required) throw new HttpError(422, `Invalid request.\n\n"visibility" wasn't supplied.`);
  } else if (raw === 'all' || raw === 'private' || raw === 'selected') {
    visibility = raw;
  } else {
    throw new HttpError(
      422,
      `Invalid request.\n\nFor 'properties/visibility', ${JSON.stringify(raw)} is not one of ["all", "private", "selected"].`,
    );
  }
  const rawIds = body.selected_repository_ids;
  if (rawIds === undefined || rawIds === null) return { visibility };
  // The description allows integers or numeric strings ((number | string)[] in @octokit/openapi-types).
  if (
    !Array.isArray(rawIds) ||
    !rawIds.every((v) => Number.isInteger(Number(v)) && String(v).trim() !== '')
  ) {
    throw new HttpError(
      422,
      `Invalid request.\n\nFor 'properties/selected_repository_ids', ${JSON.stringify(rawIds)} is not an array of repository ids.`,
    );
  }
  // "You can only provide a list of repository ids when the visibility is set to selected" (endpoint docs).
  // Wording of the rejection is the emulator's own.
  if (visibility !== undefined && visibility !== 'selected') {
    throw new HttpError(
      422,
      'Invalid request.\n\nYou can only provide a list of repository ids when the visibility is set to selected.',
    );
  }
  return { visibility, ids: rawIds.map((v) => Number(v)) };
}

function paginate<T>(ctx: Ctx, items: T[]): T[] {
  const perPage = Math.min(Math.max(Number(ctx.url.searchParams.get('per_page') ?? 30) || 30, 1), 100);
  const page = Math.max(Number(ctx.url.searchParams.get('page') ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (p: number, rel: string): string => {
    const u = new URL(ctx.url.toString());
    u.searchParams.set('per_page', String(perPage));
    u.searchParams.set('page', String(p));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  if (links.length) ctx.headers.link = links.join(', ');
  return items.slice((page - 1) * perPage, page * perPage);
}

export async function startGitHubEmulator(options: { port?: number } = {}): Promise<GitHubEmulator> {
  await sodium.ready;
  const state = new GitHubState();
  const signingKey: SigningKey = newSigningKey();
  const requestTokens = new Map<string, { id: string; claims: IdTokenClaimsInput }>();
  let faults: (FaultSpec & { regex: RegExp; remaining: number })[] = [];
  let latencyMs = 0;
  let log: LogEntry[] = [];
  let seq = 0;
  // Every non-control request, timed from arrival to the end of its response (GET /__emulator/requests). The
  // clock is the process's monotonic one in milliseconds since the epoch, comparable with the Snowflake
  // emulator's timings and with `performance.timeOrigin + performance.now()` in other processes.
  let requests: TimedRequest[] = [];
  let requestSeq = 0;
  const timingClock = (): number => performance.timeOrigin + performance.now();
  let base = '';

  const scopeOf = (ctx: Ctx): Scope => {
    if (ctx.env && ctx.repo) {
      return state.scope({
        scope: 'environment',
        owner: ctx.repo.owner,
        repo: ctx.repo.name,
        environment: ctx.env.name,
      });
    }
    if (ctx.repo) return state.scope({ scope: 'repository', owner: ctx.repo.owner, repo: ctx.repo.name });
    if (ctx.org) return state.scope({ scope: 'organization', org: ctx.org.login });
    throw new Error('route without a scope');
  };

  const selectedUrl = (ctx: Ctx, kind: 'secrets' | 'variables', name: string): string =>
    `${base}/orgs/${encodeURIComponent(ctx.org?.login ?? '')}/actions/${kind}/${name}/repositories`;

  // ---------- Actions secrets (https://docs.github.com/rest/actions/secrets) ----------

  const secretMeta = (ctx: Ctx, s: Secret) => ({
    name: s.name,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    ...(ctx.org
      ? {
          visibility: s.visibility,
          ...(s.visibility === 'selected'
            ? { selected_repositories_url: selectedUrl(ctx, 'secrets', s.name) }
            : {}),
        }
      : {}),
  });

  const getPublicKey = (ctx: Ctx): void =>
    sendJson(ctx.res, 200, publicKeyBody(scopeOf(ctx).key), ctx.headers);

  const listSecrets = (ctx: Ctx): void => {
    const all = [...scopeOf(ctx).secrets.values()].sort((a, b) => a.name.localeCompare(b.name));
    const page = paginate(ctx, all).map((s) => secretMeta(ctx, s));
    sendJson(ctx.res, 200, { total_count: all.length, secrets: page }, ctx.headers);
  };

  const getSecret = (ctx: Ctx): void => {
    const secret = scopeOf(ctx).secrets.get(String(ctx.params.name).toUpperCase());
    if (!secret) throw new HttpError(404, 'Not Found');
    sendJson(ctx.res, 200, secretMeta(ctx, secret), ctx.headers);
  };

  const putSecret = async (ctx: Ctx): Promise<void> => {
    const name = validateName('Secret', String(ctx.params.name));
    const body = await readJsonObject(ctx.req);
    const encrypted = requireString(body, 'encrypted_value');
    const keyId = requireString(body, 'key_id');
    if (!BASE64_PATTERN.test(encrypted)) {
      throw new HttpError(422, `Invalid request.\n\n${encrypted} does not match ${BASE64_PATTERN.source}.`);
    }
    const vis = ctx.org ? orgVisibility(body, true) : {};
    const scope = scopeOf(ctx);
    if (keyId !== scope.key.keyId) throw new HttpError(422, IMPROPERLY_ENCRYPTED);
    const opened = openSealed(scope.key, Buffer.from(encrypted, 'base64'));
    if (!opened) throw new HttpError(422, IMPROPERLY_ENCRYPTED);
    // Wording for an oversized value is the emulator's own; the 48 KB limit is documented.
    if (opened.length > VALUE_LIMIT_BYTES)
      throw new HttpError(422, 'Secret value is too large (48 KB maximum).');
    const value = Buffer.from(opened).toString('utf8');
    const now = timestamp();
    const existing = scope.secrets.get(name);
    const orgFields = ctx.org
      ? {
          visibility: vis.visibility,
          selectedRepositoryIds: vis.visibility === 'selected' ? (vis.ids ?? []) : undefined,
        }
      : {};
    scope.secrets.set(name, {
      name,
      value,
      keyId,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      ...orgFields,
    });
    // 201 "Response when creating a secret" with an empty object, 204 "Response when updating a secret".
    if (existing) sendEmpty(ctx.res, 204, ctx.headers);
    else sendJson(ctx.res, 201, {}, ctx.headers);
  };

  const deleteSecret = (ctx: Ctx): void => {
    const scope = scopeOf(ctx);
    const name = String(ctx.params.name).toUpperCase();
    if (!scope.secrets.delete(name)) throw new HttpError(404, 'Not Found');
    sendEmpty(ctx.res, 204, ctx.headers);
  };

  const listSelectedRepos = (kind: 'secrets' | 'variables') => (ctx: Ctx) => {
    const scope = scopeOf(ctx);
    const name = String(ctx.params.name).toUpperCase();
    const item = kind === 'secrets' ? scope.secrets.get(name) : scope.variables.get(name);
    if (!item) throw new HttpError(404, 'Not Found');
    const repos = (item.selectedRepositoryIds ?? [])
      .map((id) => state.repositoryById(id))
      .filter((r): r is Repository => r !== undefined);
    sendJson(
      ctx.res,
      200,
      { total_count: repos.length, repositories: paginate(ctx, repos).map(repoBody) },
      ctx.headers,
    );
  };

  // ---------- Actions variables (https://docs.github.com/rest/actions/variables) ----------

  const variableBody = (ctx: Ctx, v: Variable) => ({
    name: v.name,
    value: v.value,
    created_at: v.createdAt,
    updated_at: v.updatedAt,
    ...(ctx.org
      ? {
          visibility: v.visibility,
          ...(v.visibility === 'selected'
            ? { selected_repositories_url: selectedUrl(ctx, 'variables', v.name) }
            : {}),
        }
      : {}),
  });

  const checkVariableValue = (value: string): void => {
    // Limit documented as 48 KB per variable; the wording is the emulator's own.
    if (Buffer.byteLength(value) > VALUE_LIMIT_BYTES) {
      throw new HttpError(422, 'Variable value is too large (48 KB maximum).');
    }
  };

  const listVariables = (ctx: Ctx): void => {
    const all = [...scopeOf(ctx).variables.values()].sort((a, b) => a.name.localeCompare(b.name));
    const page = paginate(ctx, all).map((v) => variableBody(ctx, v));
    sendJson(ctx.res, 200, { total_count: all.length, variables: page }, ctx.headers);
  };

  const createVariable = async (ctx: Ctx): Promise<void> => {
    const body = await readJsonObject(ctx.req);
    const name = validateName('Variable', requireString(body, 'name'));
    const value = requireString(body, 'value');
    checkVariableValue(value);
    const vis = ctx.org ? orgVisibility(body, true) : {};
    const scope = scopeOf(ctx);
    // POST on an existing name: 409 "Already exists - Variable already exists"
    // (nexthink-oss/terraform-provider-github#12 quoting the API).
    if (scope.variables.has(name)) throw new HttpError(409, 'Already exists - Variable already exists');
    const now = timestamp();
    scope.variables.set(name, {
      name,
      value,
      createdAt: now,
      updatedAt: now,
      ...(ctx.org
        ? {
            visibility: vis.visibility,
            selectedRepositoryIds: vis.visibility === 'selected' ? (vis.ids ?? []) : undefined,
          }
        : {}),
    });
    sendJson(ctx.res, 201, {}, ctx.headers);
  };

  const getVariable = (ctx: Ctx): void => {
    const v = scopeOf(ctx).variables.get(String(ctx.params.name).toUpperCase());
    if (!v) throw new HttpError(404, 'Not Found');
    sendJson(ctx.res, 200, variableBody(ctx, v), ctx.headers);
  };

  const updateVariable = async (ctx: Ctx): Promise<void> => {
    const scope = scopeOf(ctx);
    const current = String(ctx.params.name).toUpperCase();
    const existing = scope.variables.get(current);
    // There is no upsert: PATCH on a missing variable is 404 (shared notes; the endpoint has no 201).
    if (!existing) throw new HttpError(404, 'Not Found');
    const body = await readJsonObject(ctx.req);
    const newName =
      body.name === undefined || body.name === null
        ? current
        : validateName('Variable', requireString(body, 'name'));
    const value =
      body.value === undefined || body.value === null ? existing.value : requireString(body, 'value');
    checkVariableValue(value);
    if (newName !== current && scope.variables.has(newName)) {
      throw new HttpError(409, 'Already exists - Variable already exists');
    }
    const vis = ctx.org ? orgVisibility(body, false) : {};
    scope.variables.delete(current);
    const visibility = vis.visibility ?? existing.visibility;
    scope.variables.set(newName, {
      ...existing,
      name: newName,
      value,
      updatedAt: timestamp(),
      ...(ctx.org
        ? {
            visibility,
            selectedRepositoryIds:
              visibility === 'selected' ? (vis.ids ?? existing.selectedRepositoryIds ?? []) : undefined,
          }
        : {}),
    });
    sendEmpty(ctx.res, 204, ctx.headers);
  };

  const deleteVariable = (ctx: Ctx): void => {
    if (!scopeOf(ctx).variables.delete(String(ctx.params.name).toUpperCase()))
      throw new HttpError(404, 'Not Found');
    sendEmpty(ctx.res, 204, ctx.headers);
  };

  // ---------- Repositories, environments, organizations ----------

  const repoBody = (repo: Repository) => ({
    id: repo.id,
    node_id: Buffer.from(`010:Repository${repo.id}`).toString('base64'),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    private: repo.private,
    owner: {
      login: repo.owner,
      id: repo.ownerId,
      node_id: Buffer.from(`04:${repo.ownerType}${repo.ownerId}`).toString('base64'),
      type: repo.ownerType,
      site_admin: false,
      url: `${base}/${repo.ownerType === 'Organization' ? 'orgs' : 'users'}/${repo.owner}`,
      html_url: `https://github.com/${repo.owner}`,
    },
    html_url: `https://github.com/${repo.owner}/${repo.name}`,
    description: null,
    fork: false,
    url: `${base}/repos/${repo.owner}/${repo.name}`,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    pushed_at: repo.createdAt,
    default_branch: repo.defaultBranch,
    visibility: repo.private ? 'private' : 'public',
    archived: false,
    disabled: false,
  });

  const getRepository = (ctx: Ctx): void =>
    sendJson(ctx.res, 200, repoBody(ctx.repo as Repository), ctx.headers);

  const getEnvironment = (ctx: Ctx): void => {
    const repo = ctx.repo as Repository;
    const env = ctx.env as Environment;
    const encoded = encodeURIComponent(env.name);
    sendJson(
      ctx.res,
      200,
      {
        id: env.id,
        node_id: Buffer.from(`011:Environment${env.id}`).toString('base64'),
        name: env.name,
        url: `${base}/repos/${repo.owner}/${repo.name}/environments/${encoded}`,
        html_url: `https://github.com/${repo.owner}/${repo.name}/deployments/activity_log?environments_filter=${encoded}`,
        created_at: env.createdAt,
        updated_at: env.updatedAt,
        protection_rules: [],
        deployment_branch_policy: null,
      },
      ctx.headers,
    );
  };

  const getOrganization = (ctx: Ctx): void => {
    const org = ctx.org as Organization;
    sendJson(
      ctx.res,
      200,
      {
        login: org.login,
        id: org.id,
        node_id: Buffer.from(`012:Organization${org.id}`).toString('base64'),
        url: `${base}/orgs/${org.login}`,
        repos_url: `${base}/orgs/${org.login}/repos`,
        description: null,
        name: org.login,
        html_url: `https://github.com/${org.login}`,
        type: 'Organization',
        created_at: org.createdAt,
        updated_at: org.createdAt,
      },
      ctx.headers,
    );
  };

  // ---------- Route table ----------
  // Required fine-grained permissions per endpoint from GitHub's "Permissions required for fine-grained
  // personal access tokens" data (github/docs src/github-apps/data/fpt-2022-11-28/fine-grained-pat-permissions.json):
  // environment secrets and variables need `environments` as an additional permission at the same level.

  const routes: Route[] = [];
  const add = (
    method: string,
    path: string,
    target: Target,
    needs: Need[],
    docs: string,
    handler: Route['handler'],
  ): void => {
    routes.push({ method, segments: path.split('/').slice(1), target, needs, docs, handler });
  };

  const R = '/repos/:owner/:repo';
  const E = `${R}/environments/:env`;
  const O = '/orgs/:org';
  interface ScopeRoutes {
    prefix: string;
    target: Target;
    extra: string[];
    secret: string;
    variable: string;
    noun: string;
    a: string;
  }
  // prettier-ignore
  const scopes: ScopeRoutes[] = [
    { prefix: `${R}/actions`, target: 'repo', extra: [], secret: 'secrets', variable: 'actions_variables', noun: 'repository', a: 'a' },
    { prefix: E, target: 'env', extra: ['environments'], secret: 'secrets', variable: 'actions_variables', noun: 'environment', a: 'an' },
    { prefix: `${O}/actions`, target: 'org', extra: [], secret: 'organization_secrets', variable: 'organization_actions_variables', noun: 'organization', a: 'an' },
  ];
  for (const s of scopes) {
    // [method, path suffix, secret or variable permission, level, docs anchor, handler]
    // prettier-ignore
    const table: [string, string, 'secret' | 'variable', AccessLevel, string, Route['handler']][] = [
      ['GET', '/secrets/public-key', 'secret', 'read', `${SECRETS_DOCS}#get-${s.a}-${s.noun}-public-key`, getPublicKey],
      ['GET', '/secrets', 'secret', 'read', `${SECRETS_DOCS}#list-${s.noun}-secrets`, listSecrets],
      ['GET', '/secrets/:name', 'secret', 'read', `${SECRETS_DOCS}#get-${s.a}-${s.noun}-secret`, getSecret],
      ['PUT', '/secrets/:name', 'secret', 'write', `${SECRETS_DOCS}#create-or-update-${s.a}-${s.noun}-secret`, putSecret],
      ['DELETE', '/secrets/:name', 'secret', 'write', `${SECRETS_DOCS}#delete-${s.a}-${s.noun}-secret`, deleteSecret],
      ['GET', '/variables', 'variable', 'read', `${VARIABLES_DOCS}#list-${s.noun}-variables`, listVariables],
      ['POST', '/variables', 'variable', 'write', `${VARIABLES_DOCS}#create-${s.a}-${s.noun}-variable`, createVariable],
      ['GET', '/variables/:name', 'variable', 'read', `${VARIABLES_DOCS}#get-${s.a}-${s.noun}-variable`, getVariable],
      ['PATCH', '/variables/:name', 'variable', 'write', `${VARIABLES_DOCS}#update-${s.a}-${s.noun}-variable`, updateVariable],
      ['DELETE', '/variables/:name', 'variable', 'write', `${VARIABLES_DOCS}#delete-${s.a}-${s.noun}-variable`, deleteVariable],
    ];
    for (const [method, suffix, kind, level, docs, handler] of table) {
      const perm = kind === 'secret' ? s.secret : s.variable;
      const needs: Need[] = [[perm, level], ...s.extra.map((p): Need => [p, level])];
      add(method, `${s.prefix}${suffix}`, s.target, needs, docs, handler);
    }
  }
  add(
    'GET',
    `${O}/actions/secrets/:name/repositories`,
    'org',
    [['organization_secrets', 'read']],
    `${SECRETS_DOCS}#list-selected-repositories-for-an-organization-secret`,
    listSelectedRepos('secrets'),
  );
  add(
    'GET',
    `${O}/actions/variables/:name/repositories`,
    'org',
    [['organization_actions_variables', 'read']],
    `${VARIABLES_DOCS}#list-selected-repositories-for-an-organization-variable`,
    listSelectedRepos('variables'),
  );
  // "Get a repository": metadata read, which every fine-grained token has.
  add(
    'GET',
    R,
    'repo',
    [['metadata', 'read']],
    'https://docs.github.com/rest/repos/repos#get-a-repository',
    getRepository,
  );
  // Environments are read with the "Actions" repository permission (docs "REST API endpoints for
  // deployment environments", fine-grained access tokens for "List environments": "Actions" read).
  add(
    'GET',
    E,
    'env',
    [['actions', 'read']],
    'https://docs.github.com/rest/deployments/environments#get-an-environment',
    getEnvironment,
  );
  add(
    'GET',
    O,
    'public-org',
    [],
    'https://docs.github.com/rest/orgs/orgs#get-an-organization',
    getOrganization,
  );

  const matchRoute = (
    method: string,
    pathname: string,
  ): { route: Route; params: Record<string, string> } | null => {
    const parts = pathname.split('/').slice(1);
    for (const route of routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = route.segments[i] as string;
        const part = parts[i] as string;
        if (seg.startsWith(':')) {
          if (part === '') {
            ok = false;
            break;
          }
          try {
            // Path parameters are URL-encoded; an environment named "a/b" arrives as "a%2Fb".
            params[seg.slice(1)] = decodeURIComponent(part);
          } catch {
            ok = false;
            break;
          }
        } else if (seg !== part) {
          ok = false;
          break;
        }
      }
      if (ok) return { route, params };
    }
    return null;
  };

  // ---------- REST request pipeline ----------

  const handleRest = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    entry: LogEntry,
  ): Promise<void> => {
    const method = req.method ?? 'GET';
    const versionHeader = req.headers['x-github-api-version'];
    const version = Array.isArray(versionHeader) ? versionHeader[0] : versionHeader;
    entry.apiVersion = version ?? null;
    const headers: Record<string, string> = {
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
    };
    if (version !== undefined && !(API_VERSIONS as readonly string[]).includes(version)) {
      // Message as GitHub returns it (expipiplus1/update-nix-fetchgit#79), listing the versions it knows.
      const known = API_VERSIONS.map((v, i) => `"${v}"${i === 0 ? ' (most recent)' : ''}`).join(', ');
      return sendError(
        res,
        400,
        `The version you specified in the "X-GitHub-API-Version" request header, "${version}", is not a supported version. The following versions are currently supported: ${known}.`,
        `${DOCS}/overview/api-versions`,
        headers,
      );
    }
    headers['x-github-api-version-selected'] = version ?? DEFAULT_API_VERSION;
    try {
      await routeRest(req, res, url, entry, headers);
    } catch (e) {
      if (!(e instanceof HttpError) || res.headersSent) throw e;
      const docs = matchRoute(method, url.pathname)?.route.docs ?? DOCS;
      sendError(res, e.status, e.message, docs, { ...headers, ...e.headers });
    }
  };

  const routeRest = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    entry: LogEntry,
    headers: Record<string, string>,
  ): Promise<void> => {
    const method = req.method ?? 'GET';
    // Authorization: "token X" or "Bearer X". A header with an unknown token is 401 "Bad credentials",
    // whatever the path (credentials are checked before routing).
    let token: Token | null = null;
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(auth);
      token = (m && state.tokenBySecret(m[1] as string)) || null;
      if (!token) return sendError(res, 401, 'Bad credentials', DOCS, headers);
      entry.tokenId = token.id;
    }

    const matched = matchRoute(method, url.pathname);
    // Unknown paths, trailing slashes and unsupported methods are all 404 on GitHub (docs "Troubleshooting").
    if (!matched) return sendError(res, 404, 'Not Found', DOCS, headers);
    const { route, params } = matched;
    const ctx: Ctx = { req, res, url, params, token, docs: route.docs, headers };
    const gated = route.needs.some(([p]) => p !== 'metadata');
    if (token && route.needs.length) {
      // Sent to fine-grained actors on every response (changelog 2023-08-10). One set: comma-separated.
      headers['x-accepted-github-permissions'] = route.needs.map(([p, l]) => `${p}=${l}`).join(',');
    }
    const forbidden = (): HttpError =>
      new HttpError(
        403,
        // "Resource not accessible by integration" / "... by personal access token" (docs "Troubleshooting").
        `Resource not accessible by ${token?.type === 'installation' ? 'integration' : 'personal access token'}`,
      );
    const lacks = (t: Token): boolean => !route.needs.every(([p, l]) => levelSatisfies(t.permissions[p], l));

    if (route.target === 'repo' || route.target === 'env') {
      const repo = state.repository(String(params.owner), String(params.repo));
      // Private repositories a token cannot reach are reported as 404 so their existence is not confirmed.
      if (!repo || (repo.private && !(token && state.canReach(token, repo)))) {
        return sendError(res, 404, 'Not Found', route.docs, headers);
      }
      ctx.repo = repo;
      if (gated && !token) return sendError(res, 401, 'Requires authentication', route.docs, headers);
      if (token && gated && (!state.canReach(token, repo) || lacks(token))) throw forbidden();
      if (route.target === 'env') {
        const env = repo.environments.get(String(params.env).toLowerCase());
        if (!env) return sendError(res, 404, 'Not Found', route.docs, headers);
        ctx.env = env;
      }
    } else if (route.target === 'org' || route.target === 'public-org') {
      const org = state.organization(String(params.org));
      if (!org) return sendError(res, 404, 'Not Found', route.docs, headers);
      ctx.org = org;
      if (route.target === 'org') {
        if (!token) return sendError(res, 401, 'Requires authentication', route.docs, headers);
        // A token whose resource owner is another account gets 403 here (the organization itself is public).
        if (!token.organizations.has(org.login.toLowerCase()) || lacks(token)) throw forbidden();
      }
    }
    await route.handler(ctx);
  };

  // ---------- Runner OIDC endpoint and discovery ----------

  const oidcRepository = (full: string): OidcRepository | undefined => {
    const [owner, name] = full.split('/');
    const repo = owner && name ? state.repository(owner, name) : undefined;
    if (!repo) return undefined;
    return {
      owner: repo.owner,
      ownerId: repo.ownerId,
      name: repo.name,
      id: repo.id,
      visibility: repo.private ? 'private' : 'public',
      defaultBranch: repo.defaultBranch,
    };
  };

  const mint = (claims: IdTokenClaimsInput, audience: string | undefined): string => {
    const repo = oidcRepository(claims.repository);
    if (!repo) throw new HttpError(400, `unknown repository ${claims.repository}`);
    return signJwt(buildClaims(repo, claims, audience, Math.floor(Date.now() / 1000)), signingKey);
  };

  const handleOidc = (req: IncomingMessage, res: ServerResponse, url: URL, entry: LogEntry): boolean => {
    if (req.method !== 'GET') return false;
    if (url.pathname === '/.well-known/openid-configuration') {
      sendJson(res, 200, openIdConfiguration(`${base}/.well-known/jwks`));
      return true;
    }
    if (url.pathname === '/.well-known/jwks') {
      sendJson(res, 200, jwks([signingKey]));
      return true;
    }
    if (!/^\/_apis\/distributedtask\/hubs\/Actions\/plans\/[^/]+\/jobs\/[^/]+\/idtoken$/.test(url.pathname)) {
      return false;
    }
    // @actions/core's OidcClient sends "Authorization: Bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>" and GETs
    // `${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=<encoded audience>`, then reads `value` from the JSON.
    const m = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const request = m ? requestTokens.get(m[1] as string) : undefined;
    if (!request) {
      sendJson(res, 401, { message: 'Unauthorized: the request token is missing, unknown or expired.' });
      return true;
    }
    entry.tokenId = request.id;
    const audience = url.searchParams.get('audience') || undefined;
    const value = mint(request.claims, audience);
    // The service answers {"count": <length>, "value": "<jwt>"} (clients model it as ActionsJWT{Count, Value}).
    sendJson(res, 200, { count: value.length, value });
    return true;
  };

  // ---------- Control plane ----------

  const requireFields = (body: Record<string, unknown>, fields: string[]): void => {
    for (const f of fields) {
      if (typeof body[f] !== 'string' || body[f] === '')
        throw new HttpError(400, `"${f}" (string) is required`);
    }
  };

  const resolveRef = (body: Record<string, unknown>): SecretScopeRef => {
    const resolved = state.resolveRef(body as unknown as SecretScopeRef);
    if ('error' in resolved) throw new HttpError(400, resolved.error);
    return resolved.ref;
  };

  const handleControl = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const method = req.method ?? 'GET';
    const path = url.pathname.slice('/__emulator'.length);
    const ok = (body: unknown = {}): void => sendJson(res, 200, body);
    const body = method === 'POST' ? await readJsonObject(req) : {};
    switch (`${method} ${path}`) {
      case 'POST /repositories': {
        requireFields(body, ['owner', 'repo']);
        const repo = state.addRepository(body as unknown as RepositorySpec);
        return ok({ id: repo.id, owner_id: repo.ownerId });
      }
      case 'POST /environments': {
        requireFields(body, ['owner', 'repo', 'environment']);
        const repo = state.repository(String(body.owner), String(body.repo));
        if (!repo) throw new HttpError(400, `unknown repository ${String(body.owner)}/${String(body.repo)}`);
        return ok({ id: state.addEnvironment(repo, String(body.environment)).id });
      }
      case 'POST /organizations': {
        requireFields(body, ['org']);
        return ok({ id: state.addOrganization(String(body.org), body.id as number | undefined).id });
      }
      case 'POST /tokens': {
        requireFields(body, ['token']);
        if (typeof body.permissions !== 'object' || body.permissions === null) {
          throw new HttpError(400, '"permissions" (object) is required');
        }
        return ok({ id: state.addToken(body as unknown as TokenSpec).id });
      }
      case 'GET /secrets':
        return ok(state.allSecrets());
      case 'POST /secrets': {
        requireFields(body, ['name', 'value']);
        const ref = resolveRef(body);
        const scope = state.scope(ref);
        const name = String(body.name).toUpperCase();
        if (body.updated_at !== undefined && Number.isNaN(Date.parse(String(body.updated_at)))) {
          throw new HttpError(400, '"updated_at" must be an ISO 8601 time');
        }
        const now = timestamp(body.updated_at === undefined ? undefined : new Date(String(body.updated_at)));
        const org = ref.scope === 'organization';
        const visibility = org ? ((body.visibility as Visibility | undefined) ?? 'private') : undefined;
        // Sealed and opened like a client-written value, so the stored key_id is the scope's current one.
        const opened = openSealed(scope.key, Buffer.from(seal(scope.key, String(body.value)), 'base64'));
        scope.secrets.set(name, {
          name,
          value: Buffer.from(opened as Uint8Array).toString('utf8'),
          keyId: scope.key.keyId,
          createdAt: scope.secrets.get(name)?.createdAt ?? now,
          updatedAt: now,
          ...(org
            ? {
                visibility,
                selectedRepositoryIds:
                  visibility === 'selected'
                    ? ((body.selected_repository_ids as number[] | undefined) ?? [])
                    : undefined,
              }
            : {}),
        });
        return ok();
      }
      case 'GET /variables':
        return ok(state.allVariables());
      case 'POST /public-keys':
        return ok(publicKeyBody(state.scope(resolveRef(body)).key));
      case 'POST /public-keys/rotate':
        return ok(publicKeyBody(state.rotate(resolveRef(body))));
      case 'GET /log':
        return ok(log);
      case 'GET /requests':
        return ok(requests);
      case 'DELETE /requests':
        requests = [];
        return ok();
      case 'DELETE /log':
        log = [];
        return ok();
      case 'POST /faults': {
        const action = body.action;
        if (typeof body.match !== 'string')
          throw new HttpError(400, '"match" (regular expression) is required');
        if (!FAULT_ACTIONS.includes(action as FaultSpec['action'])) {
          throw new HttpError(400, `"action" must be one of ${FAULT_ACTIONS.join(', ')}`);
        }
        if (action === 'http-error' && !(Number(body.status) >= 400 && Number(body.status) <= 599))
          throw new HttpError(400, 'http-error needs a "status" from 400 to 599');
        if (
          body.echo !== undefined &&
          (!['body', 'request'].includes(String(body.echo)) || body.after === true)
        )
          throw new HttpError(400, '"echo" must be body or request, and cannot be combined with "after"');
        if (body.echoAs !== undefined && (body.echo === undefined || !isEchoEncoding(body.echoAs)))
          throw new HttpError(400, '"echoAs" needs "echo", and must be one of the encodings in ../echo.ts');
        let regex: RegExp;
        try {
          regex = new RegExp(body.match);
        } catch (e) {
          throw new HttpError(400, `invalid "match": ${(e as Error).message}`);
        }
        if (body.after !== undefined && typeof body.after !== 'boolean')
          throw new HttpError(400, '"after" must be a boolean');
        const times = body.times === undefined ? Infinity : Number(body.times);
        faults.push({ ...(body as unknown as FaultSpec), regex, remaining: times });
        return ok();
      }
      case 'DELETE /faults':
        faults = [];
        return ok();
      case 'POST /latency':
        latencyMs = Math.max(0, Number(body.ms) || 0);
        return ok();
      case 'POST /id-token-requests': {
        requireFields(body, ['requestToken']);
        const claims = body.claims as IdTokenClaimsInput | undefined;
        if (!claims || typeof claims.repository !== 'string') {
          throw new HttpError(400, '"claims.repository" (owner/repo) is required');
        }
        if (!oidcRepository(claims.repository))
          throw new HttpError(400, `unknown repository ${claims.repository}`);
        const id = typeof body.id === 'string' ? body.id : `id-token-request-${requestTokens.size + 1}`;
        requestTokens.set(String(body.requestToken), { id, claims });
        return ok({ id });
      }
      case 'POST /id-tokens': {
        const claims = body.claims as IdTokenClaimsInput | undefined;
        if (!claims || typeof claims.repository !== 'string') {
          throw new HttpError(400, '"claims.repository" (owner/repo) is required');
        }
        return ok({ token: mint(claims, typeof body.audience === 'string' ? body.audience : undefined) });
      }
      case 'POST /reset':
        state.reset();
        requestTokens.clear();
        faults = [];
        latencyMs = 0;
        log = [];
        requests = [];
        return ok();
    }
    const revoke = /^\/tokens\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && revoke) {
      state.tokens.delete(decodeURIComponent(revoke[1] as string));
      return ok();
    }
    throw new HttpError(404, `unknown control-plane endpoint ${method} ${path}`);
  };

  // ---------- Server ----------

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base || 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (url.pathname === '/__emulator' || url.pathname.startsWith('/__emulator/')) {
      try {
        await handleControl(req, res, url);
      } catch (e) {
        const status = e instanceof HttpError ? e.status : 500;
        sendJson(res, status, { error: (e as Error).message });
      }
      return;
    }

    const timed: TimedRequest = {
      seq: ++requestSeq,
      method,
      path: url.pathname + url.search,
      start: timingClock(),
      end: null,
      status: 0,
    };
    requests.push(timed);
    res.on('close', () => {
      timed.end = timingClock();
      timed.status = res.writableFinished ? res.statusCode : 0;
    });

    const entry: LogEntry = {
      seq: ++seq,
      time: new Date().toISOString(),
      method,
      path: url.pathname + url.search,
      status: 0,
      tokenId: null,
      apiVersion: null,
    };
    log.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });

    if (latencyMs > 0) await sleep(latencyMs);
    let fault = faults.find((f) => f.remaining > 0 && f.regex.test(`${method} ${url.pathname}`));
    if (fault?.skip !== undefined && fault.skip > 0) {
      fault.skip -= 1;
      fault = undefined;
    }
    if (fault) {
      fault.remaining -= 1;
      entry.fault = fault.action;
      if (fault.after) return handleThenFault(req, res, url, entry, fault);
      if (fault.action === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault.action === 'delay') {
        await sleep(fault.delayMs ?? 1000);
        // Held in front of the API (a stalled proxy or load balancer): a client that gave up in the meantime
        // never reached GitHub, so nothing is done. The reply-lost case is `after`.
        if (req.socket.destroyed) return;
      } else if (fault.action === 'respond') {
        return sendJson(res, fault.status ?? 200, fault.body ?? {});
      } else {
        const { status, message } = faultError(fault);
        return sendError(
          res,
          status,
          fault.echo ? await echoRequest(req, message, fault.echo, fault.echoAs) : message,
          DOCS,
        );
      }
    }
    await route(req, res, url, entry);
  };

  const route = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    entry: LogEntry,
  ): Promise<void> => {
    try {
      if (handleOidc(req, res, url, entry)) return;
      await handleRest(req, res, url, entry);
    } catch (e) {
      if (res.headersSent) return;
      if (e instanceof HttpError) return sendError(res, e.status, e.message, DOCS, e.headers);
      sendError(res, 500, `Server Error: ${(e as Error).message}`, DOCS);
    }
  };

  /**
   * An `after` fault: the request is handled in full (a secret is stored, a variable written) with the
   * response captured instead of sent; then the fault replaces it (http-500/http-503/reset), or, for
   * delay, the captured response is sent after `delayMs`. The status the emulator would have answered is
   * logged as `handledStatus`.
   */
  const handleThenFault = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    entry: LogEntry,
    fault: FaultSpec,
  ): Promise<void> => {
    let head: Parameters<ServerResponse['writeHead']> | undefined;
    let body: unknown;
    // Every route answers through writeHead + end (sendJson, sendEmpty); hold both back.
    const holder = res as unknown as Record<'writeHead' | 'end', unknown>;
    holder.writeHead = (...args: Parameters<ServerResponse['writeHead']>) => {
      head = args;
      return res;
    };
    holder.end = (chunk?: unknown) => {
      if (typeof chunk !== 'function') body = chunk;
      return res;
    };
    try {
      await route(req, res, url, entry);
    } finally {
      delete holder.writeHead;
      delete holder.end;
    }
    entry.faultAfter = true;
    if (head) entry.handledStatus = head[0];
    if (fault.action === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault.action === 'delay') {
      await sleep(fault.delayMs ?? 1000);
      if (!head) return sendError(res, 500, 'Server Error: no response', DOCS);
      res.writeHead(...head);
      res.end(body as string | Buffer | undefined);
      return;
    }
    if (fault.action === 'respond') return sendJson(res, fault.status ?? 200, fault.body ?? {});
    const { status, message } = faultError(fault);
    sendError(res, status, message, DOCS);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: String(e) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    oidc: {
      issuer: GITHUB_OIDC_ISSUER,
      jwksUrl: `${base}/.well-known/jwks`,
      requestUrl: `${base}/_apis/distributedtask/hubs/Actions/plans/00000000-0000-0000-0000-000000000000/jobs/00000000-0000-0000-0000-000000000000/idtoken?api-version=2.0`,
    },
    control: new GitHubControl(base),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
