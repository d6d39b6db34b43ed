/**
 * The live suite's last step (run by __tests__/live/global-teardown.cjs): drops everything with the run's
 * prefix (LIVE_RUN_PREFIX) that the test files' own clean-up left, checks that nothing with it remains, then
 * writes the fidelity report (LIVE_FIDELITY_REPORT) from the observations the tests recorded
 * (LIVE_OBSERVATIONS), compared with __tests__/live/fidelity/expected.json, and prints each difference.
 * Exit 1 on a leftover, or on a difference unless LIVE_FIDELITY_FAIL=0.
 *
 * By hand, to sweep what a killed run left (the LIVE_* variables set, no report):
 *   LIVE_RUN_PREFIX=SKA_LIVE_AB12CD_ NODE_NO_WARNINGS=1 npx tsx scripts/live-teardown.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { adminLogin, github } from '../__tests__/live/clients.js';
import { cleanUp, leftovers } from '../__tests__/live/cleanup.js';
import { readLiveConfig, runPrefix } from '../__tests__/live/env.js';
import {
  type FidelityReport,
  compare,
  formatDifference,
  loadExpectations,
  readObservationsFile,
} from '../__tests__/live/fidelity/compare.js';

const config = readLiveConfig();
const prefix = runPrefix();
if (!config || !prefix) {
  console.error('live-teardown: no live configuration or run prefix; nothing to do');
  process.exit(0);
}

let failed = false;
const admin = await adminLogin(config);
const octokit = github(config);
try {
  const result = await cleanUp(admin, octokit, config, prefix);
  if (result.dropped.length > 0) {
    console.error(`Live clean-up sweep: dropped ${result.dropped.length} left by the tests (${prefix}*):`);
    for (const o of result.dropped) console.error(`  ${o.kind} ${o.name}`);
  }
  for (const f of result.failed)
    console.error(`Live clean-up: could not drop ${f.kind} ${f.name}: ${f.error}`);
  const left = await leftovers(admin, octokit, config, prefix);
  if (left.length > 0) {
    failed = true;
    console.error(`Live clean-up: ${left.length} object(s) with the prefix ${prefix} remain:`);
    for (const o of left) console.error(`  ${o.kind} ${o.name}`);
  } else {
    console.error(`Live clean-up: nothing with the prefix ${prefix} remains`);
  }
} finally {
  await admin.close();
}

if (!process.env.LIVE_OBSERVATIONS) {
  // Run by hand to sweep a killed run's prefix: there is nothing to report.
  process.exit(failed ? 1 : 0);
}
const { observations, skipped } = readObservationsFile(process.env.LIVE_OBSERVATIONS);
const { differences, unexpected } = compare(observations, loadExpectations());
const report: FidelityReport = {
  generatedAt: new Date().toISOString(),
  // Which kind of service answered, not its address: the account identifier is a secret of the workflow, and
  // the report is uploaded as an artifact, which GitHub does not mask.
  target: {
    snowflake:
      process.env.LIVE_USE_EMULATORS === '1'
        ? 'emulator'
        : config.snowflakeUrl
          ? 'custom snowflake-url'
          : 'account at snowflakecomputing.com',
    github:
      process.env.LIVE_USE_EMULATORS === '1'
        ? 'emulator'
        : config.githubApiUrl === 'https://api.github.com'
          ? 'api.github.com'
          : 'custom API URL',
  },
  observations,
  differences,
  unexpected,
  skipped,
};
const reportPath = process.env.LIVE_FIDELITY_REPORT || 'reports/live-fidelity.json';
mkdirSync(dirname(reportPath), { recursive: true });
writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
for (const d of differences) console.error(formatDifference(d));
for (const id of unexpected) console.error(`fidelity: observation ${id} has no expectation in expected.json`);
for (const s of skipped) console.error(`not exercised: ${s.what}: ${s.reason}`);
console.error(
  `Fidelity report: ${differences.length} difference(s) in ${Object.keys(observations).length} observation(s), written to ${reportPath}`,
);
if (differences.length > 0 && process.env.LIVE_FIDELITY_FAIL !== '0') failed = true;
process.exit(failed ? 1 : 0);
