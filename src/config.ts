import type { AccessSpec } from './access-spec/model.js';
import type { Destination, GitHubSettings } from './github/destinations.js';
import type { KeySize, ParsedPrivateKey } from './keys.js';
import type { ProxySettings } from './snowflake/login-request.js';
import type { SnowflakeSecretName } from './snowflake/model.js';

/**
 * What a run is asked to do, once every input is read and validated (inputs/read-config.ts): one typed
 * `Config` per mode, which the modes receive.
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

export interface CommonConfig {
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
