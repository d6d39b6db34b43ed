/** Where a private key is stored: an Actions secret of a repository, an environment or an organization. */
export type Destination =
  | { kind: 'repository'; owner: string; repo: string; secretName: string }
  | { kind: 'environment'; owner: string; repo: string; environment: string; secretName: string }
  | {
      kind: 'organization';
      org: string;
      secretName: string;
      visibility: 'all' | 'private' | 'selected';
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
 * The REST path of the destination's secrets or variables collection
 * (https://docs.github.com/en/rest/actions/secrets, https://docs.github.com/en/rest/actions/variables).
 */
export function collectionPath(destination: Destination, resource: 'secrets' | 'variables'): string {
  const enc = encodeURIComponent;
  switch (destination.kind) {
    case 'repository':
      return `/repos/${enc(destination.owner)}/${enc(destination.repo)}/actions/${resource}`;
    case 'environment':
      return `/repos/${enc(destination.owner)}/${enc(destination.repo)}/environments/${enc(destination.environment)}/${resource}`;
    case 'organization':
      return `/orgs/${enc(destination.org)}/actions/${resource}`;
  }
}
