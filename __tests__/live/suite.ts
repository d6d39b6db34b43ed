import { type ActionRun, runAction } from '../harness/run-action.js';
import { type Octokit, type SnowflakeSession, adminLogin, github } from './clients.js';
import { cleanUp, leftovers } from './cleanup.js';
import { type LiveConfig, readLiveConfig, runPrefix } from './env.js';

/**
 * What each live test file shares: the configuration, the admin's session, Octokit, the file's own prefix
 * (the run's prefix plus a tag, so that its clean-up never drops what another file uses), the secrets the
 * leak scan looks for, and dist/index.js run with INPUT_* variables against the configured services.
 */

export const live = readLiveConfig();
const base = runPrefix();
/** Jest's `describe`, or `describe.skip` when the suite has nothing to run against. */
export const describeLive = live && base && process.env.LIVE_DISABLED !== '1' ? describe : describe.skip;

/**
 * The file's LiveSuite, started before its tests and finished (everything with its prefix dropped) after them;
 * called inside describeLive. `tag` sets the file's prefix apart from the other files'.
 */
export function useLiveSuite(tag: string): () => LiveSuite {
  const suite = live ? new LiveSuite(live, tag) : undefined;
  const s = (): LiveSuite => suite as LiveSuite;
  beforeAll(async () => {
    await s().start();
  });
  afterAll(async () => {
    await s().finish();
  });
  return s;
}

export class LiveSuite {
  admin!: SnowflakeSession;
  readonly octokit: Octokit;
  readonly prefix: string;
  readonly secrets: Record<string, string>;

  constructor(
    readonly config: LiveConfig,
    tag: string,
  ) {
    this.prefix = `${base ?? 'SKA_LIVE_UNSET_'}${tag}_`;
    this.octokit = github(config);
    this.secrets = { 'admin key': config.adminPrivateKey, 'github token': config.githubToken };
  }

  async start(): Promise<void> {
    this.admin = await adminLogin(this.config);
  }

  /** Drops everything with this file's prefix and fails if anything remains. */
  async finish(): Promise<void> {
    if (!this.admin) return;
    try {
      const result = await cleanUp(this.admin, this.octokit, this.config, this.prefix);
      const left = await leftovers(this.admin, this.octokit, this.config, this.prefix);
      if (result.failed.length > 0 || left.length > 0) {
        throw new Error(
          `Clean-up of ${this.prefix}* left ${left.map((o) => `${o.kind} ${o.name}`).join(', ')}; failures: ${result.failed
            .map((f) => `${f.kind} ${f.name}: ${f.error}`)
            .join('; ')}`,
        );
      }
    } finally {
      await this.admin.close();
    }
  }

  /** The inputs every run shares: the account, and the URL when it is not Snowflake's default. */
  baseInputs(): Record<string, string | undefined> {
    return { account: this.config.account, 'snowflake-url': this.config.snowflakeUrl };
  }

  /** Runs dist/index.js as the runner does (harness/run-action.ts: every run is scanned for leaks). */
  run(inputs: Record<string, string | undefined>, files?: Record<string, string>): Promise<ActionRun> {
    return runAction({
      inputs: { ...this.baseInputs(), ...inputs },
      files,
      secrets: this.secrets,
      timeoutMs: 240_000,
      env: {
        GITHUB_API_URL: this.config.githubApiUrl,
        GITHUB_REPOSITORY: this.config.repository,
      },
    });
  }

  /** Secret metadata (never the value): `updated_at`, or undefined when the secret does not exist. */
  async secretUpdatedAt(name: string, environment?: string): Promise<string | undefined> {
    const repo = { owner: this.config.owner, repo: this.config.repo, secret_name: name };
    try {
      const response = environment
        ? await this.octokit.request(
            'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
            { ...repo, environment_name: environment },
          )
        : await this.octokit.request('GET /repos/{owner}/{repo}/actions/secrets/{secret_name}', repo);
      return response.data.updated_at;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  }

  async variableValue(name: string): Promise<string | undefined> {
    try {
      const response = await this.octokit.request('GET /repos/{owner}/{repo}/actions/variables/{name}', {
        owner: this.config.owner,
        repo: this.config.repo,
        name,
      });
      return response.data.value;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  }

  /** DESC USER as the admin, as a property -> value map. */
  async describeUser(user: string): Promise<Record<string, string>> {
    const rows = await this.admin.sql(`DESC USER "${user}"`);
    return Object.fromEntries(rows.map((row) => [String(row.property), String(row.value)]));
  }
}
