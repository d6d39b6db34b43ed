import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The JSON report of a run (plan, findings, timings), written under RUNNER_TEMP so it never lands in the
 * workspace. It holds fingerprints and names only: no key material can reach it because the result types
 * that feed it carry none.
 */
export async function writeReport(directory: string, report: object, now: Date): Promise<string> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, `snowflake-keypair-action-${now.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
  return path;
}
