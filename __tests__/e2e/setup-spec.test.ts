import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintOf, parsePrivateKey } from '../../src/keys.js';
import { expectNoLeaks } from '../harness/leak-scan.js';
import { renderSummary } from '../harness/markdown.js';
import { REPO_ROOT } from '../harness/run-action.js';
import { ADMIN, type TestKey, World, newKey } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * `setup` from the example access specs, end to end: applied by dist/index.js to an account holding only the
 * admin, checked through SHOW/DESC on the control plane (not through our code), then applied again.
 */

let world: World;
let adminKey: TestKey;

// Segment's guide runs as ACCOUNTADMIN; so does this test's admin.
useProvisionedWorld((started) => ({ world, adminKey } = started), { accountAdmin: true });

const example = (name: string): string => readFileSync(join(REPO_ROOT, 'examples', name), 'utf8');

function specInputs(
  spec: string,
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return world.specInputs(adminKey, 'setup', spec, overrides);
}

const fingerprintOfPem = (pem: string): string =>
  parsePrivateKey(pem, undefined, { key: 'stored', passphrase: 'n/a' }).fingerprint;

/** The statements the action ran that change something, by their leading words. */
async function changeKinds(): Promise<string[]> {
  return (await world.changes()).map((sql) => {
    const words = sql.replace(/ IF NOT EXISTS/, '').split(/\s+/);
    if (words[0] === 'GRANT')
      return words[1] === 'ROLE'
        ? `GRANT ROLE TO ${words[4]}`
        : `GRANT ${words.slice(1, words.indexOf('ON')).join(' ')} ON ${words[words.indexOf('ON') + 1]}`;
    if (words[0] === 'ALTER') return `ALTER USER SET ${words[4]}`;
    return `${words[0]} ${words[1]}${words[1] === 'NETWORK' ? ' POLICY' : ''}`;
  });
}

test("Segment's guide: its objects, grants and user, in its order, the key stored; a second run changes nothing", async () => {
  // The user's network policy admits Segment's US addresses only: the proof login comes from one of them.
  await world.sf.clientIp('52.25.130.38');
  const files = { 'snowflake/segment.yml': example('segment-reverse-etl.yml') };
  const run = await world.run(specInputs('snowflake/segment.yml'), { files });
  expect(run.errors).toEqual([]);
  expect(await changeKinds()).toEqual([
    'CREATE NETWORK POLICY',
    'CREATE DATABASE',
    'CREATE WAREHOUSE',
    'CREATE ROLE',
    'GRANT USAGE ON WAREHOUSE',
    'GRANT USAGE ON DATABASE',
    'GRANT CREATE SCHEMA ON DATABASE',
    'CREATE USER',
    'ALTER USER SET RSA_PUBLIC_KEY',
    'GRANT ROLE TO USER',
  ]);

  expect(await world.sf.sql("SHOW DATABASES LIKE 'SEGMENT_REVERSE_ETL'")).toHaveLength(1);
  expect(await world.sf.sql("SHOW WAREHOUSES LIKE 'SEGMENT_REVERSE_ETL'")).toEqual([
    expect.objectContaining({
      name: 'SEGMENT_REVERSE_ETL',
      size: 'X-Small',
      type: 'STANDARD',
      auto_suspend: '600',
      auto_resume: 'true',
    }),
  ]);
  const grants = (await world.sf.sql('SHOW GRANTS TO ROLE SEGMENT_REVERSE_ETL')).map(
    (g) => `${String(g.privilege)} ON ${String(g.granted_on)} ${String(g.name)}`,
  );
  expect(grants.sort()).toEqual(
    [
      'CREATE SCHEMA ON DATABASE SEGMENT_REVERSE_ETL',
      'USAGE ON DATABASE SEGMENT_REVERSE_ETL',
      'USAGE ON WAREHOUSE SEGMENT_REVERSE_ETL',
    ].sort(),
  );
  expect(await world.sf.sql("SHOW USERS LIKE 'SEGMENT_REVERSE_ETL_USER'")).toEqual([
    expect.objectContaining({
      type: 'SERVICE',
      default_role: 'SEGMENT_REVERSE_ETL',
      has_rsa_public_key: 'true',
    }),
  ]);
  expect(
    (await world.sf.sql('SHOW GRANTS TO USER SEGMENT_REVERSE_ETL_USER')).map((g) => g.role ?? g.name),
  ).toEqual(['SEGMENT_REVERSE_ETL']);
  const policy = await world.sf.sql('DESC NETWORK POLICY SEGMENT_REVERSE_ETL_US');
  expect(policy).toEqual([
    expect.objectContaining({ name: 'ALLOWED_IP_LIST', value: '52.25.130.38/32,34.223.203.0/28' }),
  ]);

  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
  expect(fingerprintOfPem(stored)).toBe(run.outputs.fingerprint);
  expect(fingerprintOf((await world.describe('SEGMENT_REVERSE_ETL_USER')).RSA_PUBLIC_KEY ?? '')).toBe(
    run.outputs.fingerprint,
  );
  expect(await world.login('SEGMENT_REVERSE_ETL_USER', stored)).toBe('ok');
  expectNoLeaks(run, world.secrets);

  await world.sf.clearLog();
  const again = await world.run(specInputs('snowflake/segment.yml'), { files });
  expect(again.errors).toEqual([]);
  expect(again.outputs.changed).toBe('false');
  expect(again.visibleLog).toContain('plan: nothing to change');
  expect(await world.changes()).toEqual([]);
  expectNoLeaks(again, world.secrets);
});

test("the least-privilege rotator of Pulumi's guide, its key in the production environment", async () => {
  const files = { 'key-rotator.yml': example('key-rotator.yml') };
  const run = await world.run(specInputs('key-rotator.yml'), { files });
  expect(run.errors).toEqual([]);
  expect(
    (await world.sf.sql('SHOW GRANTS ON USER ESC_ROTATION_DEMO_USER')).filter(
      (g) => g.privilege === 'OWNERSHIP',
    ),
  ).toEqual([expect.objectContaining({ grantee_name: 'ESC_ROTATOR' })]);
  expect(await world.sf.sql("SHOW USERS LIKE 'ESC_ROTATION_SERVICE_USER'")).toEqual([
    expect.objectContaining({ type: 'SERVICE', has_workload_identity: 'true', default_role: 'ESC_ROTATOR' }),
  ]);
  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY', { environment: 'production' })) ?? '';
  expect(await world.login('ESC_ROTATION_DEMO_USER', stored)).toBe('ok');
  expectNoLeaks(run, world.secrets);

  await world.sf.clearLog();
  const again = await world.run(specInputs('key-rotator.yml'), { files });
  expect(again.errors).toEqual([]);
  expect(again.outputs.changed).toBe('false');
  expect(await world.changes()).toEqual([]);
});

test('a setup role without MANAGE GRANTS: once it hands a user to another role, a re-run leaves that user alone', async () => {
  // USERADMIN creates users and roles but has no MANAGE GRANTS: after the first run ESC_ROTATOR owns the
  // target user, and USERADMIN can no longer read it.
  await world.sf.sql(`GRANT ROLE USERADMIN TO USER ${ADMIN}`);
  const files = { 'key-rotator.yml': example('key-rotator.yml') };
  const first = await world.run(specInputs('key-rotator.yml', { role: 'USERADMIN' }), { files });
  expect(first.errors).toEqual([]);
  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY', { environment: 'production' })) ?? '';

  await world.sf.clearLog();
  const again = await world.run(specInputs('key-rotator.yml', { role: 'USERADMIN' }), { files });
  expect(again.errors).toEqual([]);
  expect(again.warnings.join('\n')).toMatch(
    /ESC_ROTATION_DEMO_USER is owned by a role this session does not have.*left alone/s,
  );
  expect(await world.changes()).toEqual([]);
  expect(await world.secretValue('SNOWFLAKE_PRIVATE_KEY', { environment: 'production' })).toBe(stored);
  expectNoLeaks(again, world.secrets);
});

test('a declared user whose only key is in RSA_PUBLIC_KEY_2 is left alone', async () => {
  const other = newKey();
  world.secrets['other key'] = other.pem;
  await world.sf.sql(
    `CREATE USER ESC_ROTATION_DEMO_USER TYPE = SERVICE RSA_PUBLIC_KEY_2 = '${other.publicBody}'`,
  );
  const files = { 'key-rotator.yml': example('key-rotator.yml') };
  const run = await world.run(specInputs('key-rotator.yml'), { files });
  expect(run.errors).toEqual([]);
  expect(run.visibleLog).toContain('ESC_ROTATION_DEMO_USER already has a key: left alone');
  // The run handed the user to ESC_ROTATOR, as the spec says: read it as that role.
  const desc = await world.sf.sql('DESC USER ESC_ROTATION_DEMO_USER', 'ESC_ROTATOR');
  expect(desc.find((row) => row.property === 'RSA_PUBLIC_KEY')?.value).toBe('null');
  expect(await world.gh.secrets()).toEqual([]);
  expect(await world.login('ESC_ROTATION_DEMO_USER', other.pem)).toBe('ok');
});

test('a Snowflake secret with CREATE SECRET on its schema and USAGE for a reader role', async () => {
  const files = { 'secret.yml': example('snowflake-secret.yml') };
  const run = await world.run(specInputs('secret.yml'), { files });
  expect(run.errors).toEqual([]);
  const secrets = await world.sf.sql('SHOW SECRETS IN SCHEMA KEYS.PRIVATE');
  expect(secrets).toEqual([
    expect.objectContaining({ name: 'SNOWFLAKE_PRIVATE_KEY', secret_type: 'GENERIC_STRING' }),
  ]);
  const adminGrants = (await world.sf.sql('SHOW GRANTS TO ROLE KEY_ADMIN')).map(
    (g) => `${String(g.privilege)} ON ${String(g.granted_on)} ${String(g.name)}`,
  );
  expect(adminGrants).toEqual(
    expect.arrayContaining([
      'CREATE SECRET ON SCHEMA KEYS.PRIVATE',
      'USAGE ON DATABASE KEYS',
      'USAGE ON SCHEMA KEYS.PRIVATE',
    ]),
  );
  const readerGrants = (await world.sf.sql('SHOW GRANTS TO ROLE KEY_READER')).map(
    (g) => `${String(g.privilege)} ON ${String(g.granted_on)} ${String(g.name)}`,
  );
  expect(readerGrants).toEqual(
    expect.arrayContaining(['USAGE ON SECRET KEYS.PRIVATE.SNOWFLAKE_PRIVATE_KEY']),
  );
  expectNoLeaks(run, world.secrets);

  await world.sf.clearLog();
  const again = await world.run(specInputs('secret.yml'), { files });
  expect(again.errors).toEqual([]);
  expect(await world.changes()).toEqual([]);
});

test('a role that lacks a privilege: the statement and the privilege named, what was done listed; a re-run finishes', async () => {
  await world.sf.sql(`REVOKE ROLE ACCOUNTADMIN FROM USER ${ADMIN}`);
  await world.sf.sql(`GRANT ROLE SYSADMIN TO USER ${ADMIN}`);
  const files = { 'secret.yml': example('snowflake-secret.yml') };
  const run = await world.run(specInputs('secret.yml', { role: 'SYSADMIN' }), { files });
  expect(run.exitCode).toBe(1);
  expect(run.errors.join('\n')).toMatch(
    /Step apply failed: CREATE ROLE IF NOT EXISTS "KEY_ADMIN" failed \(003001.*needs CREATE ROLE on the account.*Already done by this run: CREATE DATABASE IF NOT EXISTS "KEYS"; CREATE SCHEMA IF NOT EXISTS "KEYS"."PRIVATE".*Run setup again/s,
  );
  expectNoLeaks(run, world.secrets);

  await world.sf.sql(`GRANT ROLE ACCOUNTADMIN TO USER ${ADMIN}`);
  const rerun = await world.run(specInputs('secret.yml'), { files });
  expect(rerun.errors).toEqual([]);
  expect(await world.sf.sql('SHOW SECRETS IN SCHEMA KEYS.PRIVATE')).toHaveLength(1);
});

test('an invalid spec fails before connecting, naming the line', async () => {
  const files = { 'bad.yml': 'version: 1\nroles:\n  - name: ok\n    privilegs: []\n' };
  const run = await world.run(specInputs('bad.yml'), { files });
  expect(run.exitCode).toBe(1);
  expect(run.errors.join('\n')).toMatch(
    /bad.yml:4: roles\[0\].privilegs: unknown field 'privilegs'.*did you mean 'privileges'/,
  );
  // The problem is also annotated on the spec's own line, where a pull request shows it.
  expect(run.stdout).toMatch(
    /^::error title=Invalid access spec,file=bad.yml,line=4::roles\[0\]\.privilegs: unknown field/m,
  );
  expect((await world.sf.log()).filter((e) => e.via === 'sdk')).toEqual([]);
});

test('a grant on an object the spec does not declare and the account does not have fails before any change', async () => {
  const spec =
    'version: 1\nroles:\n  - name: reader\n    privileges:\n      - on: warehouse\n        name: nowhere\n        privileges: [USAGE]\n';
  const run = await world.run(specInputs('s.yml'), { files: { 's.yml': spec } });
  expect(run.exitCode).toBe(1);
  expect(run.errors.join('\n')).toMatch(
    /s.yml:7: .*grants USAGE on warehouse NOWHERE, which the spec does not declare and the account does not have/,
  );
  expect(await world.changes()).toEqual([]);
});

test('dry-run prints each statement in order, key redacted, and each secret to write; nothing changes', async () => {
  const files = { 'segment.yml': example('segment-reverse-etl.yml') };
  const run = await world.run(specInputs('segment.yml', { 'dry-run': 'true' }), { files });
  expect(run.errors).toEqual([]);
  const plan = run.visibleLog.split('\n').find((line) => line.startsWith('plan: ')) ?? '';
  expect(plan).toMatch(
    /^plan: 10 statement\(s\): CREATE NETWORK POLICY IF NOT EXISTS "SEGMENT_REVERSE_ETL_US" ALLOWED_IP_LIST = \('52.25.130.38\/32', '34.223.203.0\/28'\).*; CREATE DATABASE IF NOT EXISTS "SEGMENT_REVERSE_ETL"; CREATE WAREHOUSE IF NOT EXISTS "SEGMENT_REVERSE_ETL" WITH WAREHOUSE_SIZE = 'XSMALL' WAREHOUSE_TYPE = 'STANDARD' AUTO_SUSPEND = 600 AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE; CREATE ROLE IF NOT EXISTS "SEGMENT_REVERSE_ETL"; GRANT USAGE ON WAREHOUSE "SEGMENT_REVERSE_ETL" TO ROLE "SEGMENT_REVERSE_ETL"; .*CREATE USER IF NOT EXISTS "SEGMENT_REVERSE_ETL_USER" TYPE = SERVICE DEFAULT_ROLE = "SEGMENT_REVERSE_ETL" NETWORK_POLICY = "SEGMENT_REVERSE_ETL_US"; ALTER USER "SEGMENT_REVERSE_ETL_USER" SET RSA_PUBLIC_KEY = '<new public key>'; GRANT ROLE "SEGMENT_REVERSE_ETL" TO USER "SEGMENT_REVERSE_ETL_USER"\. Then store repository:acme\/app:SNOWFLAKE_PRIVATE_KEY \(private key of SEGMENT_REVERSE_ETL_USER\)\. Dry run: nothing will be changed$/,
  );
  expect(renderSummary(run.summary).text).toContain('Snowflake setup planned (dry run) for segment.yml');
  expect(await world.changes()).toEqual([]);
  expect(await world.gh.secrets()).toEqual([]);
  expectNoLeaks(run, world.secrets);
});
