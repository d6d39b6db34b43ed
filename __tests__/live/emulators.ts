import { generateKeyPairSync } from 'node:crypto';
import { GitHubControl } from '../emulators/github/control.js';
import { startGitHubEmulator } from '../emulators/github/server.js';
import { SnowflakeControl } from '../emulators/snowflake/control.js';
import { startSnowflakeEmulator } from '../emulators/snowflake/server.js';

/**
 * Both emulators, seeded with what an operator provides before a live run and nothing more: an admin user with
 * a key pair and ACCOUNTADMIN (as an account's first administrator has), a scratch repository with one
 * environment, and a token that may write its secrets and variables. This is the only place the live suite's
 * tooling touches the emulators' control planes; the scenarios only get the LIVE_* variables it returns.
 */

export const EMULATOR_ADMIN = 'LIVE_ADMIN';
export const EMULATOR_REPOSITORY = 'live-owner/scratch';
export const EMULATOR_ENVIRONMENT = 'live';
const EMULATOR_TOKEN = 'github_pat_live0123456789abcdefghijklmnopqrstuvwxyz';

export interface SeededEmulators {
  /** LIVE_* variables pointing at the emulators (the admin key inline). */
  variables: Record<string, string>;
  close(): Promise<void>;
}

export async function startSeededEmulators(
  ports: { snowflake?: number; github?: number } = {},
): Promise<SeededEmulators> {
  const github = await startGitHubEmulator({ port: ports.github ?? 0 });
  const snowflake = await startSnowflakeEmulator({
    port: ports.snowflake ?? 0,
    oidcIssuers: [{ issuer: github.oidc.issuer, jwksUrl: github.oidc.jwksUrl }],
  });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const body = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const sf = new SnowflakeControl(snowflake.url);
  await sf.sql(`CREATE USER ${EMULATOR_ADMIN} TYPE = SERVICE RSA_PUBLIC_KEY = '${body}'`);
  await sf.sql(`GRANT ROLE ACCOUNTADMIN TO USER ${EMULATOR_ADMIN}`);
  const gh = new GitHubControl(github.url);
  const [owner = '', repo = ''] = EMULATOR_REPOSITORY.split('/');
  await gh.addRepository({ owner, repo, environments: [EMULATOR_ENVIRONMENT] });
  await gh.addToken({
    token: EMULATOR_TOKEN,
    type: 'fine-grained',
    permissions: { secrets: 'write', environments: 'write', actions_variables: 'write', actions: 'read' },
    repositories: [EMULATOR_REPOSITORY],
  });
  return {
    variables: {
      LIVE_SNOWFLAKE_ACCOUNT: snowflake.account,
      LIVE_SNOWFLAKE_URL: snowflake.url,
      LIVE_SNOWFLAKE_ADMIN_USER: EMULATOR_ADMIN,
      LIVE_SNOWFLAKE_ADMIN_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      LIVE_SNOWFLAKE_ADMIN_ROLE: 'ACCOUNTADMIN',
      LIVE_GITHUB_TOKEN: EMULATOR_TOKEN,
      LIVE_GITHUB_REPOSITORY: EMULATOR_REPOSITORY,
      LIVE_GITHUB_ENVIRONMENT: EMULATOR_ENVIRONMENT,
      LIVE_GITHUB_API_URL: github.url,
    },
    close: async () => {
      await Promise.all([snowflake.close(), github.close()]);
    },
  };
}
