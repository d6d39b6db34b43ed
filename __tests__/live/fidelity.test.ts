import { recordObservations } from './fidelity/compare.js';
import { probeGitHub } from './fidelity/github-probes.js';
import { probeSnowflake } from './fidelity/probes.js';
import { describeLive, useLiveSuite } from './suite.js';

/**
 * The fidelity probes against the configured services: what they answer where our code depends on the shape
 * (DESC USER, LAST_SET_TIME under three session time zones, SHOW GRANTS, refusals, GitHub's status codes) is
 * recorded; the global teardown compares it with fidelity/expected.json and writes the report.
 */

describeLive('fidelity', () => {
  const s = useLiveSuite('FID');

  test('Snowflake: DESC USER, LAST_SET_TIME, SHOW GRANTS, SHOW WAREHOUSES, refusals', async () => {
    const { config, admin, octokit, prefix } = s();
    recordObservations(await probeSnowflake({ config, admin, octokit, prefix: `${prefix}SF_` }));
  });

  test('GitHub: public keys, secret and variable writes, missing environment', async () => {
    const { config, admin, octokit, prefix } = s();
    recordObservations(await probeGitHub({ config, admin, octokit, prefix: `${prefix}GH_` }));
  });
});
