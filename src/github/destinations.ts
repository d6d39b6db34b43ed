import { ActionError, inputError } from '../errors.js';
import { describeCharacter } from '../snowflake/identifiers.js';

/** Which repositories of an organization may read its secret. */
export type Visibility = 'all' | 'private' | 'selected';
export const VISIBILITIES: readonly Visibility[] = ['all', 'private', 'selected'];

/** Where a private key is stored: an Actions secret of a repository, an environment or an organization. */
export type Destination =
  | { kind: 'repository'; owner: string; repo: string; secretName: string }
  | { kind: 'environment'; owner: string; repo: string; environment: string; secretName: string }
  | {
      kind: 'organization';
      org: string;
      secretName: string;
      visibility: Visibility;
      /** Names of repositories in the organization. */
      selectedRepositories: string[];
    };

export interface GitHubSettings {
  token: string;
  /** REST base URL (GITHUB_API_URL: GitHub Enterprise Server has its own). */
  apiUrl: string;
  /** How long one request may take before it counts as a network failure (default REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

/** How a destination is named in outputs and logs: `repository:owner/repo:NAME`, ... (interface.md). */
export function describeDestination(destination: Destination): string {
  switch (destination.kind) {
    case 'repository':
      return `repository:${destination.owner}/${destination.repo}:${destination.secretName}`;
    case 'environment':
      return `environment:${destination.owner}/${destination.repo}:${destination.environment}:${destination.secretName}`;
    case 'organization':
      return `organization:${destination.org}:${destination.secretName}`;
  }
}

/**
 * Where the destination's variables live (a repository, an environment, an organization), as the logs name
 * it: variables are one per name there, not per secret, so two secrets there share a variable of one name.
 */
export function variableScope(destination: Destination): string {
  const name = describeDestination(destination);
  return name.slice(0, name.length - destination.secretName.length - 1);
}

// --- GitHub's naming rules ----------------------------------------------------------------------------------
// Every name below becomes a segment of a REST path. Each is checked when it is read (an input, or a field of
// the access spec: both run these functions, through placement.ts), so that a name GitHub would not accept is
// refused with the input's name before any request; apiPath() below then encodes every segment.

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * GitHub's rules for secret and variable names (https://docs.github.com/en/actions/security-guides/using-secrets-in-github-actions#naming-your-secrets,
 * the same for variables): letters, digits and '_', not starting with a digit or GITHUB_; case-insensitive.
 */
export function parseSecretName(value: string, input = 'secret-name'): string {
  if (!SECRET_NAME.test(value)) {
    throw inputError(
      input,
      `'${value}' is not a valid name: only letters, digits and '_' are allowed, and it cannot start with a digit`,
      'Use a name like SNOWFLAKE_PRIVATE_KEY',
    );
  }
  if (/^GITHUB_/i.test(value)) {
    throw inputError(
      input,
      `'${value}' starts with GITHUB_, which GitHub reserves`,
      'Choose another prefix, e.g. SNOWFLAKE_',
    );
  }
  return value.toUpperCase();
}

/**
 * Why a user or organization login is not one GitHub gives out, or undefined. GitHub's sign-up and new
 * organization forms: "may only contain alphanumeric characters or single hyphens, and cannot begin or end with
 * a hyphen", at most 39 characters. Accounts older than that rule may hold a double or trailing hyphen, so
 * those are let through; nothing that could change a URL path is.
 */
function loginProblem(login: string): string | undefined {
  if (login === '') return 'is empty';
  const characters = Array.from(login);
  const stray = characters.findIndex((ch) => !/^[A-Za-z0-9-]$/.test(ch));
  if (stray >= 0) {
    return `has ${describeCharacter(characters[stray] ?? '')} at position ${stray + 1}; a GitHub login holds letters, digits and '-' only`;
  }
  if (login.startsWith('-')) return "starts with '-', which a GitHub login cannot";
  if (characters.length > 39) return `is ${characters.length} characters long, more than GitHub's 39`;
  return undefined;
}

/**
 * Why a repository name is not one GitHub accepts, or undefined. GitHub's new repository form: "The repository
 * name can only contain ASCII letters, digits, and the characters ., -, and _", at most 100 characters; `.`
 * and `..` are refused (they name a directory, and a URL reads them as a step in its path).
 */
function repositoryNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') {
    return "is reserved by GitHub ('.' and '..' name directories, and a URL reads them as a step in its path)";
  }
  const characters = Array.from(name);
  const stray = characters.findIndex((ch) => !/^[A-Za-z0-9._-]$/.test(ch));
  if (stray >= 0) {
    return `has ${describeCharacter(characters[stray] ?? '')} at position ${stray + 1}; a repository name holds letters, digits, '.', '-' and '_' only`;
  }
  if (characters.length > 100) return `is ${characters.length} characters long, more than GitHub's 100`;
  return undefined;
}

/** An organization (or user) login, as `secret-organization` and the spec's `organization` give it. */
export function parseOrganization(value: string, input: string): string {
  const problem = loginProblem(value);
  if (problem) {
    throw inputError(
      input,
      `has '${value}', which is not an organization name: it ${problem}`,
      'Give the organization login, as in https://github.com/<login>, e.g. acme',
    );
  }
  return value;
}

export function parseRepository(value: string, input: string): { owner: string; repo: string } {
  const parts = value.split('/');
  const [owner = '', repo = ''] = parts;
  const ownerProblem = loginProblem(owner);
  const nameProblem = repositoryNameProblem(repo);
  const problem =
    parts.length === 1
      ? "it has no '/'"
      : parts.length > 2
        ? `it has ${parts.length - 1} '/', not one`
        : ownerProblem
          ? `its owner '${owner}' ${ownerProblem}`
          : nameProblem
            ? `its name '${repo}' ${nameProblem}`
            : undefined;
  if (problem) {
    throw inputError(
      input,
      `has '${value}', which is not a repository in owner/repo form: ${problem}`,
      'Write it as owner/repo, e.g. acme/data-platform',
    );
  }
  return { owner, repo };
}

/**
 * A string a URL path cannot carry as a segment of its own: empty, or a dot segment, which URL parsing (fetch)
 * resolves as "this directory" or "up one level" whether written `.`, `..` or with `%2e` in any case
 * (https://url.spec.whatwg.org/#single-dot-path-segment, #double-dot-path-segment). Percent-encoding cannot
 * protect them: `.` is left as it is, and `%2e` is read as `.`.
 */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * GitHub's rules for environment names ("Managing environments for deployment", docs.github.com/en/actions/
 * how-tos/deploy/configure-and-manage-deployments/manage-environments): at most 255 characters, case
 * insensitive; GitHub's API takes any other character URL-encoded (`stage/eu` as `stage%2Feu`). Refused here
 * besides: control characters (a name is one line in the settings page and in a workflow's `environment:`)
 * and the names a URL cannot address, `.` and `..` (also written with `%2e`), which the docs do not mention.
 */
export function parseEnvironmentName(value: string, input: string): string {
  const characters = Array.from(value);
  // eslint-disable-next-line no-control-regex
  const control = characters.findIndex((ch) => /^[\u0000-\u001f\u007f]$/.test(ch));
  const problem =
    value === ''
      ? 'it is empty'
      : control >= 0
        ? `it holds the control character ${describeCharacter(characters[control] ?? '')} at position ${control + 1}`
        : characters.length > 255
          ? `it is ${characters.length} characters long, more than GitHub's 255`
          : DOT_SEGMENT.test(value)
            ? `'${value}' is read by a URL as a step in its path ('.' or '..'), so GitHub's API cannot address an environment by that name`
            : undefined;
  if (problem) {
    throw inputError(
      input,
      `has an invalid environment name: ${problem}`,
      'Use the name shown under Settings > Environments',
    );
  }
  return value;
}

// --- REST paths -----------------------------------------------------------------------------------------------

/**
 * The one way a REST path is built: each segment percent-encoded (a `/`, `?` or `#` in a name stays inside its
 * segment), and a segment that would still move the path (empty, `.`, `..`) refused. The names were checked
 * when read; this is the second line, for any name that reaches a path another way.
 */
export function apiPath(...segments: string[]): string {
  return segments
    .map((segment) => {
      const encoded = encodeURIComponent(segment);
      if (encoded === '' || DOT_SEGMENT.test(encoded)) {
        throw new ActionError(
          `'${segment}' cannot be a segment of a GitHub API path: a URL would read it as a step in the path, and the request would go to another endpoint`,
          {
            code: 'unsafe-path-segment',
            hint: 'Check the repository, environment, organization and secret names given to the action',
          },
        );
      }
      return `/${encoded}`;
    })
    .join('');
}

/**
 * The REST path of the destination's secrets or variables collection, or of one item in it
 * (https://docs.github.com/en/rest/actions/secrets, https://docs.github.com/en/rest/actions/variables).
 */
export function collectionPath(
  destination: Destination,
  resource: 'secrets' | 'variables',
  ...item: string[]
): string {
  switch (destination.kind) {
    case 'repository':
      return apiPath('repos', destination.owner, destination.repo, 'actions', resource, ...item);
    case 'environment':
      return apiPath(
        'repos',
        destination.owner,
        destination.repo,
        'environments',
        destination.environment,
        resource,
        ...item,
      );
    case 'organization':
      return apiPath('orgs', destination.org, 'actions', resource, ...item);
  }
}
