import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import snowflake from 'snowflake-sdk';
import { GitHubControl } from '../emulators/github/control.js';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { SnowflakeControl } from '../emulators/snowflake/control.js';
import {
  type SnowflakeEmulator,
  type SnowflakeEmulatorOptions,
  startSnowflakeEmulator,
} from '../emulators/snowflake/server.js';
import { type ActionRun, REPO_ROOT, type RunOptions, runAction } from './run-action.js';

/**
 * Both emulators, provisioned the way a platform team sets up rotation: an admin user KEY_ROTATOR whose role
 * owns the service user SVC_LOADER, which has a key set two days ago; a repository acme/app with a
 * `production` environment; a GitHub App token allowed to write secrets there. Scenario tests start from it.
 */

export interface TestKey {
  privateKey: KeyObject;
  pem: string;
  publicBody: string;
}

export function newKey(bits = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKey,
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicBody: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

export const ADMIN = 'KEY_ROTATOR';
export const ADMIN_ROLE = 'ROTATOR_ROLE';
export const SERVICE_USER = 'SVC_LOADER';
export const REPOSITORY = 'acme/app';
export const WRITER_TOKEN = 'ghs_writer0123456789abcdefghijklmnopq';
/** The runner's token for its OIDC endpoint (ACTIONS_ID_TOKEN_REQUEST_TOKEN). */
export const ID_TOKEN_REQUEST_TOKEN = 'runner-id-token-request-0123456789';
const TWO_DAYS_MS = 48 * 3_600_000;

export class World {
  readonly sf: SnowflakeControl;
  readonly gh: GitHubControl;
  /** Every secret a run may have seen, for the leak scan. */
  readonly secrets: Record<string, string> = {
    'github-token': WRITER_TOKEN,
    'OIDC request token': ID_TOKEN_REQUEST_TOKEN,
  };

  private constructor(
    readonly snowflake: SnowflakeEmulator,
    readonly github: GitHubEmulator,
  ) {
    this.sf = new SnowflakeControl(snowflake.url);
    this.gh = new GitHubControl(github.url);
  }

  /** `snowflake`: emulator options for behaviours the documentation leaves open (its README). */
  static async start(
    snowflake: Pick<SnowflakeEmulatorOptions, 'descSecretGenericType'> = {},
  ): Promise<World> {
    const github = await startGitHubEmulator();
    const sf = await startSnowflakeEmulator({
      ...snowflake,
      oidcIssuers: [{ issuer: github.oidc.issuer, jwksUrl: github.oidc.jwksUrl }],
    });
    return new World(sf, github);
  }

  async close(): Promise<void> {
    await Promise.all([this.snowflake.close(), this.github.close()]);
  }

  /** Creates the admin, its role, the service user with `serviceKey` set two days ago, and GitHub's side. */
  async provision(adminKey: TestKey, serviceKey: TestKey): Promise<void> {
    this.secrets['admin key'] = adminKey.pem;
    this.secrets['first service key'] = serviceKey.pem;
    await this.sf.sql(`CREATE ROLE ${ADMIN_ROLE}`);
    await this.sf.sql(
      `CREATE USER ${ADMIN} TYPE = SERVICE DEFAULT_ROLE = ${ADMIN_ROLE} RSA_PUBLIC_KEY = '${adminKey.publicBody}'`,
    );
    await this.sf.sql(`GRANT ROLE ${ADMIN_ROLE} TO USER ${ADMIN}`);
    // Snowflake's advice: custom roles roll up to a system role, so administrators inherit what they own.
    await this.sf.sql(`GRANT ROLE ${ADMIN_ROLE} TO ROLE SECURITYADMIN`);
    await this.sf.clock(-TWO_DAYS_MS);
    await this.sf.sql(
      `CREATE USER ${SERVICE_USER} TYPE = SERVICE RSA_PUBLIC_KEY = '${serviceKey.publicBody}'`,
    );
    await this.sf.clock(0);
    await this.sf.sql(`GRANT OWNERSHIP ON USER ${SERVICE_USER} TO ROLE ${ADMIN_ROLE}`);
    await this.gh.addRepository({ owner: 'acme', repo: 'app', environments: ['production'] });
    await this.gh.addToken({
      token: WRITER_TOKEN,
      type: 'installation',
      permissions: { secrets: 'write', environments: 'write', actions_variables: 'write' },
      repositories: [REPOSITORY],
    });
    // The job runs in the `production` environment with `permissions: id-token: write`.
    await this.gh.addIdTokenRequest({
      requestToken: ID_TOKEN_REQUEST_TOKEN,
      claims: { repository: REPOSITORY, environment: 'production' },
    });
  }

  /** The inputs of a rotation of SVC_LOADER by KEY_ROTATOR into acme/app's SNOWFLAKE_PRIVATE_KEY. */
  rotateInputs(
    adminKey: TestKey,
    overrides: Record<string, string | undefined> = {},
  ): Record<string, string | undefined> {
    return {
      mode: 'rotate',
      account: this.snowflake.account,
      'snowflake-url': this.snowflake.url,
      user: ADMIN,
      'private-key': adminKey.pem,
      'target-user': SERVICE_USER,
      'github-token': WRITER_TOKEN,
      'secret-name': 'SNOWFLAKE_PRIVATE_KEY',
      ...overrides,
    };
  }

  /**
   * The inputs of `setup` or `verify` of the spec at `spec` (in the workspace) by KEY_ROTATOR as ACCOUNTADMIN;
   * verify is given no GitHub token, as it needs none.
   */
  specInputs(
    adminKey: TestKey,
    mode: 'setup' | 'verify',
    spec: string,
    overrides: Record<string, string | undefined> = {},
  ): Record<string, string | undefined> {
    return this.rotateInputs(adminKey, {
      mode,
      role: 'ACCOUNTADMIN',
      spec,
      'target-user': undefined,
      'secret-name': undefined,
      ...(mode === 'verify' ? { 'github-token': undefined } : {}),
      ...overrides,
    });
  }

  /**
   * Segment's access spec (examples/segment-reverse-etl.yml) applied by KEY_ROTATOR as ACCOUNTADMIN (granted
   * here): the workspace files of a run, and the inputs of `setup` or `verify` of it.
   */
  async segmentSpec(
    adminKey: TestKey,
    /** The secret its key block names, instead of the example's SNOWFLAKE_PRIVATE_KEY. */
    secretName?: string,
  ): Promise<{
    files: Record<string, string>;
    inputs: (mode: 'setup' | 'verify') => Record<string, string | undefined>;
  }> {
    await this.sf.sql(`GRANT ROLE ACCOUNTADMIN TO USER ${ADMIN}`);
    const path = 'snowflake/segment.yml';
    return {
      files: {
        [path]: readFileSync(join(REPO_ROOT, 'examples', 'segment-reverse-etl.yml'), 'utf8').replace(
          'name: SNOWFLAKE_PRIVATE_KEY',
          `name: ${secretName ?? 'SNOWFLAKE_PRIVATE_KEY'}`,
        ),
      },
      inputs: (mode) =>
        this.specInputs(
          adminKey,
          mode,
          path,
          // The user's network policy admits Segment's addresses, not this runner's: no proof login.
          mode === 'setup' ? { 'verify-login': 'false' } : {},
        ),
    };
  }

  /** Runs dist/index.js against these emulators; the run's leak scan looks for every secret of this world. */
  async run(
    inputs: Record<string, string | undefined>,
    options: Omit<RunOptions, 'inputs'> = {},
  ): Promise<ActionRun> {
    return runAction({
      inputs,
      ...options,
      secrets: { ...this.secrets, ...options.secrets },
      env: {
        GITHUB_API_URL: this.github.url,
        GITHUB_REPOSITORY: REPOSITORY,
        ACTIONS_ID_TOKEN_REQUEST_URL: this.github.oidc.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: ID_TOKEN_REQUEST_TOKEN,
        ...options.env,
      },
    });
  }

  /** The decrypted value of a stored secret, or undefined. */
  async secretValue(
    name: string,
    where: { environment?: string; repository?: string } = {},
  ): Promise<string | undefined> {
    const [owner, repo] = (where.repository ?? REPOSITORY).split('/');
    const found = (await this.gh.secrets()).find(
      (s) =>
        s.name === name &&
        s.owner === owner &&
        s.repo === repo &&
        (s.environment ?? undefined) === where.environment,
    );
    if (found) this.secrets[`stored ${name}`] = found.value;
    return found?.value;
  }

  /** DESC USER as ACCOUNTADMIN, as a property -> value map. */
  async describe(user: string): Promise<Record<string, string>> {
    const rows = await this.sf.sql(`DESC USER ${user}`);
    return Object.fromEntries(rows.map((row) => [String(row.property), String(row.value)]));
  }

  /** Logs in with the real snowflake-sdk; resolves to the Snowflake error code, or 'ok'. */
  async login(user: string, pem: string): Promise<string> {
    snowflake.configure({ logLevel: 'OFF' });
    const connection = snowflake.createConnection({
      account: this.snowflake.account,
      accessUrl: this.snowflake.url,
      username: user,
      authenticator: 'SNOWFLAKE_JWT',
      privateKey: pem,
      sfRetryMaxLoginRetries: 0,
    });
    const result = await new Promise<string>((resolve) =>
      connection.connect((error) => resolve(error ? String((error as { code?: unknown }).code) : 'ok')),
    );
    if (result === 'ok') await new Promise<void>((resolve) => connection.destroy(() => resolve()));
    return result;
  }

  /** Statements that changed something (not reads), run by the action, from the emulator's log. */
  async changes(): Promise<string[]> {
    return (await this.sf.log())
      .filter((entry) => entry.kind === 'query' && entry.via === 'sdk' && entry.ok && entry.sql !== undefined)
      .map((entry) => entry.sql as string)
      .filter((sql) => !/^\s*(DESC|DESCRIBE|SHOW|SELECT|ALTER SESSION)\b/i.test(sql));
  }
}
