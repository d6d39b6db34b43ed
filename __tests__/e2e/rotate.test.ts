import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPkcs8, fingerprintOf, parsePrivateKey } from '../../src/keys.js';
import { expectNoLeaks } from '../harness/leak-scan.js';
import { renderSummary } from '../harness/markdown.js';
import { ADMIN, SERVICE_USER, type TestKey, World, newKey } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/** End to end: dist/index.js run as the runner runs it, against both emulators, with the real SDK and Octokit. */

let world: World;
let adminKey: TestKey;
let firstKey: TestKey;
useProvisionedWorld((started) => ({ world, adminKey, firstKey } = started));

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
  expect(renderSummary(run.summary).text).toContain('Snowflake key rotated for SVC_LOADER');
  expect(renderSummary(run.summary).codes).toContain(run.outputs.fingerprint);
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
  expect(run.outputs.changed).toBe('false');
  expectNoLeaks(run, world.secrets);
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
  // The log as the Actions UI groups it: one closed group per phase, the failure after the last one, titled.
  const structure = run.stdout
    .split('\n')
    .filter((line) => /^::(group|endgroup|error)/.test(line))
    .map((line) => line.replace(/::Step (\S+) failed:.*/, '::Step $1 failed'));
  expect(structure).toEqual([
    '::group::Read SVC_LOADER and choose the slot for the new key',
    '::endgroup::',
    '::group::Put a new key in RSA_PUBLIC_KEY_2 of SVC_LOADER and prove it',
    '::endgroup::',
    '::group::Store the private key of SVC_LOADER (repository:acme/app:SNOWFLAKE_PRIVATE_KEY)',
    '::endgroup::',
    '::error title=Snowflake key rotation failed::Step store-secret failed',
  ]);
  expectNoLeaks(run, world.secrets);
});

test('a secret write failing with 500 that cannot be read back (outcome unknown) keeps both keys and says what each destination may hold', async () => {
  await world.gh.fault({ match: '^PUT /repos/acme/app/actions/secrets/', action: 'http-500' });
  // The secret's metadata cannot be read either, so nothing settles whether the 500 came before or after
  // GitHub stored the value (when it can be read, __tests__/e2e/lost-reply.test.ts).
  await world.gh.fault({
    match: '^GET /repos/acme/app/actions/secrets/SNOWFLAKE_PRIVATE_KEY$',
    action: 'http-503',
  });
  const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }));
  expect(run.exitCode).toBe(1);
  expect(run.errors.join('\n')).toMatch(
    /Step store-secret failed: 1 of 1 destination\(s\) could not be written and confirmed .*500.*reading the secret back to learn whether it was stored failed too.*Snowflake keeps both keys.*Holding the previous key: repository:acme\/app:SNOWFLAKE_PRIVATE_KEY \(or the new one: the outcome is unknown\)/s,
  );
  // The run says what it changed: outputs and report, though it failed.
  expect(run.outputs).toMatchObject({ changed: 'true', slot: 'RSA_PUBLIC_KEY_2', 'secrets-written': '' });
  expect(run.outputs.fingerprint).toMatch(/^SHA256:/);
  const report = JSON.parse(Object.values(run.tempFiles)[0] ?? '{}') as {
    error?: string;
    destinations?: unknown;
  };
  expect(report.error).toMatch(/Step store-secret failed/);
  expect(report.destinations).toEqual([
    { destination: 'repository:acme/app:SNOWFLAKE_PRIVATE_KEY', result: 'unknown' },
  ]);
  expect(renderSummary(run.summary).text).toContain('Snowflake key rotation failed for SVC_LOADER');
  // GitHub answered 500 to every attempt (three, with backoff); a 500 may still have stored the value.
  expect((await world.gh.log()).filter((e) => e.method === 'PUT')).toHaveLength(3);
  const desc = await world.describe(SERVICE_USER);
  expect(desc.RSA_PUBLIC_KEY_FP).toBe(fingerprintOf(firstKey.publicBody));
  expect(desc.RSA_PUBLIC_KEY_2).not.toBe('null');
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

test("a refused login while the key and the GitHub public key are fetched alongside it: one error, the login's", async () => {
  // Key generation and GitHub's public-key request start before the login; when the login fails, the run
  // reports the login alone, whatever the GitHub request answered (here 401), and exits cleanly.
  const wrongKey = newKey();
  world.secrets['wrong admin key'] = wrongKey.pem;
  world.secrets['unknown token'] = 'ghs_unknown0123456789abcdefghijklmnopq';
  const run = await world.run(
    world.rotateInputs(wrongKey, {
      'current-private-key': firstKey.pem,
      'github-token': 'ghs_unknown0123456789abcdefghijklmnopq',
    }),
  );
  expect(run.exitCode).toBe(1);
  expect(run.errors).toEqual([expect.stringMatching(/^Step login failed: .*390144/s)]);
  expect(run.stderr).not.toMatch(/Unhandled|UnhandledPromiseRejection|\bat .*\.js:\d+/);
  // The public key, and the secret's metadata (read alongside it, for a write whose reply is lost).
  expect(
    (await world.gh.log()).map((entry) => `${entry.method} ${entry.path} ${entry.status}`).sort(),
  ).toEqual([
    'GET /repos/acme/app/actions/secrets/SNOWFLAKE_PRIVATE_KEY 401',
    'GET /repos/acme/app/actions/secrets/public-key 401',
  ]);
  expect(run.outputs.changed).toBe('false');
  expect((await world.describe(SERVICE_USER)).RSA_PUBLIC_KEY_2).toBe('null');
  expectNoLeaks(run, world.secrets);
});

test('dry-run reads and plans but changes nothing', async () => {
  const run = await world.run(
    world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem, 'dry-run': 'true' }),
  );
  expect(run.errors).toEqual([]);
  expect(run.outputs).toMatchObject({
    changed: 'false',
    slot: 'RSA_PUBLIC_KEY_2',
    fingerprint: '',
    'secrets-written': '',
  });
  expect(run.visibleLog).toContain(
    `Dry run: nothing will be changed; the rotation would run ALTER USER "SVC_LOADER" SET RSA_PUBLIC_KEY_2 = '<new public key>'`,
  );
  expect(run.summary).toContain('planned (dry run)');
  expect(await world.changes()).toEqual([]);
  expect((await world.gh.log()).filter((e) => e.method !== 'GET')).toEqual([]);
  expect(await world.gh.secrets()).toEqual([]);
  expectNoLeaks(run, world.secrets);
});

test('key-passphrase stores an encrypted PKCS#8 key that OpenSSL opens and the SDK logs in with; 4096 bits', async () => {
  const passphrase = 'a long passphrase for the stored key';
  world.secrets['key-passphrase'] = passphrase;
  const run = await world.run(
    world.rotateInputs(adminKey, {
      'current-private-key': firstKey.pem,
      'key-passphrase': passphrase,
      'key-bits': '4096',
    }),
  );
  expect(run.errors).toEqual([]);
  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
  expect(stored).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
  const dir = await mkdtemp(join(tmpdir(), 'stored-'));
  await writeFile(join(dir, 'key.p8'), stored, { mode: 0o600 });
  const text = execFileSync('openssl', [
    'pkey',
    '-in',
    join(dir, 'key.p8'),
    '-passin',
    `pass:${passphrase}`,
    '-noout',
    '-text_pub',
  ]).toString();
  expect(text).toMatch(/4096 bit/);
  const parsed = parsePrivateKey(stored, passphrase, { key: 'stored', passphrase: 'n/a' });
  expect(parsed.fingerprint).toBe(run.outputs.fingerprint);
  expect(await world.login(SERVICE_USER, exportPkcs8(parsed.key))).toBe('ok');
  expectNoLeaks(run, world.secrets);
});

test('environment secrets fan out over two repositories; an organization secret with selected repositories', async () => {
  await world.gh.addRepository({ owner: 'acme', repo: 'etl', environments: ['production'] });
  await world.gh.addOrganization({ org: 'acme' });
  await world.gh.addToken({
    token: 'ghs_orgwriter0123456789abcdefghijklmn',
    type: 'installation',
    permissions: { secrets: 'write', environments: 'write', organization_secrets: 'write' },
    repositories: ['acme/app', 'acme/etl'],
    organizations: ['acme'],
  });
  world.secrets['org token'] = 'ghs_orgwriter0123456789abcdefghijklmn';
  const fanOut = await world.run(
    world.rotateInputs(adminKey, {
      'current-private-key': firstKey.pem,
      'github-token': 'ghs_orgwriter0123456789abcdefghijklmn',
      'secret-repository': 'acme/app, acme/etl',
      'secret-environment': 'production',
    }),
  );
  expect(fanOut.errors).toEqual([]);
  expect(fanOut.outputs['secrets-written']?.split('\n').sort()).toEqual([
    'environment:acme/app:production:SNOWFLAKE_PRIVATE_KEY',
    'environment:acme/etl:production:SNOWFLAKE_PRIVATE_KEY',
  ]);
  const app = await world.secretValue('SNOWFLAKE_PRIVATE_KEY', { environment: 'production' });
  const etl = await world.secretValue('SNOWFLAKE_PRIVATE_KEY', {
    environment: 'production',
    repository: 'acme/etl',
  });
  expect(app).toBe(etl);
  expect(await world.login(SERVICE_USER, app ?? '')).toBe('ok');
  expectNoLeaks(fanOut, world.secrets);

  const org = await world.run(
    world.rotateInputs(adminKey, {
      'current-private-key': app,
      // The rotation before was seconds ago; this test is not about the grace period.
      'grace-period': '0s',
      'github-token': 'ghs_orgwriter0123456789abcdefghijklmn',
      'secret-organization': 'acme',
      'secret-visibility': 'selected',
      'secret-selected-repositories': 'app, acme/etl',
    }),
  );
  expect(org.errors).toEqual([]);
  const stored = (await world.gh.secrets()).find((s) => s.scope === 'organization');
  expect(stored).toMatchObject({ org: 'acme', name: 'SNOWFLAKE_PRIVATE_KEY', visibility: 'selected' });
  expect(stored?.selected_repository_ids).toHaveLength(2);
  world.secrets['org secret'] = stored?.value ?? '';
  expect(await world.login(SERVICE_USER, stored?.value ?? '')).toBe('ok');
  expect(await world.login(SERVICE_USER, app ?? '')).toBe('ok');
  expectNoLeaks(org, world.secrets);
});

test('an unknown environment fails before Snowflake changes', async () => {
  const run = await world.run(
    world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem, 'secret-environment': 'prodution' }),
  );
  expect(run.exitCode).toBe(1);
  expect(run.errors.join('\n')).toMatch(
    /Step prepare-destinations failed: .*404.*environment 'prodution' exists in acme\/app/s,
  );
  expect(await world.changes()).toEqual([]);
  expectNoLeaks(run, world.secrets);
});

test('an ALTER USER whose reply is lost is still undone when a later step fails', async () => {
  // The statement runs, then the client sees a reset; the SDK retries it, and the retry is refused.
  await world.sf.fault({
    on: 'query',
    match: '^ALTER USER .* SET RSA_PUBLIC_KEY_2',
    action: 'reset',
    after: true,
    times: 1,
  });
  await world.sf.fault({
    on: 'query',
    match: '^ALTER USER .* SET RSA_PUBLIC_KEY_2',
    action: 'sql-error',
    code: '000603',
  });
  const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }));
  expect(run.exitCode).toBe(1);
  expect(run.errors.join('\n')).toMatch(
    /Step set-key failed: .*Rolled back: restore RSA_PUBLIC_KEY_2 of SVC_LOADER/s,
  );
  const desc = await world.describe(SERVICE_USER);
  expect(desc.RSA_PUBLIC_KEY_2).toBe('null');
  expect(desc.RSA_PUBLIC_KEY_FP).toBe(fingerprintOf(firstKey.publicBody));
  expectNoLeaks(run, world.secrets);
});

test('a write GitHub stored but whose confirmation failed keeps the new key in Snowflake', async () => {
  await world.gh.fault({
    match: '^GET /repos/acme/app/actions/secrets/SNOWFLAKE_PRIVATE_KEY$',
    action: 'http-500',
  });
  const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }));
  expect(run.exitCode).toBe(1);
  expect(run.errors.join('\n')).toMatch(
    /Holding the new key SHA256:.*repository:acme\/app:SNOWFLAKE_PRIVATE_KEY/s,
  );
  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
  expect(await world.login(SERVICE_USER, stored)).toBe('ok');
  expect(await world.login(SERVICE_USER, firstKey.pem)).toBe('ok');
  expect(run.outputs['secrets-written']).toBe('repository:acme/app:SNOWFLAKE_PRIVATE_KEY');
  expectNoLeaks(run, world.secrets);
});

test('a rotation that stored an encrypted key can be followed by one that passes it back', async () => {
  const passphrase = 'stored key passphrase 1';
  world.secrets['key-passphrase'] = passphrase;
  const first = await world.run(
    world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem, 'key-passphrase': passphrase }),
  );
  expect(first.errors).toEqual([]);
  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
  const second = await world.run(
    world.rotateInputs(adminKey, {
      'current-private-key': stored,
      'key-passphrase': passphrase,
      // The first rotation was seconds ago; this test is not about the grace period.
      'grace-period': '0s',
    }),
  );
  expect(second.errors).toEqual([]);
  expect(second.outputs['previous-fingerprint']).toBe(first.outputs.fingerprint);
  expectNoLeaks(second, world.secrets);
});

test('a target whose login name differs from its name is proven with its login name', async () => {
  await world.sf.sql(
    `CREATE USER LOADER_TWO TYPE = SERVICE LOGIN_NAME = 'loader_two_login' RSA_PUBLIC_KEY = '${firstKey.publicBody}'`,
  );
  await world.sf.sql(`GRANT OWNERSHIP ON USER LOADER_TWO TO ROLE ROTATOR_ROLE`);
  const run = await world.run(
    world.rotateInputs(adminKey, { 'target-user': 'loader_two', 'current-private-key': firstKey.pem }),
  );
  expect(run.errors).toEqual([]);
  expect(run.visibleLog).toContain('prove-login: logged in as LOADER_TWO with the new key');
});

test('fingerprint-variable records the new fingerprint beside each secret; without Variables permission the run fails before changing anything', async () => {
  const run = await world.run(
    world.rotateInputs(adminKey, {
      'current-private-key': firstKey.pem,
      'fingerprint-variable': 'SNOWFLAKE_KEY_FINGERPRINT',
      'secret-environment': 'production',
    }),
  );
  expect(run.errors).toEqual([]);
  expect(await world.gh.variables()).toEqual([
    expect.objectContaining({
      scope: 'environment',
      environment: 'production',
      name: 'SNOWFLAKE_KEY_FINGERPRINT',
      value: run.outputs.fingerprint,
    }),
  ]);
  expectNoLeaks(run, world.secrets);

  const limited = 'ghs_novariables0123456789abcdefghijk';
  world.secrets['token without variables'] = limited;
  await world.gh.addToken({
    token: limited,
    type: 'installation',
    permissions: { secrets: 'write' },
    repositories: ['acme/app'],
  });
  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY', { environment: 'production' })) ?? '';
  const before = await world.describe(SERVICE_USER);
  const second = await world.run(
    world.rotateInputs(adminKey, {
      'current-private-key': stored,
      'grace-period': '0s',
      'github-token': limited,
      'fingerprint-variable': 'SNOWFLAKE_KEY_FINGERPRINT',
    }),
  );
  // The record beside the secret is read before the first change (whose key does it hold?), so a token that
  // could not write it either fails there, not after storing.
  expect(second.exitCode).toBe(1);
  expect(second.errors.join('\n')).toMatch(
    /Step prepare-destinations failed: .*may not read the variable SNOWFLAKE_KEY_FINGERPRINT.*403.*Variables: read.*permission-actions-variables: write/s,
  );
  expect(second.outputs.changed).toBe('false');
  expect(second.outputs['secrets-written']).toBe('');
  expect(await world.describe(SERVICE_USER)).toEqual(before);
  expect(await world.secretValue('SNOWFLAKE_PRIVATE_KEY')).toBeUndefined();
  expectNoLeaks(second, world.secrets);
});

test('each refusal says what to do and changes nothing', async () => {
  const otherKey = newKey();
  world.secrets['other key'] = otherKey.pem;
  // Both slots set and nothing says which one the workflows hold.
  await world.sf.clock(-10 * 3_600_000);
  await world.sf.sql(`ALTER USER ${SERVICE_USER} SET RSA_PUBLIC_KEY_2 = '${otherKey.publicBody}'`);
  await world.sf.clock(0);
  await world.sf.clearLog();
  const cases: [Record<string, string | undefined>, RegExp][] = [
    [{}, /Both key slots of SVC_LOADER are set.*current-private-key.*force: true/s],
    [
      { 'current-private-key': newKey().pem },
      /registered in neither slot of SVC_LOADER.*Registered: RSA_PUBLIC_KEY SHA256:/s,
    ],
    [
      { 'target-user': 'NO_SUCH_USER' },
      /NO_SUCH_USER does not exist, or the session's role may not see it \(002003\).*GRANT OWNERSHIP ON USER "NO_SUCH_USER"/s,
    ],
  ];
  for (const [overrides, message] of cases) {
    const run = await world.run(world.rotateInputs(adminKey, overrides));
    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(message);
    expect(run.outputs.changed).toBe('false');
    expectNoLeaks(run, world.secrets);
  }
  expect(await world.changes()).toEqual([]);
  expect(await world.gh.secrets()).toEqual([]);
  expect((await world.gh.log()).filter((e) => e.method !== 'GET')).toEqual([]);
});

test('a token without any Secrets permission is refused before Snowflake changes', async () => {
  const token = 'ghs_nosecrets0123456789abcdefghijklmn';
  world.secrets['token without secrets'] = token;
  await world.gh.addToken({
    token,
    type: 'installation',
    permissions: { metadata: 'read' },
    repositories: ['acme/app'],
  });
  const run = await world.run(
    world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem, 'github-token': token }),
  );
  expect(run.exitCode).toBe(1);
  expect(run.errors.join('\n')).toMatch(
    /Step prepare-destinations failed: 'github-token' may not read the public key of repository:acme\/app:SNOWFLAKE_PRIVATE_KEY \(403.*GitHub requires the permission Secrets: read.*permission-secrets: write/s,
  );
  expect(await world.changes()).toEqual([]);
  expect(await world.gh.secrets()).toEqual([]);
  expect(run.outputs.changed).toBe('false');
  expectNoLeaks(run, world.secrets);
});

test('retire-previous unsets the slot of the previous key after a full success, with a warning', async () => {
  const run = await world.run(
    world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem, 'retire-previous': 'true' }),
  );
  expect(run.errors).toEqual([]);
  expect(run.warnings.join('\n')).toMatch(
    /Retired RSA_PUBLIC_KEY \(SHA256:.*\) of SVC_LOADER: runs queued before this rotation still hold that key/,
  );
  const desc = await world.describe(SERVICE_USER);
  expect(desc.RSA_PUBLIC_KEY).toBe('null');
  expect(desc.RSA_PUBLIC_KEY_2_FP).toBe(run.outputs.fingerprint);
  expect(await world.login(SERVICE_USER, firstKey.pem)).toBe('390144');
  expect(await world.login(SERVICE_USER, (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '')).toBe(
    'ok',
  );
  expect(renderSummary(run.summary).tables[1]).toContainEqual(['Retired', 'RSA_PUBLIC_KEY']);
  expectNoLeaks(run, world.secrets);
});
