// What a REST handler is given (the request, the resolved repository, environment or organization, the model),
// and the rules the secret and variable endpoints share: names, organization visibility, value size, pages.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessLevel } from './control.js';
import { HttpError, sendEmpty, sendJson } from './http.js';
import type {
  Environment,
  GitHubState,
  Organization,
  Repository,
  Scope,
  Token,
  Visibility,
} from './state.js';

export const SECRETS_DOCS = 'https://docs.github.com/rest/actions/secrets';
export const VARIABLES_DOCS = 'https://docs.github.com/rest/actions/variables';

// Secrets and variables are limited to 48 KB each (GitHub docs, "Limits for secrets" / "Limits for
// configuration variables"); the limit is applied to the decrypted value.
const VALUE_LIMIT_BYTES = 48 * 1024;

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  token: Token | null;
  docs: string;
  /** The response headers every reply of this request carries. */
  headers: Record<string, string>;
  state: GitHubState;
  /** http://127.0.0.1:PORT, for the URLs in response bodies. */
  base: string;
  repo?: Repository;
  env?: Environment;
  org?: Organization;
}

export type Need = [permission: string, level: AccessLevel];
/** What a route's path names: `public-org` is an organization readable without a token. */
export type Target = 'repo' | 'env' | 'org' | 'public-org';

export type Handler = (ctx: Ctx) => Promise<void> | void;

/** The secrets and variables of the environment, repository or organization the route named. */
export function scopeOf(ctx: Ctx): Scope {
  if (ctx.env && ctx.repo) {
    return ctx.state.scope({
      scope: 'environment',
      owner: ctx.repo.owner,
      repo: ctx.repo.name,
      environment: ctx.env.name,
    });
  }
  if (ctx.repo) return ctx.state.scope({ scope: 'repository', owner: ctx.repo.owner, repo: ctx.repo.name });
  if (ctx.org) return ctx.state.scope({ scope: 'organization', org: ctx.org.login });
  throw new Error('route without a scope');
}

/** One page of `items` (`per_page`, `page`), with GitHub's `link` header for the others. */
export function paginate<T>(ctx: Ctx, items: T[]): T[] {
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

// Naming rules: "[A-Za-z0-9_] only, must not start with GITHUB_ or a digit, case-insensitive"
// (docs "Naming your secrets"); message text as returned by the API (millylee/anyrouter-check-in#126).
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const nameMessage = (kind: 'Secret' | 'Variable'): string =>
  `${kind} names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_). ` +
  'Spaces are not allowed. Must start with a letter ([a-z], [A-Z]) or underscores (_).';

export function validateName(kind: 'Secret' | 'Variable', raw: string): string {
  if (!NAME_PATTERN.test(raw)) throw new HttpError(422, nameMessage(kind));
  // Wording as GitHub shows it: "Secret names must not start with GITHUB_." (tauri-apps/tauri-action#628).
  if (/^GITHUB_/i.test(raw)) throw new HttpError(422, `${kind} names must not start with GITHUB_.`);
  // Names are case-insensitive; GitHub stores and lists them upper-cased.
  return raw.toUpperCase();
}

/** The name in the path, as stored (names are case-insensitive, kept upper-cased). */
export const nameParam = (ctx: Ctx): string => String(ctx.params.name).toUpperCase();

export function checkValueSize(kind: 'Secret' | 'Variable', bytes: number): void {
  // The 48 KB limit is documented; the wording of the refusal is the emulator's own.
  if (bytes > VALUE_LIMIT_BYTES) throw new HttpError(422, `${kind} value is too large (48 KB maximum).`);
}

/** A scope's secrets or variables as a list reply: sorted by name, one page, with the total count. */
export function sendList<T extends { name: string }>(
  ctx: Ctx,
  kind: 'secrets' | 'variables',
  items: Map<string, T>,
  body: (item: T) => unknown,
): void {
  const all = [...items.values()].sort((a, b) => a.name.localeCompare(b.name));
  sendJson(ctx.res, 200, { total_count: all.length, [kind]: paginate(ctx, all).map(body) }, ctx.headers);
}

/** The secret or variable the path names; 404 when there is none. */
export function named<T>(ctx: Ctx, items: Map<string, T>): T {
  const item = items.get(nameParam(ctx));
  if (!item) throw new HttpError(404, 'Not Found');
  return item;
}

/** Deletes the secret or variable the path names: 204, or 404 when there is none. */
export function deleteNamed(ctx: Ctx, items: Map<string, unknown>): void {
  if (!items.delete(nameParam(ctx))) throw new HttpError(404, 'Not Found');
  sendEmpty(ctx.res, 204, ctx.headers);
}

function parseVisibility(raw: unknown, required: boolean): Visibility | undefined {
  if (raw === undefined || raw === null) {
    if (required) throw new HttpError(422, `Invalid request.\n\n"visibility" wasn't supplied.`);
    return undefined;
  }
  if (raw === 'all' || raw === 'private' || raw === 'selected') return raw;
  throw new HttpError(
    422,
    `Invalid request.\n\nFor 'properties/visibility', ${JSON.stringify(raw)} is not one of ["all", "private", "selected"].`,
  );
}

/** An organization secret's or variable's `visibility` and `selected_repository_ids` from a request body. */
function orgVisibility(
  body: Record<string, unknown>,
  required: boolean,
): { visibility?: Visibility; ids?: number[] } {
  const visibility = parseVisibility(body.visibility, required);
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

/** The stored visibility fields of an organization secret or variable: the repository ids only when selected. */
export function orgFields(
  visibility: Visibility | undefined,
  ids: number[] | undefined,
): { visibility?: Visibility; selectedRepositoryIds?: number[] } {
  return { visibility, selectedRepositoryIds: visibility === 'selected' ? (ids ?? []) : undefined };
}

/** The stored visibility fields a create request asks for: required for an organization's, none otherwise. */
export function requestedVisibility(
  ctx: Ctx,
  body: Record<string, unknown>,
): { visibility?: Visibility; selectedRepositoryIds?: number[] } {
  if (!ctx.org) return {};
  const { visibility, ids } = orgVisibility(body, true);
  return orgFields(visibility, ids);
}

/** The stored visibility fields after an update: what the request changes, the rest as it was. */
export function updatedVisibility(
  ctx: Ctx,
  body: Record<string, unknown>,
  existing: { visibility?: Visibility; selectedRepositoryIds?: number[] },
): { visibility?: Visibility; selectedRepositoryIds?: number[] } {
  if (!ctx.org) return {};
  const { visibility, ids } = orgVisibility(body, false);
  return orgFields(visibility ?? existing.visibility, ids ?? existing.selectedRepositoryIds);
}

/** The visibility fields of an organization secret's or variable's reply; nothing for other scopes. */
export function visibilityBody(
  ctx: Ctx,
  kind: 'secrets' | 'variables',
  item: { name: string; visibility?: Visibility },
): Record<string, unknown> {
  if (!ctx.org) return {};
  const selectedUrl = `${ctx.base}/orgs/${encodeURIComponent(ctx.org.login)}/actions/${kind}/${item.name}/repositories`;
  return {
    visibility: item.visibility,
    ...(item.visibility === 'selected' ? { selected_repositories_url: selectedUrl } : {}),
  };
}
