import { type LiveConfig, PREFIX_PATTERN } from './env.js';
import { type Octokit, type SnowflakeSession, SqlFailure, quote } from './clients.js';

/**
 * Drops everything whose name starts with a live-run prefix, and nothing else: users, network policies,
 * warehouses, databases and roles in Snowflake (in an order that lets each drop succeed: users release their
 * network policies, roles go last), and Actions secrets and variables in the scratch repository and its
 * environment. SHOW ... LIKE narrows the candidates on the server; since `_` is a LIKE wildcard, every name is
 * then checked to start with the prefix exactly, so nothing without it is ever dropped.
 */

export const SNOWFLAKE_KINDS = [
  { show: 'USERS', drop: 'USER' },
  { show: 'NETWORK POLICIES', drop: 'NETWORK POLICY' },
  { show: 'WAREHOUSES', drop: 'WAREHOUSE' },
  { show: 'DATABASES', drop: 'DATABASE' },
  { show: 'ROLES', drop: 'ROLE' },
] as const;

export type SnowflakeKind = (typeof SNOWFLAKE_KINDS)[number]['drop'];

export interface Leftover {
  kind: string;
  name: string;
}

function checkPrefix(prefix: string): void {
  if (!PREFIX_PATTERN.test(prefix)) throw new Error(`Refusing to clean up with prefix '${prefix}'`);
}

/** Names of Snowflake objects of every kind that start with `prefix` (exactly, case included). */
export async function snowflakeObjects(session: SnowflakeSession, prefix: string): Promise<Leftover[]> {
  checkPrefix(prefix);
  const found: Leftover[] = [];
  for (const kind of SNOWFLAKE_KINDS) {
    const rows = await session.sql(`SHOW ${kind.show} LIKE '${prefix}%'`);
    for (const row of rows) {
      const name = String(row.name ?? '');
      if (name.startsWith(prefix)) found.push({ kind: kind.drop, name });
    }
  }
  return found;
}

async function listNames(
  octokit: Octokit,
  route: string,
  params: Record<string, string>,
  field: 'secrets' | 'variables',
): Promise<string[]> {
  const names: string[] = [];
  for (let page = 1; page < 50; page++) {
    const response = await octokit.request(route, { ...params, per_page: 100, page });
    const items = (response.data as Record<string, { name: string }[]>)[field] ?? [];
    names.push(...items.map((item) => item.name));
    if (items.length < 100) break;
  }
  return names;
}

interface GitHubScope {
  label: string;
  list: string;
  remove: string;
  params: Record<string, string>;
  field: 'secrets' | 'variables';
}

function githubScopes(config: LiveConfig): GitHubScope[] {
  const repo = { owner: config.owner, repo: config.repo };
  const env = { ...repo, environment_name: config.environment };
  return [
    {
      label: 'repository secret',
      list: 'GET /repos/{owner}/{repo}/actions/secrets',
      remove: 'DELETE /repos/{owner}/{repo}/actions/secrets/{name}',
      params: repo,
      field: 'secrets',
    },
    {
      label: 'environment secret',
      list: 'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets',
      remove: 'DELETE /repos/{owner}/{repo}/environments/{environment_name}/secrets/{name}',
      params: env,
      field: 'secrets',
    },
    {
      label: 'repository variable',
      list: 'GET /repos/{owner}/{repo}/actions/variables',
      remove: 'DELETE /repos/{owner}/{repo}/actions/variables/{name}',
      params: repo,
      field: 'variables',
    },
    {
      label: 'environment variable',
      list: 'GET /repos/{owner}/{repo}/environments/{environment_name}/variables',
      remove: 'DELETE /repos/{owner}/{repo}/environments/{environment_name}/variables/{name}',
      params: env,
      field: 'variables',
    },
  ];
}

/** Secrets and variables of the scratch repository and environment whose names start with `prefix`. */
export async function githubObjects(
  octokit: Octokit,
  config: LiveConfig,
  prefix: string,
): Promise<Leftover[]> {
  checkPrefix(prefix);
  const found: Leftover[] = [];
  for (const scope of githubScopes(config)) {
    for (const name of await listNames(octokit, scope.list, scope.params, scope.field)) {
      // GitHub stores secret and variable names upper-cased; the prefix is upper case.
      if (name.toUpperCase().startsWith(prefix)) found.push({ kind: scope.label, name });
    }
  }
  return found;
}

export interface CleanupResult {
  dropped: Leftover[];
  failed: { kind: string; name: string; error: string }[];
}

/**
 * Drops every object with the prefix, in both services. Each failure is recorded and the clean-up goes on, so
 * one object that cannot be dropped does not keep the others alive; the caller checks `failed`.
 */
export async function cleanUp(
  session: SnowflakeSession,
  octokit: Octokit,
  config: LiveConfig,
  prefix: string,
): Promise<CleanupResult> {
  checkPrefix(prefix);
  const result: CleanupResult = { dropped: [], failed: [] };
  for (const object of await snowflakeObjects(session, prefix)) {
    try {
      await session.sql(`DROP ${object.kind} IF EXISTS ${quote(object.name)}`);
      result.dropped.push(object);
    } catch (error) {
      const message =
        error instanceof SqlFailure ? `${error.error.code} ${error.error.message}` : String(error);
      result.failed.push({ ...object, error: message });
    }
  }
  const scopes = githubScopes(config);
  for (const object of await githubObjects(octokit, config, prefix)) {
    const scope = scopes.find((s) => s.label === object.kind);
    if (!scope) continue;
    try {
      await octokit.request(scope.remove, { ...scope.params, name: object.name });
      result.dropped.push(object);
    } catch (error) {
      result.failed.push({ ...object, error: String((error as Error).message ?? error) });
    }
  }
  return result;
}

/** Everything with the prefix that still exists, in both services. */
export async function leftovers(
  session: SnowflakeSession,
  octokit: Octokit,
  config: LiveConfig,
  prefix: string,
): Promise<Leftover[]> {
  return [...(await snowflakeObjects(session, prefix)), ...(await githubObjects(octokit, config, prefix))];
}
