// The REST route table: each endpoint's method, path, what its path names, the fine-grained permissions it
// needs, its documentation, and its handler.
import type { AccessLevel } from './control.js';
import { type Handler, type Need, SECRETS_DOCS, type Target, VARIABLES_DOCS } from './context.js';
import { getEnvironment, getOrganization, getRepository, listSelectedRepos } from './repositories.js';
import { deleteSecret, getPublicKey, getSecret, listSecrets, putSecret } from './secrets.js';
import { createVariable, deleteVariable, getVariable, listVariables, updateVariable } from './variables.js';

export interface Route {
  method: string;
  segments: string[];
  target: Target;
  needs: Need[];
  docs: string;
  handler: Handler;
}

const route = (
  method: string,
  path: string,
  target: Target,
  needs: Need[],
  docs: string,
  handler: Handler,
): Route => ({ method, segments: path.split('/').slice(1), target, needs, docs, handler });

const R = '/repos/:owner/:repo';
const E = `${R}/environments/:env`;
const O = '/orgs/:org';

/** Where a scope's secrets and variables live, the permissions they need, and how its docs anchors read. */
interface ScopeRoutes {
  prefix: string;
  target: Target;
  extra: string[];
  secret: string;
  variable: string;
  noun: string;
  a: string;
}

// Required fine-grained permissions per endpoint from GitHub's "Permissions required for fine-grained
// personal access tokens" data (github/docs src/github-apps/data/fpt-2022-11-28/fine-grained-pat-permissions.json):
// environment secrets and variables need `environments` as an additional permission at the same level.
// prettier-ignore
const SCOPES: ScopeRoutes[] = [
  { prefix: `${R}/actions`, target: 'repo', extra: [], secret: 'secrets', variable: 'actions_variables', noun: 'repository', a: 'a' },
  { prefix: E, target: 'env', extra: ['environments'], secret: 'secrets', variable: 'actions_variables', noun: 'environment', a: 'an' },
  { prefix: `${O}/actions`, target: 'org', extra: [], secret: 'organization_secrets', variable: 'organization_actions_variables', noun: 'organization', a: 'an' },
];

function scopeRoutes(s: ScopeRoutes): Route[] {
  // [method, path suffix, secret or variable permission, level, docs anchor, handler]
  // prettier-ignore
  const table: [string, string, 'secret' | 'variable', AccessLevel, string, Handler][] = [
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
  return table.map(([method, suffix, kind, level, docs, handler]) => {
    const perm = kind === 'secret' ? s.secret : s.variable;
    const needs: Need[] = [[perm, level], ...s.extra.map((p): Need => [p, level])];
    return route(method, `${s.prefix}${suffix}`, s.target, needs, docs, handler);
  });
}

// prettier-ignore
const ROUTES: Route[] = [
  ...SCOPES.flatMap(scopeRoutes),
  route('GET', `${O}/actions/secrets/:name/repositories`, 'org', [['organization_secrets', 'read']],
    `${SECRETS_DOCS}#list-selected-repositories-for-an-organization-secret`, listSelectedRepos('secrets')),
  route('GET', `${O}/actions/variables/:name/repositories`, 'org', [['organization_actions_variables', 'read']],
    `${VARIABLES_DOCS}#list-selected-repositories-for-an-organization-variable`, listSelectedRepos('variables')),
  // "Get a repository": metadata read, which every fine-grained token has.
  route('GET', R, 'repo', [['metadata', 'read']],
    'https://docs.github.com/rest/repos/repos#get-a-repository', getRepository),
  // Environments are read with the "Actions" repository permission (docs "REST API endpoints for
  // deployment environments", fine-grained access tokens for "List environments": "Actions" read).
  route('GET', E, 'env', [['actions', 'read']],
    'https://docs.github.com/rest/deployments/environments#get-an-environment', getEnvironment),
  route('GET', O, 'public-org', [],
    'https://docs.github.com/rest/orgs/orgs#get-an-organization', getOrganization),
];

/** The path's parameters if `route` matches it; URL-encoded parameters decoded ("a%2Fb" is "a/b"). */
function matchSegments(route: Route, parts: string[]): Record<string, string> | null {
  if (route.segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (const [i, seg] of route.segments.entries()) {
    const part = parts[i] as string;
    if (!seg.startsWith(':')) {
      if (seg !== part) return null;
      continue;
    }
    if (part === '') return null;
    try {
      params[seg.slice(1)] = decodeURIComponent(part);
    } catch {
      return null;
    }
  }
  return params;
}

export function matchRoute(
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | null {
  const parts = pathname.split('/').slice(1);
  for (const candidate of ROUTES) {
    if (candidate.method !== method) continue;
    const params = matchSegments(candidate, parts);
    if (params) return { route: candidate, params };
  }
  return null;
}
