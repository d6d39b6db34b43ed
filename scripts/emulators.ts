/**
 * `npm run emulators`: starts the Snowflake and GitHub emulators on 127.0.0.1 and prints one JSON line,
 * `{"snowflake": URL, "github": URL, "account": NAME}`, once both are ready. The Snowflake emulator trusts the
 * GitHub emulator's OIDC issuer. Runs until SIGTERM or SIGINT.
 *
 *   npm run emulators -- --snowflake-port 8080 --github-port 8081
 */
import { startGitHubEmulator } from '../__tests__/emulators/github/server.js';
import { startSnowflakeEmulator } from '../__tests__/emulators/snowflake/server.js';

const USAGE =
  'usage: npm run emulators -- [--snowflake-port N] [--github-port N]   (0 or absent: a free port)';

/** Parses `--name N` and `--name=N`; anything else is an error, so a typo never silently picks a random port. */
function parsePorts(args: string[]): { snowflake: number; github: number } {
  const ports = { snowflake: 0, github: 0 };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = (args[i] ?? '').split(/=(.*)/s, 2);
    const name = flag === '--snowflake-port' ? 'snowflake' : flag === '--github-port' ? 'github' : undefined;
    if (!name) fail(`unknown option '${args[i]}'`);
    const text = inline ?? args[++i];
    const value = Number(text);
    if (text === undefined || text === '' || !Number.isInteger(value) || value < 0 || value > 65535) {
      fail(`${flag} takes a port number (0 for a free port), got '${text ?? ''}'`);
    }
    ports[name] = value;
  }
  return ports;
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function start<T>(what: string, port: number, starter: () => Promise<T>): Promise<T> {
  try {
    return await starter();
  } catch (error) {
    const code = (error as { code?: string }).code;
    fail(
      code === 'EADDRINUSE'
        ? `the ${what} port ${port} is already in use`
        : `could not start the ${what} emulator: ${String(error)}`,
    );
  }
}

const ports = parsePorts(process.argv.slice(2));
const github = await start('GitHub', ports.github, () => startGitHubEmulator({ port: ports.github }));
const snowflake = await start('Snowflake', ports.snowflake, () =>
  startSnowflakeEmulator({
    port: ports.snowflake,
    oidcIssuers: [{ issuer: github.oidc.issuer, jwksUrl: github.oidc.jwksUrl }],
  }),
);
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
