// Repositories, environments and organizations as the REST API shows them ("Get a repository", "Get an
// environment", "Get an organization"), and the repositories an organization secret or variable is selected for.
import { type Ctx, nameParam, paginate, scopeOf } from './context.js';
import { HttpError, sendJson } from './http.js';
import type { Environment, Organization, Repository } from './state.js';

/** Base64 node id in GitHub's legacy format (`010:Repository123`). */
const nodeId = (prefix: string): string => Buffer.from(prefix).toString('base64');

function repoBody(base: string, repo: Repository) {
  return {
    id: repo.id,
    node_id: nodeId(`010:Repository${repo.id}`),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    private: repo.private,
    owner: {
      login: repo.owner,
      id: repo.ownerId,
      node_id: nodeId(`04:${repo.ownerType}${repo.ownerId}`),
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
  };
}

export const getRepository = (ctx: Ctx): void =>
  sendJson(ctx.res, 200, repoBody(ctx.base, ctx.repo as Repository), ctx.headers);

export function getEnvironment(ctx: Ctx): void {
  const repo = ctx.repo as Repository;
  const env = ctx.env as Environment;
  const encoded = encodeURIComponent(env.name);
  sendJson(
    ctx.res,
    200,
    {
      id: env.id,
      node_id: nodeId(`011:Environment${env.id}`),
      name: env.name,
      url: `${ctx.base}/repos/${repo.owner}/${repo.name}/environments/${encoded}`,
      html_url: `https://github.com/${repo.owner}/${repo.name}/deployments/activity_log?environments_filter=${encoded}`,
      created_at: env.createdAt,
      updated_at: env.updatedAt,
      protection_rules: [],
      deployment_branch_policy: null,
    },
    ctx.headers,
  );
}

export function getOrganization(ctx: Ctx): void {
  const org = ctx.org as Organization;
  sendJson(
    ctx.res,
    200,
    {
      login: org.login,
      id: org.id,
      node_id: nodeId(`012:Organization${org.id}`),
      url: `${ctx.base}/orgs/${org.login}`,
      repos_url: `${ctx.base}/orgs/${org.login}/repos`,
      description: null,
      name: org.login,
      html_url: `https://github.com/${org.login}`,
      type: 'Organization',
      created_at: org.createdAt,
      updated_at: org.createdAt,
    },
    ctx.headers,
  );
}

/** "List selected repositories for an organization secret" (or variable). */
export const listSelectedRepos =
  (kind: 'secrets' | 'variables') =>
  (ctx: Ctx): void => {
    const scope = scopeOf(ctx);
    const name = nameParam(ctx);
    const item = kind === 'secrets' ? scope.secrets.get(name) : scope.variables.get(name);
    if (!item) throw new HttpError(404, 'Not Found');
    const repos = (item.selectedRepositoryIds ?? [])
      .map((id) => ctx.state.repositoryById(id))
      .filter((r): r is Repository => r !== undefined);
    const page = paginate(ctx, repos).map((repo) => repoBody(ctx.base, repo));
    sendJson(ctx.res, 200, { total_count: repos.length, repositories: page }, ctx.headers);
  };
