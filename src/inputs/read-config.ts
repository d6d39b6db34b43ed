import { inputError } from '../errors.js';
import {
  type CommonConfig,
  type Config,
  MODES,
  type RotateConfig,
  type SetupConfig,
  type VerifyConfig,
} from '../config.js';
import { variableScope } from '../github/destinations.js';
import { keyDestinations } from '../github/placement.js';
import { type ParsedPrivateKey, exportPkcs8, parsePrivateKey } from '../keys.js';
import { maskSecret } from '../mask.js';
import { resolveIdentifier } from '../snowflake/identifiers.js';
import { readWorkspaceFile } from '../workspace.js';
import { type AccessSpec, MAX_SPEC_BYTES, SpecError, singleKeyedUser } from '../access-spec/model.js';
import { DESTINATION_INPUTS, readKeyInstall } from './key-install.js';
import { readSnowflakeLogin } from './snowflake-login.js';
import { type InputSource, Inputs, readWholeNumberKnob } from './source.js';

/**
 * Every input the action reads, parsed and validated in one place, before any network call. Every error
 * names the input, says what is wrong with it and how to fix it. Secrets are masked the moment they are read.
 */

/** Inputs whose values are secret: masked before anything else happens. */
const SECRET_INPUTS = [
  'private-key',
  'private-key-passphrase',
  'oauth-token',
  'programmatic-access-token',
  'current-private-key',
  'key-passphrase',
  'github-token',
];

/**
 * Parses the text of an access spec (access-spec/load.ts's loadSpec). Passed in rather than imported: the YAML parser
 * and the schema validator behind it are loaded only by a run that names a spec (see main.ts).
 */
export type SpecParser = (text: string, file: string) => AccessSpec;

export function readConfig(source: InputSource, parseSpec?: SpecParser): Config {
  for (const name of SECRET_INPUTS) maskSecret(source.getInput(name), source.setSecret);
  const inputs = new Inputs(source);
  const mode = inputs.choice('mode', MODES, undefined);
  switch (mode) {
    case 'rotate':
      return readRotateConfig(inputs, source);
    case 'setup':
      return readSetupConfig(inputs, source, parseSpec);
    case 'verify':
      return readVerifyConfig(inputs, source, parseSpec);
  }
}

function readCommon(inputs: Inputs, source: InputSource, needsTarget = true): CommonConfig {
  const snowflake = readSnowflakeLogin(inputs, source);
  const targetUserInput = inputs.optional('target-user');
  const targetUser = targetUserInput
    ? resolveIdentifier(targetUserInput, { source: "input 'target-user'" })
    : snowflake.user;
  if (targetUser === undefined && needsTarget) {
    throw inputError(
      'target-user',
      "is required with workload identity when 'user' is not set",
      'Name the service user whose key pair this step manages',
    );
  }
  const warnings: string[] = [];
  const { method } = snowflake;
  if (
    method.kind === 'key-pair' &&
    (method.privateKey.container === 'pkcs1' || method.privateKey.container === 'encrypted-pkcs1')
  ) {
    warnings.push(
      "Input 'private-key' is a PKCS#1 key (BEGIN RSA PRIVATE KEY). It works here, but Snowflake's own clients want PKCS#8: convert it with `openssl pkcs8 -topk8 -nocrypt -in key.pem`",
    );
  }
  return {
    dryRun: inputs.boolean('dry-run', false),
    snowflake,
    targetUser: targetUser ?? '',
    reportDirectory: source.env.RUNNER_TEMP || source.env.TMPDIR || '/tmp',
    warnings,
  };
}

/**
 * The key the workflows hold now, parsed and masked in its decrypted form too. A key stored by an earlier
 * rotation with key-passphrase is encrypted with that same passphrase.
 */
function readCurrentPrivateKey(inputs: Inputs, source: InputSource): ParsedPrivateKey | undefined {
  const text = inputs.optional('current-private-key');
  if (text === undefined) return undefined;
  const key = parsePrivateKey(text, inputs.optional('key-passphrase'), {
    key: 'current-private-key',
    passphrase: 'key-passphrase',
  });
  maskSecret(exportPkcs8(key.key), source.setSecret);
  return key;
}

function readRotateConfig(inputs: Inputs, source: InputSource): RotateConfig {
  const common = readCommon(inputs, source);
  const currentPrivateKey = readCurrentPrivateKey(inputs, source);
  const keyInstall = readKeyInstall(inputs, source);
  const retirePrevious = inputs.boolean('retire-previous', false);
  if (retirePrevious && !keyInstall.verifyLogin) {
    throw inputError(
      'retire-previous',
      "is 'true' while 'verify-login' is 'false'",
      'Retiring the previous key is safe only once the new key has been proven by a login: turn verify-login on, or retire later',
    );
  }
  return {
    mode: 'rotate',
    ...common,
    ...keyInstall,
    currentPrivateKey,
    gracePeriodMs: inputs.duration('grace-period', '1h'),
    retirePrevious,
  };
}

/** Refuses the first of `names` that is given (and that `counts`, when given), as an error about that input. */
function refuseGiven(
  inputs: Inputs,
  names: readonly string[],
  problem: string,
  hint: string,
  counts: (value: string) => boolean = () => true,
): void {
  const given = names.find((name) => {
    const value = inputs.optional(name);
    return value !== undefined && counts(value);
  });
  if (given !== undefined) throw inputError(given, problem, hint);
}

/** Inputs that belong to `rotate` only: given to `setup`, ignoring them would surprise. */
const ROTATE_ONLY_INPUTS = ['current-private-key', 'retire-previous'];

function readSetupConfig(inputs: Inputs, source: InputSource, parseSpec?: SpecParser): SetupConfig {
  refuseGiven(
    inputs,
    ROTATE_ONLY_INPUTS,
    "applies to 'mode: rotate' only",
    "Remove it: setup gives a user its first key and leaves a user that has one alone (rotating it is 'mode: rotate')",
    // `retire-previous: false` only writes out the default.
    (value) => value !== 'false',
  );
  const spec = readSpec(inputs, source, parseSpec);
  if (spec) {
    refuseGiven(
      inputs,
      DESTINATION_INPUTS,
      "is set together with 'spec'",
      "Remove it: with a spec, each user's `key.secret` names where its private key goes",
    );
  }
  const workflowRepository = source.env.GITHUB_REPOSITORY || undefined;
  const nowhere =
    spec?.users.filter((u) => u.key && keyDestinations(u.key.secret, workflowRepository).length === 0) ?? [];
  if (nowhere.length > 0) {
    throw new SpecError(
      nowhere.map((u) => ({
        ...u.key!.secret.source,
        message: `the key of ${u.name} names no repository, and GITHUB_REPOSITORY is not set. Name one: repository: owner/repo`,
      })),
    );
  }
  const fingerprintVariable = inputs.optional('fingerprint-variable');
  if (spec && fingerprintVariable !== undefined)
    refuseSharedRecords(spec, workflowRepository, fingerprintVariable);
  return {
    mode: 'setup',
    // With a spec, the users come from it; target-user is for setup without one.
    ...readCommon(inputs, source, spec === undefined),
    ...readKeyInstall(inputs, source, spec === undefined),
    spec,
    workflowRepository,
  };
}

/**
 * One variable of a name per repository, environment or organization: two keys stored in one such place would
 * record their fingerprints over each other, and each run would then take the other key's record for a
 * secret holding another user's key (modes/stored-keys.ts).
 */
function refuseSharedRecords(
  spec: AccessSpec,
  workflowRepository: string | undefined,
  variable: string,
): void {
  const usersByScope = new Map<string, string[]>();
  for (const user of spec.users) {
    if (!user.key) continue;
    for (const destination of keyDestinations(user.key.secret, workflowRepository)) {
      const scope = variableScope(destination);
      usersByScope.set(scope, [...(usersByScope.get(scope) ?? []), user.name]);
    }
  }
  const shared = [...usersByScope].filter(([, users]) => users.length > 1);
  if (shared.length === 0) return;
  throw inputError(
    'fingerprint-variable',
    `would record the keys of several users in the one variable ${variable}: ${shared.map(([scope, users]) => `${users.join(' and ')} store their keys in ${scope}`).join('; ')}, and a variable holds one value per repository, environment or organization`,
    "Remove it for this spec (setup then records nothing, and checks that no secret exists yet), or store each user's key in its own repository or environment",
  );
}

/**
 * Inputs that write somewhere: given to `verify`, which only reads, ignoring them would let a user believe
 * something was written or rotated.
 */
const WRITING_INPUTS = [
  ...DESTINATION_INPUTS,
  'github-token',
  'key-bits',
  'retire-previous',
  'force',
  'grace-period',
];

function readVerifyConfig(inputs: Inputs, source: InputSource, parseSpec?: SpecParser): VerifyConfig {
  const spec = readSpec(inputs, source, parseSpec);
  if (!spec) {
    throw inputError(
      'spec',
      "is required with 'mode: verify'",
      'Give the path of the access spec in the workspace (the same file setup applies), e.g. spec: snowflake/access.yml',
    );
  }
  refuseGiven(
    inputs,
    WRITING_INPUTS,
    "does not apply to 'mode: verify', which only reads",
    'Remove it: verify changes nothing in Snowflake or GitHub',
  );
  // Reading an Actions variable takes a token with Variables: read, which verify does not ask for (the
  // workflow's GITHUB_TOKEN cannot read variables through the API); ignoring the input would look like a check.
  if (inputs.optional('fingerprint-variable') !== undefined) {
    throw inputError(
      'fingerprint-variable',
      "cannot be read by 'mode: verify' (reading an Actions variable needs a token with Variables: read)",
      'Pass the key itself instead: current-private-key: ${{ secrets.SNOWFLAKE_PRIVATE_KEY }}; verify then checks that it is registered',
    );
  }
  const currentPrivateKey = readCurrentPrivateKey(inputs, source);
  if (!currentPrivateKey && inputs.optional('key-passphrase') !== undefined) {
    throw inputError(
      'key-passphrase',
      "is set without 'current-private-key'",
      "Remove it: verify uses it only to open an encrypted 'current-private-key'",
    );
  }
  const targetInput = inputs.optional('target-user');
  let keyUser = targetInput ? resolveIdentifier(targetInput, { source: "input 'target-user'" }) : undefined;
  if (currentPrivateKey && keyUser === undefined) {
    const keyed = spec.users.filter((u) => u.key);
    if (keyed.length !== 1) {
      throw inputError(
        'target-user',
        `is needed with 'current-private-key': the spec declares ${keyed.length} users with a key block`,
        'Name the user whose key current-private-key is',
      );
    }
    keyUser = keyed[0]?.name;
  }
  if (targetInput !== undefined && !currentPrivateKey) {
    throw inputError(
      'target-user',
      "is set without 'current-private-key'",
      "Remove it: verify checks every user the spec declares; target-user names the owner of 'current-private-key'",
    );
  }
  return {
    mode: 'verify',
    ...readCommon(inputs, source, false),
    targetUser: keyUser ?? singleKeyedUser(spec),
    spec,
    maxKeyAgeMs: readMaxKeyAge(inputs),
    strict: inputs.boolean('strict', false),
    currentPrivateKey,
    keyUser,
    concurrency: readConcurrency(source.env),
  };
}

/** `max-key-age`: zero would make every key an error, as the spec's `key.max_age` refuses too. */
function readMaxKeyAge(inputs: Inputs): number {
  const ms = inputs.duration('max-key-age', '90d');
  if (ms === 0) {
    throw inputError(
      'max-key-age',
      'is zero, so every key would be too old',
      'Give the longest age a key may reach, e.g. 90d',
    );
  }
  return ms;
}

/**
 * SNOWFLAKE_KEYPAIR_ACTION_READ_CONCURRENCY: how many statements verify keeps in flight while reading the
 * account (default 16). SHOW and DESC run in Snowflake's cloud services, without a warehouse, and Snowflake
 * queues what a session sends beyond its limits; sixteen at once turn a thousand SHOW GRANTS from minutes into
 * seconds (`npm run bench`: 8 in flight gave 6.3x over one at a time, which is the most 8 can give).
 */
function readConcurrency(env: InputSource['env']): number {
  return (
    readWholeNumberKnob(env, 'SNOWFLAKE_KEYPAIR_ACTION_READ_CONCURRENCY', {
      min: 1,
      max: 64,
      what: 'a whole number from 1 to 64',
      hint: 'Unset it (default 16), or give a number such as 8',
    }) ?? 16
  );
}

/** The access spec named by `spec`, a path in the workspace; its errors name the file, line and field. */
function readSpec(inputs: Inputs, source: InputSource, parseSpec?: SpecParser): AccessSpec | undefined {
  const path = inputs.optional('spec');
  if (path === undefined) return undefined;
  if (!parseSpec) throw new Error("readConfig needs the spec parser when the input 'spec' is set");
  const workspace = source.env.GITHUB_WORKSPACE || process.cwd();
  // Only files of the repository: an error about a spec quotes it, so it must not be any file on the runner.
  const file = readWorkspaceFile(workspace, path, {
    input: 'spec',
    maxBytes: MAX_SPEC_BYTES,
    sizeAdvice: 'An access spec is a short YAML file',
    readAdvice:
      'Give the path of the spec relative to the repository root, and check out the repository first (actions/checkout)',
  });
  return parseSpec(file.text, file.path);
}
