/**
 * `npm run emulators`: starts the Snowflake and GitHub emulators on 127.0.0.1 and prints one JSON line,
 * `{"snowflake": URL, "github": URL, "account": NAME}`, once both are ready. The Snowflake emulator trusts the
 * GitHub emulator's OIDC issuer. Runs until SIGTERM or SIGINT.
 *
 *   npm run emulators -- --snowflake-port 8080 --github-port 8081
 */
import { startGitHubEmulator } from '../__tests__/emulators/github/server.js';
import { startSnowflakeEmulator } from '../__tests__/emulators/snowflake/server.js';

function portOption(args: string[], name: string): number {
  const index = args.indexOf(name);
  if (index === -1) return 0;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name} takes a port number (0 for a free port), got '${args[index + 1] ?? ''}'`);
    process.exit(2);
  }
  return value;
}

const args = process.argv.slice(2);
const github = await startGitHubEmulator({ port: portOption(args, '--github-port') });
const snowflake = await startSnowflakeEmulator({
  port: portOption(args, '--snowflake-port'),
  oidcIssuers: [{ issuer: github.oidc.issuer, jwksUrl: github.oidc.jwksUrl }],
});
process.stdout.write(
  `${JSON.stringify({ snowflake: snowflake.url, github: github.url, account: snowflake.account })}\n`,
);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await Promise.all([snowflake.close(), github.close()]);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
