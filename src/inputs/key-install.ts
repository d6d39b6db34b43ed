import { type ActionError, inputError } from '../errors.js';
import type { KeyInstallConfig } from '../config.js';
import {
  type Destination,
  type GitHubSettings,
  VISIBILITIES,
  parseSecretName,
} from '../github/destinations.js';
import {
  type PlacementField,
  type PlacementFields,
  type PlacementProblem,
  checkPlacement,
  keyDestinations,
} from '../github/placement.js';
import { KEY_SIZES, type KeySize } from '../keys.js';
import { resolveQualifiedName } from '../snowflake/identifiers.js';
import type { SnowflakeSecretName } from '../snowflake/model.js';
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

/** The `secret-*` inputs that name a field of the placement, for the errors about it. */
const PLACEMENT_INPUTS: Record<PlacementField, string> = {
  organization: 'secret-organization',
  repository: 'secret-repository',
  environment: 'secret-environment',
  selectedRepositories: 'secret-selected-repositories',
};

function readDestinations(inputs: Inputs, source: InputSource): Destination[] {
  const name = parseSecretName(
    inputs.required(
      'secret-name',
      'the name of the Actions secret that receives the private key, e.g. SNOWFLAKE_PRIVATE_KEY',
    ),
  );
  const organization = inputs.optional('secret-organization');
  const written = (list: string[]): string[] | undefined => (list.length > 0 ? list : undefined);
  const fields: PlacementFields = {
    organization,
    repositories: written(inputs.list('secret-repository')),
    environments: written(inputs.list('secret-environment')),
    visibility: inputs.optionalChoice('secret-visibility', VISIBILITIES),
    selectedRepositories: inputs.list('secret-selected-repositories'),
    defaultRepository: source.env.GITHUB_REPOSITORY || undefined,
  };
  const placement = checkPlacement(fields, {
    parse: (field, _index, parse) => parse(PLACEMENT_INPUTS[field]),
    problem: (problem) => {
      throw placementInputError(problem, fields);
    },
  });
  return keyDestinations({ name, ...placement }, undefined);
}

/** The input each rule between the `secret-*` inputs is reported on, what the error says and its hint. */
const PLACEMENT_ERRORS: Record<
  Exclude<PlacementProblem['rule'], 'list-without-selected-visibility' | 'outside-organization'>,
  [input: string, problem: string, hint: string]
> = {
  'organization-with-repository': [
    'secret-organization',
    "is set together with 'secret-repository' or 'secret-environment'",
    'Write either an organization secret or repository/environment secrets in one step; use two steps for both',
  ],
  'selected-visibility-without-list': [
    'secret-selected-repositories',
    "is empty, but 'secret-visibility' is 'selected'",
    'List the repositories that may read the secret, or choose visibility private or all',
  ],
  'visibility-without-organization': [
    'secret-visibility',
    'applies to organization secrets only',
    "Remove it, or set 'secret-organization'",
  ],
  'no-repository': [
    'secret-repository',
    'is empty and GITHUB_REPOSITORY is not set',
    'Name the repository as owner/repo',
  ],
};

/** A broken placement rule, as the error of the input that breaks it. */
function placementInputError(problem: PlacementProblem, fields: PlacementFields): ActionError {
  switch (problem.rule) {
    case 'list-without-selected-visibility':
      // Without an organization, the list is a visibility setting where none applies.
      return fields.organization === undefined
        ? inputError(...PLACEMENT_ERRORS['visibility-without-organization'])
        : inputError(
            'secret-selected-repositories',
            `is set, but 'secret-visibility' is '${fields.visibility ?? 'private'}'`,
            "Set 'secret-visibility: selected', or remove the list",
          );
    case 'outside-organization':
      return inputError(
        'secret-selected-repositories',
        `has '${problem.entry}', which is not in the organization ${problem.organization}`,
        `List repositories of ${problem.organization} only`,
      );
    default:
      return inputError(...PLACEMENT_ERRORS[problem.rule]);
  }
}
