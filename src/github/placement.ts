import {
  type Destination,
  type Visibility,
  parseEnvironmentName,
  parseOrganization,
  parseRepository,
} from './destinations.js';

/**
 * Where a private key goes, as the `secret-*` inputs and a spec's `key.secret` both give it: an organization
 * secret, or repository secrets, or environment secrets of those repositories. The rules between the fields are
 * written here once; each caller words a broken rule its own way (an input's error, a line of the spec).
 */

/** The fields as written. A list is absent when it is not written (an input left empty is not written). */
export interface PlacementFields {
  organization?: string;
  repositories?: readonly string[];
  environments?: readonly string[];
  /** Absent when not written: an organization secret is then private. */
  visibility?: Visibility;
  selectedRepositories: readonly string[];
  /** Where a repository or environment secret goes when no repository is named (inputs: GITHUB_REPOSITORY). */
  defaultRepository?: string;
}

/** The fields once checked: each name valid for GitHub, lists without the names it refused. */
export interface SecretPlacement {
  /** Empty: the repository that runs the workflow (see keyDestinations). */
  repositories: { owner: string; repo: string }[];
  environments: string[];
  organization?: string;
  visibility?: Visibility;
  /** Repository names within `organization`, for visibility `selected`. */
  selectedRepositories: string[];
}

export type PlacementField = 'organization' | 'repository' | 'environment' | 'selectedRepositories';

export type PlacementProblem =
  | { rule: 'organization-with-repository' }
  | { rule: 'selected-visibility-without-list' }
  | { rule: 'visibility-without-organization' }
  | { rule: 'list-without-selected-visibility' }
  | { rule: 'outside-organization'; index: number; entry: string; organization: string }
  | { rule: 'no-repository' };

export interface PlacementReporter {
  /**
   * Runs one of GitHub's name parsers (destinations.ts) on a field, item `index` of its list, with the name the
   * caller gives the field; undefined when the parser refused the name and the caller reported it.
   */
  parse<T>(field: PlacementField, index: number, parse: (input: string) => T): T | undefined;
  /** Reports a broken rule in the caller's words, or throws. */
  problem(problem: PlacementProblem): void;
}

/** Checks where a secret goes, reporting every problem through `reporter`, in the order written here. */
export function checkPlacement(fields: PlacementFields, reporter: PlacementReporter): SecretPlacement {
  const { organization } = fields;
  checkVisibility(fields, reporter);
  const repositories = parseEach(repositoryNames(fields, reporter), (name, index) =>
    reporter.parse('repository', index, (input) => parseRepository(name, input)),
  );
  const environments = parseEach(fields.environments ?? [], (environment, index) =>
    reporter.parse('environment', index, (input) => parseEnvironmentName(environment, input)),
  );
  const selectedRepositories = parseEach(fields.selectedRepositories, (entry, index) => {
    // Organization secrets can be shared only with the organization's own repositories. Without an
    // organization (reported above), a bare name is still checked as a repository name.
    const parsed = reporter.parse('selectedRepositories', index, (input) =>
      parseRepository(entry.includes('/') ? entry : `${organization ?? 'org'}/${entry}`, input),
    );
    if (parsed && organization !== undefined && parsed.owner.toLowerCase() !== organization.toLowerCase()) {
      reporter.problem({ rule: 'outside-organization', index, entry, organization });
    }
    return parsed?.repo;
  });
  return {
    repositories,
    environments,
    ...(organization === undefined ? {} : { organization, visibility: fields.visibility ?? 'private' }),
    selectedRepositories,
  };
}

/** An organization secret names no repository; its visibility and selected repositories agree. */
function checkVisibility(fields: PlacementFields, reporter: PlacementReporter): void {
  const { organization, visibility, selectedRepositories } = fields;
  if (organization !== undefined) {
    if (fields.repositories !== undefined || fields.environments !== undefined) {
      reporter.problem({ rule: 'organization-with-repository' });
    }
    reporter.parse('organization', 0, (input) => parseOrganization(organization, input));
    if (visibility === 'selected' && selectedRepositories.length === 0) {
      reporter.problem({ rule: 'selected-visibility-without-list' });
    }
  } else if (visibility !== undefined) {
    reporter.problem({ rule: 'visibility-without-organization' });
  }
  if (selectedRepositories.length > 0 && visibility !== 'selected') {
    reporter.problem({ rule: 'list-without-selected-visibility' });
  }
}

/** The repositories named, or the default one for a secret that is not an organization's. */
function repositoryNames(fields: PlacementFields, reporter: PlacementReporter): readonly string[] {
  const named = fields.repositories ?? [];
  if (named.length > 0 || fields.organization !== undefined) return named;
  if (fields.defaultRepository !== undefined) return [fields.defaultRepository];
  reporter.problem({ rule: 'no-repository' });
  return [];
}

function parseEach<T>(
  values: readonly string[],
  parse: (value: string, index: number) => T | undefined,
): T[] {
  return values.flatMap((value, index) => {
    const parsed = parse(value, index);
    return parsed === undefined ? [] : [parsed];
  });
}

/**
 * The destinations of a private key: one organization secret, or each repository's secret, or each
 * environment's of each repository. The workflow's repository (GITHUB_REPOSITORY, read by the caller) stands in
 * when the placement names none; none at all: no destination.
 */
export function keyDestinations(
  secret: SecretPlacement & { name: string },
  workflowRepository: string | undefined,
): Destination[] {
  const secretName = secret.name;
  if (secret.organization !== undefined) {
    return [
      {
        kind: 'organization',
        org: secret.organization,
        secretName,
        visibility: secret.visibility ?? 'private',
        selectedRepositories: secret.selectedRepositories,
      },
    ];
  }
  let repositories = secret.repositories;
  if (repositories.length === 0) {
    const [owner, repo] = (workflowRepository ?? '').split('/');
    if (!owner || !repo) return [];
    repositories = [{ owner, repo }];
  }
  if (secret.environments.length === 0) {
    return repositories.map(({ owner, repo }) => ({ kind: 'repository', owner, repo, secretName }));
  }
  return repositories.flatMap(({ owner, repo }) =>
    secret.environments.map((environment) => ({
      kind: 'environment' as const,
      owner,
      repo,
      environment,
      secretName,
    })),
  );
}
