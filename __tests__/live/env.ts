import { readFileSync } from 'node:fs';

/**
 * The live suite's configuration: which Snowflake account and GitHub repository to run against, read from
 * LIVE_* environment variables (documented in __tests__/live/README.md). Without them the suite runs nothing.
 */

export interface LiveConfig {
  /** Account identifier, e.g. `myorg-myaccount`. */
  account: string;
  /** Base URL of Snowflake; absent: `https://<account>.snowflakecomputing.com` (the SDK's default). */
  snowflakeUrl?: string;
  adminUser: string;
  adminPrivateKey: string;
  adminRole: string;
  githubToken: string;
  /** `owner/repo` of a scratch repository. */
  repository: string;
  owner: string;
  repo: string;
  /** An existing environment of that repository. */
  environment: string;
  githubApiUrl: string;
  /** Where the fidelity report goes. */
  reportPath: string;
}

/**
 * The variables a live run needs, in the order the hint names them; in a JSON file because the global setup
 * (CommonJS, run before any TypeScript) reads the same list.
 */
export const REQUIRED_VARIABLES = JSON.parse(
  readFileSync(new URL('./required-variables.json', import.meta.url), 'utf8'),
) as readonly string[];

/** The one line printed when the suite has nothing to run against. */
export function notConfiguredLine(missing: string[]): string {
  return (
    `Live suite skipped: set ${missing.join(', ')} (or LIVE_USE_EMULATORS=1 to run it against local emulators); ` +
    'see __tests__/live/README.md'
  );
}

/** The variables that are missing ( `_PATH` stands in for the admin key). */
export function missingVariables(env: NodeJS.ProcessEnv = process.env): string[] {
  return REQUIRED_VARIABLES.filter((name) => {
    if (name === 'LIVE_SNOWFLAKE_ADMIN_PRIVATE_KEY') return !env[name] && !env[`${name}_PATH`];
    return !env[name];
  });
}

export const DEFAULT_REPORT_NAME = 'live-fidelity.json';

export function readLiveConfig(env: NodeJS.ProcessEnv = process.env): LiveConfig | undefined {
  if (missingVariables(env).length > 0) return undefined;
  const keyPath = env.LIVE_SNOWFLAKE_ADMIN_PRIVATE_KEY_PATH;
  const adminPrivateKey = env.LIVE_SNOWFLAKE_ADMIN_PRIVATE_KEY || readFileSync(keyPath ?? '', 'utf8');
  const repository = env.LIVE_GITHUB_REPOSITORY ?? '';
  const [owner, repo, extra] = repository.split('/');
  if (!owner || !repo || extra !== undefined) {
    throw new Error(`LIVE_GITHUB_REPOSITORY is '${repository}': write it as owner/repo`);
  }
  return {
    account: env.LIVE_SNOWFLAKE_ACCOUNT ?? '',
    snowflakeUrl: env.LIVE_SNOWFLAKE_URL || undefined,
    adminUser: env.LIVE_SNOWFLAKE_ADMIN_USER ?? '',
    // A key pasted into a secret store with literal \n (the SDK wants real newlines).
    adminPrivateKey: adminPrivateKey.replace(/\\n/g, '\n'),
    adminRole: env.LIVE_SNOWFLAKE_ADMIN_ROLE ?? '',
    githubToken: env.LIVE_GITHUB_TOKEN ?? '',
    repository,
    owner,
    repo,
    environment: env.LIVE_GITHUB_ENVIRONMENT ?? '',
    githubApiUrl: (env.LIVE_GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    reportPath: env.LIVE_FIDELITY_REPORT ?? '',
  };
}

/**
 * The prefix of everything this run creates: `SKA_LIVE_<6 random>_`, set by the global setup in LIVE_RUN_PREFIX.
 * Each test file adds its own tag, so that one file's clean-up never drops what another file still uses.
 */
export function runPrefix(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const prefix = env.LIVE_RUN_PREFIX;
  return prefix && /^SKA_LIVE_[A-Z0-9]{6}_$/.test(prefix) ? prefix : undefined;
}

export const PREFIX_PATTERN = /^SKA_LIVE_[A-Z0-9]{6}_([A-Z0-9]+_)?$/;
