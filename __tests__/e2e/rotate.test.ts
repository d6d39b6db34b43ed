import { fingerprintOf, parsePrivateKey } from '../../src/keys.js';
import { expectNoLeaks } from '../harness/leak-scan.js';
import { ADMIN, SERVICE_USER, type TestKey, World, newKey } from '../harness/world.js';

/** End to end: dist/index.js run as the runner runs it, against both emulators, with the real SDK and Octokit. */

let world: World;
let adminKey: TestKey;
let firstKey: TestKey;

beforeEach(async () => {
  world = await World.start();
  adminKey = newKey();
  firstKey = newKey();
  await world.provision(adminKey, firstKey);
});

afterEach(async () => {
  await world.close();
});

const fingerprintOfPem = (pem: string): string =>
  parsePrivateKey(pem, undefined, { key: 'stored', passphrase: 'n/a' }).fingerprint;

test('an admin that owns the user rotates its key: both keys log in, the secret holds the new one', async () => {
  const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }));
  expect(run.errors).toEqual([]);
  expect(run.exitCode).toBe(0);

  const stored = await world.secretValue('SNOWFLAKE_PRIVATE_KEY');
  expect(stored).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  const desc = await world.describe(SERVICE_USER);
  expect(run.outputs).toMatchObject({
    user: SERVICE_USER,
    account: world.snowflake.account,
    slot: 'RSA_PUBLIC_KEY_2',
    fingerprint: fingerprintOfPem(stored ?? ''),
    'previous-fingerprint': fingerprintOf(firstKey.publicBody),
    'replaced-fingerprint': '',
    changed: 'true',
    'secrets-written': 'repository:acme/app:SNOWFLAKE_PRIVATE_KEY',
  });
  expect(desc.RSA_PUBLIC_KEY_2_FP).toBe(run.outputs.fingerprint);
  expect(desc.RSA_PUBLIC_KEY_FP).toBe(fingerprintOf(firstKey.publicBody));
  expect(await world.login(SERVICE_USER, stored ?? '')).toBe('ok');
  expect(await world.login(SERVICE_USER, firstKey.pem)).toBe('ok');
  expect(Date.parse(run.outputs['rotated-at'] ?? '')).not.toBeNaN();
  expect(run.summary).toContain('Snowflake key rotated for `SVC_LOADER`');
  expect(run.summary).toContain(run.outputs.fingerprint);
  expect(Object.keys(run.tempFiles)).toEqual([expect.stringMatching(/^snowflake-keypair-action-.*\.json$/)]);
  expect(run.workspaceFiles).toEqual({});
  expectNoLeaks(run, world.secrets);
});

test('the service user rotates its own key', async () => {
  const run = await world.run(
    world.rotateInputs(adminKey, {
      user: SERVICE_USER,
      'private-key': firstKey.pem,
      'target-user': undefined,
    }),
  );
  expect(run.errors).toEqual([]);
  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
  expect(await world.login(SERVICE_USER, stored)).toBe('ok');
  expect(await world.login(SERVICE_USER, firstKey.pem)).toBe('ok');
  expect(run.outputs['previous-fingerprint']).toBe(fingerprintOf(firstKey.publicBody));
  expectNoLeaks(run, world.secrets);
});

test('five rotations in a row, each passing the stored key: keys alternate slots, two registered, stored key logs in', async () => {
  let current = firstKey.pem;
  const slots: string[] = [];
  for (let i = 0; i < 5; i++) {
    // Each rotation replaces the slot written by the one before last: let the emulator set each key two
    // hours after the previous one, all in the past, so every replaced key is out of the grace period.
    await world.sf.clock(-(6 - i) * 2 * 3_600_000);
    const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': current }));
    expect(run.errors).toEqual([]);
    slots.push(run.outputs.slot ?? '');
    const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
    expect(await world.login(SERVICE_USER, stored)).toBe('ok');
    expect(await world.login(SERVICE_USER, current)).toBe('ok');
    const desc = await world.describe(SERVICE_USER);
    expect(new Set([desc.RSA_PUBLIC_KEY_FP, desc.RSA_PUBLIC_KEY_2_FP])).toEqual(
      new Set([fingerprintOfPem(stored), fingerprintOfPem(current)]),
    );
    expectNoLeaks(run, world.secrets);
    current = stored;
  }
  expect(slots).toEqual([
    'RSA_PUBLIC_KEY_2',
    'RSA_PUBLIC_KEY',
    'RSA_PUBLIC_KEY_2',
    'RSA_PUBLIC_KEY',
    'RSA_PUBLIC_KEY_2',
  ]);
});

test('a second rotation within the grace period is refused and changes nothing', async () => {
  await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }));
  await world.sf.clearLog();
  const secretsBefore = await world.gh.secrets();
  const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }));
  expect(run.exitCode).not.toBe(0);
  expect(run.errors.join('\n')).toMatch(
    /RSA_PUBLIC_KEY_2 of SVC_LOADER was set 0m ago, within the grace period of 60m.*force: true/s,
  );
  expect(await world.changes()).toEqual([]);
  expect(await world.gh.secrets()).toEqual(secretsBefore);
  expectNoLeaks(run, world.secrets);
});

test('a role without ownership gets an error naming the GRANT, and nothing changes', async () => {
  await world.sf.sql(`CREATE USER OTHER_SVC TYPE = SERVICE`);
  const run = await world.run(world.rotateInputs(adminKey, { 'target-user': 'OTHER_SVC' }));
  expect(run.exitCode).not.toBe(0);
  expect(run.errors.join('\n')).toMatch(
    /Step read-target failed: .*OTHER_SVC.*GRANT OWNERSHIP ON USER "OTHER_SVC" TO ROLE/s,
  );
  expect(await world.changes()).toEqual([]);
  expect(await world.gh.secrets()).toEqual([]);
});

test('a token without Secrets: write is refused at the write, and Snowflake is rolled back', async () => {
  await world.gh.addToken({
    token: 'ghs_readonly0123456789abcdefghijklmnop',
    type: 'installation',
    permissions: { secrets: 'read' },
    repositories: ['acme/app'],
  });
  world.secrets['read-only token'] = 'ghs_readonly0123456789abcdefghijklmnop';
  const run = await world.run(
    world.rotateInputs(adminKey, {
      'github-token': 'ghs_readonly0123456789abcdefghijklmnop',
      'current-private-key': firstKey.pem,
    }),
  );
  expect(run.exitCode).not.toBe(0);
  // GitHub offers no way to test write permission without writing: reading the public key needs only read.
  expect(run.errors.join('\n')).toMatch(
    /Step store-secret failed: .*403.*Secrets: write.*Rolled back: restore RSA_PUBLIC_KEY_2 of SVC_LOADER/s,
  );
  const desc = await world.describe(SERVICE_USER);
  expect(desc.RSA_PUBLIC_KEY_2).toBe('null');
  expect(desc.RSA_PUBLIC_KEY_FP).toBe(fingerprintOf(firstKey.publicBody));
  expect(await world.gh.secrets()).toEqual([]);
  expectNoLeaks(run, world.secrets);
});

test('a secret write refused by GitHub rolls Snowflake back', async () => {
  await world.gh.fault({ match: '^PUT /repos/acme/app/actions/secrets/', action: 'http-500' });
  const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }));
  expect(run.exitCode).not.toBe(0);
  // A 500 may have been stored by GitHub, so the key stays and the message says which destination may hold what.
  expect(run.errors.join('\n')).toMatch(/Step store-secret failed/);
  expect(await world.login(SERVICE_USER, firstKey.pem)).toBe('ok');
  expectNoLeaks(run, world.secrets);
});

test('input errors name the input and reach neither service', async () => {
  const run = await world.run(world.rotateInputs(adminKey, { 'secret-name': 'GITHUB_KEY' }));
  expect(run.exitCode).toBe(1);
  expect(run.errors).toEqual([
    "Input 'secret-name' 'GITHUB_KEY' starts with GITHUB_, which GitHub reserves. Choose another prefix, e.g. SNOWFLAKE_",
  ]);
  expect((await world.sf.log()).filter((e) => e.via === 'sdk')).toEqual([]);
  expect(await world.gh.log()).toEqual([]);
  expectNoLeaks(run, world.secrets);
});

test('the admin key in use is never the one the error or the log shows', async () => {
  const wrongKey = newKey();
  world.secrets['wrong admin key'] = wrongKey.pem;
  const run = await world.run(world.rotateInputs(wrongKey, {}));
  expect(run.exitCode).toBe(1);
  expect(run.errors.join('\n')).toMatch(
    new RegExp(
      `rejected the key-pair login of user ${ADMIN}.*390144.*${fingerprintOf(wrongKey.publicBody).replace(/[+/]/g, '.')}`,
      's',
    ),
  );
  expectNoLeaks(run, world.secrets);
});
