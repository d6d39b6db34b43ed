import { quote } from './clients.js';
import { SNOWFLAKE_KINDS, cleanUp, githubObjects, leftovers } from './cleanup.js';
import { seal } from './fidelity/github-probes.js';
import { describeLive, useLiveSuite } from './suite.js';

/**
 * The clean-up after a failure: a scenario creates one object of every kind the suite makes, with the prefix,
 * and fails half way (an injected error); the clean-up routine that afterAll and the global teardown run then
 * removes all of them, and SHOW ... LIKE finds nothing with the prefix. An object whose name matches the LIKE
 * pattern but does not start with the prefix survives: the clean-up touches nothing else.
 */

describeLive('clean-up', () => {
  const s = useLiveSuite('CLN');

  test('after a scenario fails half way, everything with the prefix is dropped, and nothing else', async () => {
    const { admin, octokit, config, prefix } = s();
    const name = (what: string): string => `${prefix}${what}`;
    // `_` is a LIKE wildcard: this name matches LIKE '<prefix>%' without starting with the prefix.
    const decoy = `${prefix.slice(0, -1)}X_DECOY`;
    const repo = { owner: config.owner, repo: config.repo };
    const env = { ...repo, environment_name: config.environment };

    async function failingScenario(): Promise<void> {
      await admin.sql(`CREATE ROLE ${quote(name('ROLE'))}`);
      await admin.sql(`CREATE NETWORK POLICY ${quote(name('POLICY'))} ALLOWED_IP_LIST = ('192.0.2.0/24')`);
      await admin.sql(`CREATE USER ${quote(name('USER'))} TYPE = SERVICE`);
      // A user holding the policy: the policy cannot be dropped before the user.
      await admin.sql(`ALTER USER ${quote(name('USER'))} SET NETWORK_POLICY = ${quote(name('POLICY'))}`);
      await admin.sql(`GRANT ROLE ${quote(name('ROLE'))} TO USER ${quote(name('USER'))}`);
      await admin.sql(
        `CREATE WAREHOUSE ${quote(name('WH'))} WITH WAREHOUSE_SIZE = 'XSMALL' INITIALLY_SUSPENDED = TRUE`,
      );
      await admin.sql(`CREATE USER ${quote(decoy)} TYPE = SERVICE`);
      const repoKey = await octokit.request('GET /repos/{owner}/{repo}/actions/secrets/public-key', repo);
      await octokit.request('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
        ...repo,
        secret_name: name('SECRET'),
        key_id: repoKey.data.key_id,
        encrypted_value: await seal(repoKey.data.key, 'a value'),
      });
      const envKey = await octokit.request(
        'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
        env,
      );
      await octokit.request(
        'PUT /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
        {
          ...env,
          secret_name: name('SECRET'),
          key_id: envKey.data.key_id,
          encrypted_value: await seal(envKey.data.key, 'a value'),
        },
      );
      await octokit.request('POST /repos/{owner}/{repo}/actions/variables', {
        ...repo,
        name: name('VARIABLE'),
        value: 'v',
      });
      throw new Error('injected failure');
    }

    await expect(failingScenario()).rejects.toThrow('injected failure');
    expect(
      (await leftovers(admin, octokit, config, prefix)).map((o) => `${o.kind} ${o.name}`).sort(),
    ).toEqual(
      [
        `USER ${name('USER')}`,
        `NETWORK POLICY ${name('POLICY')}`,
        `WAREHOUSE ${name('WH')}`,
        `ROLE ${name('ROLE')}`,
        `repository secret ${name('SECRET')}`,
        `environment secret ${name('SECRET')}`,
        `repository variable ${name('VARIABLE')}`,
      ].sort(),
    );

    const result = await cleanUp(admin, octokit, config, prefix);
    expect(result.failed).toEqual([]);
    expect(result.dropped).toHaveLength(7);
    for (const kind of SNOWFLAKE_KINDS) {
      const rows = await admin.sql(`SHOW ${kind.show} LIKE '${prefix}%'`);
      expect(rows.map((r) => String(r.name)).filter((n) => n.startsWith(prefix))).toEqual([]);
    }
    expect(await githubObjects(octokit, config, prefix)).toEqual([]);
    // The decoy was listed by the same SHOW ... LIKE, and left alone.
    expect((await admin.sql(`SHOW USERS LIKE '${prefix}%'`)).map((r) => r.name)).toEqual([decoy]);
    await admin.sql(`DROP USER ${quote(decoy)}`);
  });
});
