import { inputError } from '../errors.js';
import type { KeyInstallConfig } from '../config.js';
import {
  type Destination,
  type GitHubSettings,
  parseEnvironmentName,
  parseOrganization,
  parseRepository,
  parseSecretName,
} from '../github/destinations.js';
import { KEY_SIZES, type KeySize } from '../keys.js';
import { resolveQualifiedName } from '../snowflake/identifiers.js';
import type { SnowflakeSecretName } from '../snowflake/secrets.js';
import { type InputSource, type Inputs, readMillisecondsKnob } from './source.js';

/** The inputs of putting a new key on a user (rotate, and setup without a spec): the key, GitHub, where it goes. */

/** Where the key goes, given as inputs; with a spec, each user's key block says it instead. */
export const DESTINATION_INPUTS = [
  'secret-name',
  'secret-repository',
  'secret-environment',
  'secret-organization',
  'secret-visibility',
  'secret-selected-repositories',
  'snowflake-secret',
];

export function readKeyInstall(
  inputs: Inputs,
  source: InputSource,
  withDestinations = true,
): KeyInstallConfig {
  return {
    keyBits: Number(inputs.choice('key-bits', KEY_SIZES.map(String), '2048')) as KeySize,
    keyPassphrase: inputs.optional('key-passphrase'),
    verifyLogin: inputs.boolean('verify-login', true),
    github: readGitHub(inputs, source),
    destinations: withDestinations ? readDestinations(inputs, source) : [],
    fingerprintVariable: optionalName(inputs, 'fingerprint-variable'),
    snowflakeSecret: withDestinations ? readSnowflakeSecret(inputs) : undefined,
    force: inputs.boolean('force', false),
  };
}

function readSnowflakeSecret(inputs: Inputs): SnowflakeSecretName | undefined {
  const value = inputs.optional('snowflake-secret');
  if (value === undefined) return undefined;
  const [database = '', schema = '', name = ''] = resolveQualifiedName(value, 3, {
    source: "input 'snowflake-secret'",
  });
  return { database, schema, name };
}

function readGitHub(inputs: Inputs, source: InputSource): GitHubSettings {
  const token = inputs.required(
    'github-token',
    'a token that may write Actions secrets (a GitHub App token or fine-grained token with Secrets: write); the workflow GITHUB_TOKEN cannot write secrets',
  );
  return {
    token,
    apiUrl: (source.env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    requestTimeoutMs: readMillisecondsKnob(source.env, 'SNOWFLAKE_KEYPAIR_ACTION_GITHUB_TIMEOUT_MS'),
  };
}

function optionalName(inputs: Inputs, input: string): string | undefined {
  const value = inputs.optional(input);
  return value === undefined ? undefined : parseSecretName(value, input);
}

function readDestinations(inputs: Inputs, source: InputSource): Destination[] {
  const secretName = parseSecretName(
    inputs.required(
      'secret-name',
      'the name of the Actions secret that receives the private key, e.g. SNOWFLAKE_PRIVATE_KEY',
    ),
  );
  const organization = inputs.optional('secret-organization');
  const repositoriesInput = inputs.list('secret-repository');
  const environments = inputs.list('secret-environment');
  const visibility = inputs.choice('secret-visibility', ['all', 'private', 'selected'] as const, 'private');
  const selected = inputs.list('secret-selected-repositories');
  if (organization) {
    if (repositoriesInput.length > 0 || environments.length > 0) {
      throw inputError(
        'secret-organization',
        "is set together with 'secret-repository' or 'secret-environment'",
        'Write either an organization secret or repository/environment secrets in one step; use two steps for both',
      );
    }
    parseOrganization(organization, 'secret-organization');
    if (visibility === 'selected' && selected.length === 0) {
      throw inputError(
        'secret-selected-repositories',
        "is empty, but 'secret-visibility' is 'selected'",
        'List the repositories that may read the secret, or choose visibility private or all',
      );
    }
    if (visibility !== 'selected' && selected.length > 0) {
      throw inputError(
        'secret-selected-repositories',
        `is set, but 'secret-visibility' is '${visibility}'`,
        "Set 'secret-visibility: selected', or remove the list",
      );
    }
    const selectedRepositories = selected.map((entry) => {
      // Organization secrets can be shared only with the organization's own repositories.
      const { owner, repo } = parseRepository(
        entry.includes('/') ? entry : `${organization}/${entry}`,
        'secret-selected-repositories',
      );
      if (owner.toLowerCase() !== organization.toLowerCase()) {
        throw inputError(
          'secret-selected-repositories',
          `has '${entry}', which is not in the organization ${organization}`,
          `List repositories of ${organization} only`,
        );
      }
      return repo;
    });
    return [{ kind: 'organization', org: organization, secretName, visibility, selectedRepositories }];
  }
  if (selected.length > 0 || inputs.optional('secret-visibility')) {
    throw inputError(
      'secret-visibility',
      'applies to organization secrets only',
      "Remove it, or set 'secret-organization'",
    );
  }
  const repositoryNames =
    repositoriesInput.length > 0 ? repositoriesInput : [source.env.GITHUB_REPOSITORY ?? ''];
  if (repositoryNames[0] === '') {
    throw inputError(
      'secret-repository',
      'is empty and GITHUB_REPOSITORY is not set',
      'Name the repository as owner/repo',
    );
  }
  const repositories = repositoryNames.map((name) => parseRepository(name, 'secret-repository'));
  if (environments.length === 0) {
    return repositories.map(({ owner, repo }) => ({ kind: 'repository', owner, repo, secretName }));
  }
  for (const environment of environments) parseEnvironmentName(environment, 'secret-environment');
  return repositories.flatMap(({ owner, repo }) =>
    environments.map((environment) => ({
      kind: 'environment' as const,
      owner,
      repo,
      environment,
      secretName,
    })),
  );
}
