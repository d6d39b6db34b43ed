import { ActionError } from '../errors.js';
import { type Destination, describeDestination } from './destinations.js';

/**
 * GitHub's failures translated into errors a user can act on: which request failed for which destination, and
 * what to change (the token, its permissions, a name), naming the permissions as GitHub's settings show them.
 */

/** What Octokit throws: the status GitHub answered and its reply, or neither when no answer came. */
export interface HttpError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

/** What a request reads or writes beside a destination, for the permissions it needs. */
export type Resource = 'secret' | 'variable';

/** GitHub's permission names (X-Accepted-GitHub-Permissions) as its settings pages show them. */
const PERMISSION_NAMES: Record<string, string> = {
  secrets: 'Secrets',
  environments: 'Environments',
  organization_secrets: 'Organization secrets',
  actions_variables: 'Variables',
  organization_actions_variables: 'Organization variables',
  metadata: 'Metadata',
};

/**
 * The HTTP status GitHub answered, or undefined when no answer came: Octokit reports a refused or dropped
 * connection as a RequestError with status 500 and no response.
 */
export function statusOf(error: HttpError): number | undefined {
  return error.response === undefined ? undefined : error.status;
}

/** The GitHub App permission inputs (actions/create-github-app-token) writing to a destination needs. */
function appPermissions(destination: Destination, resource: Resource): string {
  const repositoryLevel =
    resource === 'secret' ? 'permission-secrets: write' : 'permission-actions-variables: write';
  switch (destination.kind) {
    case 'repository':
      return repositoryLevel;
    case 'environment':
      return `${repositoryLevel}, permission-environments: write`;
    case 'organization':
      return resource === 'secret'
        ? 'permission-organization-secrets: write'
        : 'permission-organization-actions-variables: write';
  }
}

export function httpError(
  error: HttpError,
  action: string,
  destination: Destination,
  resource: Resource,
): ActionError {
  const where = describeDestination(destination);
  const status = statusOf(error);
  const githubMessage =
    (error.response?.data as { message?: string } | undefined)?.message ?? error.message ?? 'no message';
  if (status === undefined) {
    return new ActionError(`Could not reach GitHub to ${action} of ${where} (${githubMessage})`, {
      code: 'github-network',
      hint: 'Check GITHUB_API_URL and the runner network; the request was retried',
    });
  }
  const code = String(status);
  switch (status) {
    case 401:
      return new ActionError(
        `GitHub rejected 'github-token' when trying to ${action} of ${where} (401 ${githubMessage})`,
        {
          code,
          hint: 'The token is invalid or has expired; pass a GitHub App installation token or a fine-grained token',
        },
      );
    case 403: {
      const accepted = error.response?.headers?.['x-accepted-github-permissions'];
      const needed = accepted ? describePermissions(accepted) : undefined;
      return new ActionError(`'github-token' may not ${action} of ${where} (403 ${githubMessage})`, {
        code,
        hint: needed
          ? `GitHub requires ${needed}; grant it to the token (GitHub App: ${appPermissions(destination, resource)})`
          : `Give the token write permission (GitHub App: ${appPermissions(destination, resource)})`,
      });
    }
    case 404:
      return new ActionError(
        `GitHub found no ${notFoundSubject(destination)} when trying to ${action} of ${where} (404)`,
        {
          code,
          hint:
            destination.kind === 'environment'
              ? `Check that the environment '${destination.environment}' exists in ${destination.owner}/${destination.repo} and that the token can access the repository`
              : 'Check the name, and that the token is installed on (or was granted access to) it',
        },
      );
    case 422:
      return new ActionError(`GitHub refused to ${action} of ${where} (422 ${githubMessage})`, {
        code,
        hint: 'The public key may have changed during the run; run the step again',
      });
    default:
      return new ActionError(
        `GitHub answered ${status} when trying to ${action} of ${where} (${githubMessage})`,
        { code },
      );
  }
}

function notFoundSubject(destination: Destination): string {
  switch (destination.kind) {
    case 'repository':
      return `repository ${destination.owner}/${destination.repo}`;
    case 'environment':
      return `environment '${destination.environment}' in ${destination.owner}/${destination.repo}`;
    case 'organization':
      return `organization ${destination.org}`;
  }
}

/** `secrets=write; environments=write` -> `the permissions Secrets: write and Environments: write`. */
function describePermissions(header: string): string {
  const alternatives = header.split(';').map((group) =>
    group
      .split(',')
      .map((pair) => {
        const [name, level] = pair.trim().split('=');
        return `${PERMISSION_NAMES[name ?? ''] ?? name}: ${level ?? 'read'}`;
      })
      .join(' and '),
  );
  return `the permission ${alternatives.join(' or ')}`;
}
