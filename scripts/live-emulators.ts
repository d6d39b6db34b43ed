/**
 * Starts both emulators seeded for the live suite (an admin user with a key pair and ACCOUNTADMIN, a scratch
 * repository `live-owner/scratch` with environment `live`, a token that may write its secrets and variables)
 * and prints the LIVE_* variables that point the suite at them. Runs until SIGTERM or SIGINT.
 *
 *   NODE_NO_WARNINGS=1 npx tsx scripts/live-emulators.ts [--json] [--snowflake-port N] [--github-port N]
 *   # in another shell: paste the printed export lines, then npm run test:live
 *
 * Default output: `export NAME='value'` lines, the admin key in a file (LIVE_SNOWFLAKE_ADMIN_PRIVATE_KEY_PATH,
 * mode 0600, removed on exit). `--json`: one JSON line with the key inline (the live suite's global setup).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSeededEmulators } from '../__tests__/live/emulators.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const port = (flag: string): number | undefined => {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : Number(args[i + 1]);
};

const emulators = await startSeededEmulators({
  snowflake: port('--snowflake-port'),
  github: port('--github-port'),
});
let keyDir: string | undefined;
if (json) {
  process.stdout.write(`${JSON.stringify(emulators.variables)}\n`);
} else {
  keyDir = mkdtempSync(join(tmpdir(), 'live-admin-key-'));
  const keyPath = join(keyDir, 'admin.p8');
  const { LIVE_SNOWFLAKE_ADMIN_PRIVATE_KEY: key = '', ...rest } = emulators.variables;
  writeFileSync(keyPath, key, { mode: 0o600 });
  const lines = Object.entries({ ...rest, LIVE_SNOWFLAKE_ADMIN_PRIVATE_KEY_PATH: keyPath }).map(
    ([name, value]) => `export ${name}='${value}'`,
  );
  process.stdout.write(`${lines.join('\n')}\n# emulators running; Ctrl-C stops them\n`);
}

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  await emulators.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
