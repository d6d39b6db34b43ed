// The REST request pipeline: API version, credentials, route, then the repository, environment or
// organization the path names and whether the token may use it, before the route's handler runs.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LogEntry } from './control.js';
import type { Ctx } from './context.js';
import { DOCS, HttpError, sendError } from './http.js';
import { type Route, matchRoute } from './routes.js';
import { type GitHubState, type Token, levelSatisfies } from './state.js';

// "requests that don't include the X-GitHub-Api-Version header will continue to default to 2022-11-28"
// (https://github.blog/changelog/2026-03-12-rest-api-version-2026-03-10-is-now-available).
const API_VERSIONS = ['2026-03-10', '2022-11-28'] as const;
const DEFAULT_API_VERSION = '2022-11-28';

/** What REST handlers read besides the request: the model, and the server's own URL for bodies. */
export interface RestModel {
  state: GitHubState;
  base: string;
}

export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  entry: LogEntry,
  model: RestModel,
): Promise<void> {
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
    await routeRest(req, res, url, entry, { ...model, headers });
  } catch (e) {
    if (!(e instanceof HttpError) || res.headersSent) throw e;
    const docs = matchRoute(method, url.pathname)?.route.docs ?? DOCS;
    sendError(res, e.status, e.message, docs, { ...headers, ...e.headers });
  }
}

/** The token named by Authorization ("token X" or "Bearer X"), or undefined when no token has that secret. */
function tokenOf(state: GitHubState, authorization: string): Token | undefined {
  const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(authorization);
  return (m && state.tokenBySecret(m[1] as string)) || undefined;
}

async function routeRest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  entry: LogEntry,
  { state, base, headers }: RestModel & { headers: Record<string, string> },
): Promise<void> {
  // A header with an unknown token is 401 "Bad credentials", whatever the path (credentials are checked
  // before routing).
  let token: Token | null = null;
  if (req.headers.authorization !== undefined) {
    token = tokenOf(state, req.headers.authorization) ?? null;
    if (!token) return sendError(res, 401, 'Bad credentials', DOCS, headers);
    entry.tokenId = token.id;
  }
  const matched = matchRoute(req.method ?? 'GET', url.pathname);
  // Unknown paths, trailing slashes and unsupported methods are all 404 on GitHub (docs "Troubleshooting").
  if (!matched) return sendError(res, 404, 'Not Found', DOCS, headers);
  const { route, params } = matched;
  if (token && route.needs.length) {
    // Sent to fine-grained actors on every response (changelog 2023-08-10). One set: comma-separated.
    headers['x-accepted-github-permissions'] = route.needs.map(([p, l]) => `${p}=${l}`).join(',');
  }
  const ctx: Ctx = { req, res, url, params, token, docs: route.docs, headers, state, base };
  const refusal =
    route.target === 'repo' || route.target === 'env'
      ? admitRepository(ctx, route)
      : admitOrganization(ctx, route);
  if (refusal) return sendError(res, refusal.status, refusal.message, route.docs, headers);
  await route.handler(ctx);
}

/** The 403 a token gets for a resource it can see but not use. */
const forbidden = (token: Token | null): HttpError =>
  new HttpError(
    403,
    // "Resource not accessible by integration" / "... by personal access token" (docs "Troubleshooting").
    `Resource not accessible by ${token?.type === 'installation' ? 'integration' : 'personal access token'}`,
  );

const lacks = (route: Route, t: Token): boolean =>
  !route.needs.every(([p, l]) => levelSatisfies(t.permissions[p], l));

/** Resolves the repository (and environment) of the path into ctx; the reply that refuses it, if any. */
function admitRepository(ctx: Ctx, route: Route): HttpError | undefined {
  const { state, token, params } = ctx;
  const gated = route.needs.some(([p]) => p !== 'metadata');
  const repo = state.repository(String(params.owner), String(params.repo));
  // Private repositories a token cannot reach are reported as 404 so their existence is not confirmed.
  if (!repo || (repo.private && !(token && state.canReach(token, repo))))
    return new HttpError(404, 'Not Found');
  ctx.repo = repo;
  if (gated && !token) return new HttpError(401, 'Requires authentication');
  if (token && gated && (!state.canReach(token, repo) || lacks(route, token))) throw forbidden(token);
  if (route.target !== 'env') return undefined;
  const env = repo.environments.get(String(params.env).toLowerCase());
  if (!env) return new HttpError(404, 'Not Found');
  ctx.env = env;
  return undefined;
}

/** Resolves the organization of the path into ctx; the reply that refuses it, if any. */
function admitOrganization(ctx: Ctx, route: Route): HttpError | undefined {
  const { token } = ctx;
  const org = ctx.state.organization(String(ctx.params.org));
  if (!org) return new HttpError(404, 'Not Found');
  ctx.org = org;
  if (route.target === 'public-org') return undefined;
  if (!token) return new HttpError(401, 'Requires authentication');
  // A token whose resource owner is another account gets 403 here (the organization itself is public).
  if (!token.organizations.has(org.login.toLowerCase()) || lacks(route, token)) throw forbidden(token);
  return undefined;
}
