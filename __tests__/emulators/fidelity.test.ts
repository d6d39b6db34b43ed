import { writeFileSync } from 'node:fs';
import { adminLogin, github } from '../live/clients.js';
import { startSeededEmulators, type SeededEmulators } from '../live/emulators.js';
import { readLiveConfig } from '../live/env.js';
import { compare, formatDifference, loadExpectations } from '../live/fidelity/compare.js';
import { probeGitHub } from '../live/fidelity/github-probes.js';
import { probeSnowflake } from '../live/fidelity/probes.js';

/**
 * The live suite's fidelity probes, replayed against the emulators: every expectation in
 * __tests__/live/fidelity/expected.json (what the real services were documented or observed to answer) must hold
 * here, so a difference found once against a real service, once fixed in an emulator, stays fixed.
 */

let emulators: SeededEmulators;

beforeAll(async () => {
  emulators = await startSeededEmulators();
});

afterAll(async () => {
  await emulators.close();
});

test('the emulators answer every probe as expected.json says', async () => {
  const config = readLiveConfig({ ...emulators.variables, LIVE_FIDELITY_REPORT: '' });
  if (!config) throw new Error('seeded emulators give an incomplete configuration');
  const admin = await adminLogin(config);
  const octokit = github(config);
  const prefix = 'SKA_LIVE_EMU000_FID_';
  let observations;
  try {
    observations = {
      ...(await probeSnowflake({ config, admin, octokit, prefix })),
      ...(await probeGitHub({ config, admin, octokit, prefix })),
    };
  } finally {
    await admin.close();
  }
  // FIDELITY_DUMP=<file>: write what the emulators answered, to draft a new expectation from.
  if (process.env.FIDELITY_DUMP)
    writeFileSync(process.env.FIDELITY_DUMP, JSON.stringify(observations, null, 2));
  const expectations = loadExpectations();
  const { differences, unexpected } = compare(observations, expectations);
  expect(differences.map(formatDifference)).toEqual([]);
  // Every probe has an expectation, and every expectation a probe.
  expect(unexpected).toEqual([]);
  expect(expectations.map((e) => e.id).filter((id) => !(id in observations))).toEqual([]);
});
