import * as core from '@actions/core';
import { ActionError, inputError } from './errors.js';
import { KEY_SIZES, type KeySize, type ParsedPrivateKey, exportPkcs8, parsePrivateKey } from './keys.js';
import { maskSecret } from './mask.js';
import {
  type Destination,
  type GitHubSettings,
  parseEnvironmentName,
  parseOrganization,
  parseRepository,
  parseSecretName,
  variableScope,
} from './github/destinations.js';
import type { ProxySettings } from './snowflake/connection.js';
import { describeCharacter, resolveIdentifier, resolveQualifiedName } from './snowflake/identifiers.js';
import type { SnowflakeSecretName } from './snowflake/secrets.js';
import { readWorkspaceFile } from './workspace.js';
import { type AccessSpec, MAX_SPEC_BYTES, SpecError, keyDestinations } from './access-spec/model.js';

export type { Destination, GitHubSettings, ProxySettings };

/**
 * Every input the action reads, parsed and validated in one place, before any network call. Every error
 * names the input, says what is wrong with it and how to fix it. Secrets are masked the moment they are read.
 */

export type Mode = 'setup' | 'rotate' | 'verify';
export const MODES: readonly Mode[] = ['setup', 'rotate', 'verify'];

/** How the session that runs the statements logs in: exactly one method (interface.md). */
export type LoginMethod =
  | { kind: 'key-pair'; privateKey: ParsedPrivateKey }
  | { kind: 'workload-identity'; audience: string }
  | { kind: 'oauth'; token: string }
  | { kind: 'programmatic-access-token'; token: string };

export interface SnowflakeLogin {
  /** Account identifier as given (`orgname-accountname` or `locator[.region[.cloud]]`). */
  account: string;
  /** Base URL of the account: `https://<account>.snowflakecomputing.com` or `snowflake-url`. */
  url: string;
  /** Login name, resolved by Snowflake's identifier rules; absent with workload identity, which names the user itself. */
  user?: string;
  role?: string;
  method: LoginMethod;
  proxy?: ProxySettings;
  statementDeadlineMs?: number;
}

interface CommonConfig {
  dryRun: boolean;
  snowflake: SnowflakeLogin;
  /** The user whose key pair is managed, resolved. */
  targetUser: string;
  /** Directory for the JSON report (RUNNER_TEMP). */
  reportDirectory: string;
  /** Things worth a warning that do not stop the run. */
  warnings: string[];
}

/** What putting a new key on a user needs: how to make it, prove it and where to store it. */
export interface KeyInstallConfig {
  keyBits: KeySize;
  keyPassphrase?: string;
  verifyLogin: boolean;
  github: GitHubSettings;
  destinations: Destination[];
  /** Name of the Actions variable that records the new fingerprint beside each secret. */
  fingerprintVariable?: string;
  /** A Snowflake SECRET (GENERIC_STRING) that also receives the private key. */
  snowflakeSecret?: SnowflakeSecretName;
  /**
   * Proceed past refusals that protect keys this run cannot see: a destination holding a value this action
   * did not store for this user, and (rotate) the grace period and the unknown slot.
   */
  force: boolean;
}

export interface RotateConfig extends CommonConfig, KeyInstallConfig {
  mode: 'rotate';
  currentPrivateKey?: ParsedPrivateKey;
  gracePeriodMs: number;
  retirePrevious: boolean;
}

export interface SetupConfig extends CommonConfig, KeyInstallConfig {
  mode: 'setup';
  /** The access spec; without one, setup gives `target-user` its first key. */
  spec?: AccessSpec;
  /** GITHUB_REPOSITORY: where a spec's key goes when its block names no repository. */
  workflowRepository?: string;
}

export interface VerifyConfig extends CommonConfig {
  mode: 'verify';
  spec: AccessSpec;
  /** `max-key-age`: a key older than this is an error (a user's `key.max_age` wins). */
  maxKeyAgeMs: number;
  strict: boolean;
  /** The key the workflows hold: verify checks that it is still registered on `keyUser`. */
  currentPrivateKey?: ParsedPrivateKey;
  /** The user `current-private-key` belongs to: `target-user`, or the spec's only user with a key block. */
  keyUser?: string;
  /** Statements in flight at once while reading the account. */
  concurrency: number;
}

export type Config = RotateConfig | SetupConfig | VerifyConfig;

export interface InputSource {
  /** The raw input, '' when unset (as core.getInput returns it). */
  getInput(name: string): string;
  env: Readonly<Record<string, string | undefined>>;
  setSecret(value: string): void;
}

/** The inputs and environment of a real Actions run. */
export function actionsInputSource(): InputSource {
  return {
    getInput: (name) => core.getInput(name),
    env: process.env,
    setSecret: (value) => core.setSecret(value),
  };
}

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
 * Parses the text of an access spec (spec/load.ts's loadSpec). Passed in rather than imported: the YAML parser
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

/** Inputs that belong to `rotate` only: given to `setup`, ignoring them would surprise. */
const ROTATE_ONLY_INPUTS = ['current-private-key', 'retire-previous'];

function readSetupConfig(inputs: Inputs, source: InputSource, parseSpec?: SpecParser): SetupConfig {
  for (const name of ROTATE_ONLY_INPUTS) {
    if (inputs.optional(name) !== undefined && inputs.optional(name) !== 'false') {
      throw inputError(
        name,
        "applies to 'mode: rotate' only",
        "Remove it: setup gives a user its first key and leaves a user that has one alone (rotating it is 'mode: rotate')",
      );
    }
  }
  const spec = readSpec(inputs, source, parseSpec);
  if (spec) {
    for (const name of DESTINATION_INPUTS) {
      if (inputs.optional(name) !== undefined) {
        throw inputError(
          name,
          "is set together with 'spec'",
          "Remove it: with a spec, each user's `key.secret` names where its private key goes",
        );
      }
    }
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
  'secret-name',
  'secret-repository',
  'secret-environment',
  'secret-organization',
  'secret-visibility',
  'secret-selected-repositories',
  'snowflake-secret',
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
  for (const name of WRITING_INPUTS) {
    if (inputs.optional(name) !== undefined) {
      throw inputError(
        name,
        "does not apply to 'mode: verify', which only reads",
        'Remove it: verify changes nothing in Snowflake or GitHub',
      );
    }
  }
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

function singleKeyedUser(spec: AccessSpec): string {
  const keyed = spec.users.filter((u) => u.key);
  return keyed.length === 1 ? (keyed[0]?.name ?? '') : '';
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

/** Where the key goes, given as inputs; with a spec, each user's key block says it instead. */
const DESTINATION_INPUTS = [
  'secret-name',
  'secret-repository',
  'secret-environment',
  'secret-organization',
  'secret-visibility',
  'secret-selected-repositories',
  'snowflake-secret',
];

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

function readKeyInstall(inputs: Inputs, source: InputSource, withDestinations = true): KeyInstallConfig {
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

const ACCOUNT_IDENTIFIER = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,2}$/;
const SNOWFLAKE_HOST_SUFFIX = /\.snowflakecomputing\.(com|cn)$/i;

/** Parses `account`, recognising a pasted URL or host name and showing the identifier to use instead. */
export function parseAccount(value: string): string {
  let candidate = value.trim();
  const pastedUrl = /^[a-z]+:\/\//i.test(candidate);
  if (pastedUrl || SNOWFLAKE_HOST_SUFFIX.test(candidate)) {
    const host = pastedUrl ? safeHost(candidate) : candidate;
    const identifier = host?.replace(SNOWFLAKE_HOST_SUFFIX, '');
    const suggestion =
      identifier && ACCOUNT_IDENTIFIER.test(identifier) ? `account: ${identifier}` : undefined;
    throw inputError(
      'account',
      `is a ${pastedUrl ? 'URL' : 'host name'}, not an account identifier`,
      suggestion
        ? `Use '${suggestion}'${pastedUrl ? ", and put a PrivateLink or custom URL in 'snowflake-url'" : ''}`
        : "Use the account identifier (orgname-accountname), and put the URL in 'snowflake-url'",
    );
  }
  candidate = candidate.replace(/\/+$/, '');
  if (!ACCOUNT_IDENTIFIER.test(candidate)) {
    const stray = Array.from(candidate).findIndex((ch) => !/^[A-Za-z0-9_.-]$/.test(ch));
    throw inputError(
      'account',
      `is not a Snowflake account identifier${stray < 0 ? ' (its dots do not separate up to three names)' : `: it has ${describeCharacter(Array.from(candidate)[stray] ?? '')} at position ${stray + 1}`}`,
      "Use orgname-accountname (from SELECT CURRENT_ORGANIZATION_NAME() || '-' || CURRENT_ACCOUNT_NAME()) or locator.region",
    );
  }
  return candidate;
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** `snowflake-url`: any https URL; http only to loopback, so that no token or JWT crosses a network in clear. */
export function parseSnowflakeUrl(value: string | undefined, account: string): string {
  // Account names may hold '_', which host names may not: Snowflake's URLs use '-' instead.
  if (!value) return `https://${account.toLowerCase().replace(/_/g, '-')}.snowflakecomputing.com`;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw inputError(
      'snowflake-url',
      'is not a URL',
      'Give a base URL like https://myorg-myaccount.privatelink.snowflakecomputing.com',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw inputError('snowflake-url', `uses '${url.protocol}'`, 'Use an https:// URL');
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.test(url.hostname)) {
    throw inputError(
      'snowflake-url',
      `is plain http to ${url.hostname}, which would send login tokens unencrypted`,
      'Use https://; plain http is allowed only to a loopback address (127.0.0.1, localhost) such as a local emulator',
    );
  }
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    throw inputError(
      'snowflake-url',
      'has a path, query or credentials',
      'Give only the scheme, host and port',
    );
  }
  return url.origin;
}

function readSnowflakeLogin(inputs: Inputs, source: InputSource): SnowflakeLogin {
  const account = parseAccount(
    inputs.required('account', 'the Snowflake account identifier, e.g. myorg-myaccount'),
  );
  const url = parseSnowflakeUrl(inputs.optional('snowflake-url'), account);
  const method = readLoginMethod(inputs, source);
  const userInput =
    method.kind === 'workload-identity'
      ? inputs.optional('user')
      : inputs.required('user', 'the login name of the Snowflake user that runs the statements');
  const user = userInput === undefined ? undefined : resolveIdentifier(userInput, { source: "input 'user'" });
  const roleInput = inputs.optional('role');
  const role = roleInput ? resolveIdentifier(roleInput, { source: "input 'role'" }) : undefined;
  if (method.kind === 'workload-identity') checkWorkloadIdentityHost(url, source.env);
  return {
    account,
    url,
    user,
    role,
    method,
    proxy: readProxy(source.env, url, source.setSecret),
    statementDeadlineMs: readMillisecondsKnob(source.env, 'SNOWFLAKE_KEYPAIR_ACTION_STATEMENT_DEADLINE_MS'),
  };
}

/**
 * snowflake-sdk sends a workload-identity token only to Snowflake's own domains (and hosts listed in
 * SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES): say so before the login, instead of a refusal that reads like a wrong
 * subject. Loopback (a local emulator) is allowed by the connector.
 */
function checkWorkloadIdentityHost(url: string, env: InputSource['env']): void {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'http:') return;
  const suffixes = [
    '.snowflakecomputing.com',
    '.snowflakecomputing.cn',
    ...(env.SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES ?? '').split(','),
  ]
    .map((suffix) => suffix.trim().toLowerCase())
    .filter(Boolean);
  if (!suffixes.some((suffix) => hostname.toLowerCase().endsWith(suffix))) {
    throw inputError(
      'snowflake-url',
      `points at ${hostname}, where snowflake-sdk will not send a workload-identity token`,
      "Use the account's snowflakecomputing.com host (PrivateLink hosts end in privatelink.snowflakecomputing.com), or list the host's domain in the SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES environment variable",
    );
  }
}

const LOGIN_INPUTS = [
  'private-key',
  'workload-identity',
  'oauth-token',
  'programmatic-access-token',
] as const;

/** Exactly one of the four login methods; the rest of their inputs must not be given alone. */
function readLoginMethod(inputs: Inputs, source: InputSource): LoginMethod {
  const workloadIdentity = inputs.boolean('workload-identity', false);
  const given = LOGIN_INPUTS.filter((name) =>
    name === 'workload-identity' ? workloadIdentity : inputs.optional(name) !== undefined,
  );
  const howToChoose =
    "Give exactly one of 'private-key', 'workload-identity: true', 'oauth-token' or 'programmatic-access-token'";
  if (given.length > 1) {
    throw inputError(given[1] ?? '', `is set together with '${given[0]}'`, howToChoose);
  }
  if (inputs.optional('private-key-passphrase') !== undefined && given[0] !== 'private-key') {
    throw inputError(
      'private-key-passphrase',
      "is set without 'private-key'",
      "Remove it, or log in with 'private-key'",
    );
  }
  if (inputs.optional('oidc-audience') !== undefined && !workloadIdentity) {
    throw inputError(
      'oidc-audience',
      "is set without 'workload-identity: true'",
      "Remove it, or set 'workload-identity: true'",
    );
  }
  switch (given[0]) {
    case 'private-key': {
      const privateKey = parsePrivateKey(
        inputs.optional('private-key') ?? '',
        inputs.optional('private-key-passphrase'),
        {
          key: 'private-key',
          passphrase: 'private-key-passphrase',
        },
      );
      // The SDK gets the key decrypted, as PKCS#8: mask that form too before it exists anywhere else.
      maskSecret(exportPkcs8(privateKey.key), source.setSecret);
      return { kind: 'key-pair', privateKey };
    }
    case 'workload-identity':
      // The runner sets these only for jobs with `permissions: id-token: write`.
      if (!source.env.ACTIONS_ID_TOKEN_REQUEST_URL || !source.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
        throw inputError(
          'workload-identity',
          "is 'true', but this job cannot request an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set)",
          'Add `permissions: id-token: write` to the workflow or the job',
        );
      }
      return {
        kind: 'workload-identity',
        audience: inputs.optional('oidc-audience') ?? 'snowflakecomputing.com',
      };
    case 'oauth-token':
      return { kind: 'oauth', token: inputs.optional('oauth-token') ?? '' };
    case 'programmatic-access-token':
      return { kind: 'programmatic-access-token', token: inputs.optional('programmatic-access-token') ?? '' };
    default:
      throw inputError(
        'private-key',
        'and the other login inputs are all empty: there is no way to log in to Snowflake',
        howToChoose,
      );
  }
}

/**
 * Environment knobs that shorten the action's waits (the fault tests use them, so that a service that never
 * answers costs seconds, not minutes): SNOWFLAKE_KEYPAIR_ACTION_STATEMENT_DEADLINE_MS, how long a Snowflake
 * statement may take with the driver's retries (default 90 s); SNOWFLAKE_KEYPAIR_ACTION_GITHUB_TIMEOUT_MS,
 * how long one GitHub request may take (default 15 s).
 */
function readMillisecondsKnob(env: InputSource['env'], name: string): number | undefined {
  return readWholeNumberKnob(env, name, {
    min: 1000,
    what: 'a number of milliseconds of at least 1000',
    hint: 'Unset it, or give a whole number such as 30000',
  });
}

/** An environment knob holding a whole number within bounds; undefined when unset. */
function readWholeNumberKnob(
  env: InputSource['env'],
  name: string,
  rule: { min: number; max?: number; what: string; hint: string },
): number | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < rule.min || value > (rule.max ?? Number.MAX_SAFE_INTEGER)) {
    throw new ActionError(`${name} is not ${rule.what}`, { code: 'invalid-environment', hint: rule.hint });
  }
  return value;
}

/**
 * The runner's proxy variables, applied explicitly (the SDK's own environment lookup is turned off, so a
 * proxy never applies by accident, and loopback URLs never go through one).
 */
export function readProxy(
  env: InputSource['env'],
  snowflakeUrl: string,
  setSecret: (value: string) => void,
): ProxySettings | undefined {
  const raw = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  if (!raw) return undefined;
  const target = new URL(snowflakeUrl);
  if (LOOPBACK_HOSTS.test(target.hostname)) return undefined;
  const noProxy = env.NO_PROXY || env.no_proxy;
  if (noProxy && hostMatchesNoProxy(target.hostname, noProxy)) return undefined;
  let proxy: URL;
  try {
    proxy = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new ActionError('The HTTPS_PROXY environment variable is not a URL', {
      code: 'invalid-proxy',
      hint: 'Set it to http://host:port, or unset it',
    });
  }
  const protocol = proxy.protocol === 'https:' ? 'https' : 'http';
  const password = proxy.password ? decodeURIComponent(proxy.password) : undefined;
  maskSecret(password, setSecret);
  return {
    protocol,
    host: proxy.hostname,
    port: Number(proxy.port || (protocol === 'https' ? 443 : 80)),
    user: proxy.username ? decodeURIComponent(proxy.username) : undefined,
    password,
    noProxy,
  };
}

function hostMatchesNoProxy(host: string, noProxy: string): boolean {
  return splitList(noProxy).some((entry) => {
    if (entry === '*') return true;
    const suffix = entry.replace(/^\*?\.?/, '').toLowerCase();
    return host.toLowerCase() === suffix || host.toLowerCase().endsWith(`.${suffix}`);
  });
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

const DURATION = /^(\d+)\s*(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * The longest duration accepted: 100 years. Longer ones are typing mistakes, and past about 273,000 years they
 * no longer fit in a JavaScript Date, so that every comparison with a key's age would silently be false.
 */
const MAX_DURATION_DAYS = 36_500;
const MAX_DURATION_MS = MAX_DURATION_DAYS * 86_400_000;

/** Durations as the interface writes them: `90m`, `1h`, `36h`, `7d` (also `s` and `w`). */
export function parseDuration(value: string, input: string): number {
  const match = DURATION.exec(value.trim().toLowerCase());
  if (!match) {
    throw inputError(
      input,
      `is '${value}', which is not a duration`,
      'Write a number and a unit: 90m, 1h, 36h, 7d',
    );
  }
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  if (!(ms <= MAX_DURATION_MS)) {
    throw inputError(
      input,
      `is '${value}', longer than the limit of ${MAX_DURATION_DAYS}d (100 years)`,
      'Write a duration such as 90d or 52w',
    );
  }
  return ms;
}

export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Typed access to raw inputs; every parse error names the input. */
class Inputs {
  constructor(private readonly source: InputSource) {}

  optional(name: string): string | undefined {
    const value = this.source.getInput(name).trim();
    return value === '' ? undefined : value;
  }

  required(name: string, what: string): string {
    const value = this.optional(name);
    if (value === undefined) throw inputError(name, 'is required', `Set it to ${what}`);
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    // The YAML 1.2 core schema booleans, as core.getBooleanInput accepts them.
    if (['true', 'True', 'TRUE'].includes(value)) return true;
    if (['false', 'False', 'FALSE'].includes(value)) return false;
    throw inputError(name, `is '${value}', which is not a boolean`, "Use 'true' or 'false'");
  }

  choice<T extends string>(name: string, allowed: readonly T[], fallback: T | undefined): T {
    const value = this.optional(name) ?? fallback;
    if (value === undefined) throw inputError(name, 'is required', `Set it to one of: ${allowed.join(', ')}`);
    if (!(allowed as readonly string[]).includes(value)) {
      throw inputError(name, `is '${value}'`, `Use one of: ${allowed.join(', ')}`);
    }
    return value as T;
  }

  duration(name: string, fallback: string): number {
    return parseDuration(this.optional(name) ?? fallback, name);
  }

  list(name: string): string[] {
    return splitList(this.optional(name) ?? '');
  }
}
