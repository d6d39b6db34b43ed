import { fingerprintOf, parsePrivateKey } from '../../src/keys.js';
import { expectNoLeaks } from '../harness/leak-scan.js';
import { renderSummary } from '../harness/markdown.js';
import { ADMIN_ROLE, type TestKey, World } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/** `mode: setup` without a spec: the target user as a TYPE = SERVICE user with its first key, end to end. */

let world: World;
let adminKey: TestKey;

const NEW_USER = 'REVERSE_ETL_USER';

useProvisionedWorld((started) => ({ world, adminKey } = started));

beforeEach(async () => {
  // Creating users is USERADMIN's privilege; the rotator's role is given just that.
  await world.sf.sql(`GRANT CREATE USER ON ACCOUNT TO ROLE ${ADMIN_ROLE}`);
});

const setupInputs = (
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> =>
  world.rotateInputs(adminKey, { mode: 'setup', 'target-user': NEW_USER, ...overrides });

test('creates the service user with its first key, stored; a second run changes nothing and says so', async () => {
  const run = await world.run(setupInputs());
  expect(run.errors).toEqual([]);
  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
  const fingerprint = parsePrivateKey(stored, undefined, { key: 'stored', passphrase: 'n/a' }).fingerprint;
  expect(run.outputs).toMatchObject({
    user: NEW_USER,
    slot: 'RSA_PUBLIC_KEY',
    fingerprint,
    changed: 'true',
    'secrets-written': 'repository:acme/app:SNOWFLAKE_PRIVATE_KEY',
  });
  const users = await world.sf.sql(`SHOW USERS LIKE '${NEW_USER}'`);
  expect(users).toEqual([expect.objectContaining({ name: NEW_USER, type: 'SERVICE', owner: ADMIN_ROLE })]);
  const desc = await world.describe(NEW_USER);
  expect(desc.RSA_PUBLIC_KEY_FP).toBe(fingerprint);
  expect(desc.RSA_PUBLIC_KEY_2).toBe('null');
  expect(await world.login(NEW_USER, stored)).toBe('ok');
  expect(renderSummary(run.summary).text).toContain(`Snowflake setup applied: ${NEW_USER}`);
  expectNoLeaks(run, world.secrets);

  await world.sf.clearLog();
  const again = await world.run(setupInputs());
  expect(again.errors).toEqual([]);
  expect(again.outputs).toMatchObject({ changed: 'false', fingerprint: '', 'secrets-written': '' });
  expect(again.visibleLog).toContain(
    `${NEW_USER} already has a key: left alone (rotate it with mode: rotate)`,
  );
  expect(again.visibleLog).toContain('plan: nothing to change');
  expect(again.summary).toContain('already matches, nothing to change');
  expect(await world.changes()).toEqual([]);
  expect(await world.secretValue('SNOWFLAKE_PRIVATE_KEY')).toBe(stored);
  expectNoLeaks(again, world.secrets);
});

test('a user that exists without a key gets its first key; the user is not created again', async () => {
  await world.sf.sql(`CREATE USER ${NEW_USER} TYPE = SERVICE`);
  await world.sf.sql(`GRANT OWNERSHIP ON USER ${NEW_USER} TO ROLE ${ADMIN_ROLE}`);
  const run = await world.run(setupInputs());
  expect(run.errors).toEqual([]);
  expect((await world.changes()).filter((sql) => sql.startsWith('CREATE USER'))).toEqual([]);
  expect(await world.login(NEW_USER, (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '')).toBe('ok');
  expectNoLeaks(run, world.secrets);
});

test('dry-run prints each statement, key redacted, and each secret, and changes nothing', async () => {
  const run = await world.run(setupInputs({ 'dry-run': 'true' }));
  expect(run.errors).toEqual([]);
  expect(run.visibleLog).toContain(
    `plan: 2 statement(s): CREATE USER IF NOT EXISTS "${NEW_USER}" TYPE = SERVICE; ALTER USER "${NEW_USER}" SET RSA_PUBLIC_KEY = '<new public key>'. Then store repository:acme/app:SNOWFLAKE_PRIVATE_KEY (private key of ${NEW_USER}). Dry run: nothing will be changed`,
  );
  expect(run.outputs.changed).toBe('false');
  expect(await world.changes()).toEqual([]);
  expect(await world.gh.secrets()).toEqual([]);
  expectNoLeaks(run, world.secrets);
});

test('a role that may not create users gets the GRANT that fixes it, and nothing changes', async () => {
  await world.sf.sql(`REVOKE CREATE USER ON ACCOUNT FROM ROLE ${ADMIN_ROLE}`);
  await world.sf.clearLog();
  const run = await world.run(setupInputs());
  expect(run.exitCode).toBe(1);
  expect(run.errors.join('\n')).toMatch(
    /Step apply failed: CREATE USER IF NOT EXISTS "REVERSE_ETL_USER" TYPE = SERVICE failed \(003001.*needs CREATE USER on the account.*GRANT CREATE USER ON ACCOUNT TO ROLE.*Nothing was changed.*Run setup again/s,
  );
  expect(await world.changes()).toEqual([]);
  expect(await world.gh.secrets()).toEqual([]);
  expectNoLeaks(run, world.secrets);

  // A re-run after the grant finishes the job.
  await world.sf.sql(`GRANT CREATE USER ON ACCOUNT TO ROLE ${ADMIN_ROLE}`);
  const rerun = await world.run(setupInputs());
  expect(rerun.errors).toEqual([]);
  expect(fingerprintOf((await world.describe(NEW_USER)).RSA_PUBLIC_KEY ?? '')).toBe(
    rerun.outputs.fingerprint,
  );
});

test("rotate's own inputs are refused for setup", async () => {
  for (const [input, value] of [
    ['current-private-key', adminKey.pem],
    ['retire-previous', 'true'],
  ] as const) {
    const run = await world.run(setupInputs({ [input]: value }));
    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(new RegExp(`Input '${input}' applies to 'mode: rotate' only`));
    expectNoLeaks(run, world.secrets);
  }
});
