import { expectNoLeaks } from '../harness/leak-scan.js';
import type { ActionRun } from '../harness/run-action.js';
import { REPOSITORY, SERVICE_USER, type TestKey, World, WRITER_TOKEN, newKey } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * Every write over a value the action did not put there for this key is refused before anything changes:
 * a GitHub secret whose recorded fingerprint (the `fingerprint-variable` beside it) is another user's key,
 * a variable of that name holding something else, and, for setup (a first key, so nothing stored can be the
 * user's own), any secret that exists already without a record. Each refusal runs dist/index.js against the
 * emulators and asserts the exit status, the message naming both users where the other can be found, that
 * Snowflake ran no statement that changes anything and GitHub holds exactly what it held, and no leak.
 * `force: true` writes anyway, with a warning.
 */

const VARIABLE = 'SNOWFLAKE_KEY_FINGERPRINT';
const NEW_USER = 'SVC_NEW';

let world: World;
const adminKey: TestKey = newKey();
const serviceKey: TestKey = newKey();

useProvisionedWorld((started) => ({ world } = started), {
  keys: { adminKey, firstKey: serviceKey },
  accountAdmin: true,
});

/** A rotation of SVC_LOADER that records its fingerprint beside SNOWFLAKE_PRIVATE_KEY. */
async function rotateServiceUser(secretName = 'SNOWFLAKE_PRIVATE_KEY'): Promise<string> {
  const run = await world.run(
    world.rotateInputs(adminKey, {
      'current-private-key': serviceKey.pem,
      'grace-period': '0s',
      'secret-name': secretName,
      'fingerprint-variable': VARIABLE,
    }),
  );
  expect(run.exitCode).toBe(0);
  await world.secretValue(secretName);
  return run.outputs.fingerprint ?? '';
}

/** Sets a repository variable through GitHub's REST API, as a person or another tool would. */
async function putVariable(name: string, value: string): Promise<void> {
  const response = await fetch(`${world.github.url}/repos/${REPOSITORY}/actions/variables`, {
    method: 'POST',
    headers: { authorization: `Bearer ${WRITER_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, value }),
  });
  expect(response.status).toBe(201);
}

const setupInputs = (overrides: Record<string, string | undefined> = {}) =>
  world.rotateInputs(adminKey, {
    mode: 'setup',
    role: 'ACCOUNTADMIN',
    'target-user': NEW_USER,
    'verify-login': 'true',
    ...overrides,
  });

/** Setup of `spec` with the fingerprint variable, the emulators' logs cleared first. */
async function setupFromSpec(spec: string): Promise<ActionRun> {
  await world.sf.clearLog();
  await world.gh.clearLog();
  return world.run(
    setupInputs({
      spec: 'access.yml',
      'target-user': undefined,
      'secret-name': undefined,
      'fingerprint-variable': VARIABLE,
    }),
    { files: { 'access.yml': spec } },
  );
}

/** What GitHub and Snowflake hold, to compare before and after a refused run. */
async function snapshot(): Promise<unknown> {
  return {
    secrets: await world.gh.secrets(),
    variables: await world.gh.variables(),
    service: await world.describe(SERVICE_USER),
    users: (await world.sf.sql('SHOW USERS')).map((row) => row.name),
  };
}

async function expectRefused(run: ActionRun, before: unknown, fragments: string[]): Promise<void> {
  expect(run.exitCode).toBe(1);
  expect(run.errors).toHaveLength(1);
  const message = run.errors[0] ?? '';
  expect(message).toContain('Refusing to write the private key of');
  for (const fragment of fragments) expect(message).toContain(fragment);
  expect(message).toContain("set 'force: true' to write over it");
  expect(message).toContain('nothing was changed');
  expect(run.outputs.changed).toBe('false');
  expect(await world.changes()).toEqual([]);
  expect(await snapshot()).toEqual(before);
  expect((await world.gh.log()).filter((request) => request.method !== 'GET')).toEqual([]);
  expectNoLeaks(run, world.secrets);
}

test("setup refuses a secret that holds another user's recorded key, naming both users", async () => {
  const serviceFingerprint = await rotateServiceUser();
  // A spec that declares SVC_LOADER (no key block) and a new user whose key block names the same secret.
  const spec = [
    'version: 1',
    'users:',
    `  - name: ${SERVICE_USER}`,
    '    type: SERVICE',
    `  - name: ${NEW_USER}`,
    '    type: SERVICE',
    '    key:',
    '      secret:',
    '        name: SNOWFLAKE_PRIVATE_KEY',
    '',
  ].join('\n');
  const before = await snapshot();
  const run = await setupFromSpec(spec);
  await expectRefused(run, before, [
    `private key of ${NEW_USER}`,
    `repository:${REPOSITORY}:SNOWFLAKE_PRIVATE_KEY holds the key of ${SERVICE_USER}`,
    `records ${serviceFingerprint}, which is registered on ${SERVICE_USER}, not on ${NEW_USER}`,
  ]);
  // Refused before the first statement: the new user was not even created.
  expect((await world.sf.sql('SHOW USERS')).map((row) => row.name)).not.toContain(NEW_USER);
});

test('setup refuses a secret that exists with no record of whose key it holds (the demo case)', async () => {
  await rotateServiceUser();
  const before = await snapshot();
  await world.sf.clearLog();
  await world.gh.clearLog();
  const run = await world.run(setupInputs());
  await expectRefused(run, before, [
    `repository:${REPOSITORY}:SNOWFLAKE_PRIVATE_KEY exists already (last written `,
    `nothing records whose key it holds, while ${NEW_USER} has no key yet`,
  ]);
});

test('setup refuses an environment secret set by hand', async () => {
  await world.gh.putSecret(
    { scope: 'environment', owner: 'acme', repo: 'app', environment: 'production' },
    'SNOWFLAKE_PRIVATE_KEY',
    'a value someone stored by hand',
  );
  world.secrets['hand-set value'] = 'a value someone stored by hand';
  const before = await snapshot();
  await world.sf.clearLog();
  await world.gh.clearLog();
  const run = await world.run(setupInputs({ 'secret-environment': 'production' }));
  await expectRefused(run, before, [
    `environment:${REPOSITORY}:production:SNOWFLAKE_PRIVATE_KEY exists already`,
  ]);
});

test("rotate refuses a secret whose record names a key that is not the target user's", async () => {
  // SVC_LOADER's key is recorded beside SHARED_KEY; a rotation of another user into the same secret.
  const serviceFingerprint = await rotateServiceUser('SHARED_KEY');
  const otherKey = newKey();
  await world.sf.sql(`CREATE USER SVC_OTHER TYPE = SERVICE RSA_PUBLIC_KEY = '${otherKey.publicBody}'`);
  const before = await snapshot();
  await world.sf.clearLog();
  await world.gh.clearLog();
  const run = await world.run(
    world.rotateInputs(adminKey, {
      role: 'ACCOUNTADMIN',
      'target-user': 'SVC_OTHER',
      'current-private-key': otherKey.pem,
      'grace-period': '0s',
      'secret-name': 'SHARED_KEY',
      'fingerprint-variable': VARIABLE,
    }),
    { secrets: { 'other key': otherKey.pem } },
  );
  await expectRefused(run, before, [
    'private key of SVC_OTHER',
    `repository:${REPOSITORY}:SHARED_KEY holds a key that is not one of SVC_OTHER's`,
    `records ${serviceFingerprint}`,
  ]);
});

test('rotate refuses when the fingerprint variable holds a value this action did not write', async () => {
  await putVariable(VARIABLE, 'owned-by-another-team');
  const before = await snapshot();
  await world.sf.clearLog();
  await world.gh.clearLog();
  const run = await world.run(
    world.rotateInputs(adminKey, {
      'current-private-key': serviceKey.pem,
      'grace-period': '0s',
      'fingerprint-variable': VARIABLE,
    }),
  );
  await expectRefused(run, before, [
    `the variable ${VARIABLE} beside repository:${REPOSITORY}:SNOWFLAKE_PRIVATE_KEY holds a value that is not a key fingerprint`,
  ]);
});

test("a rotation over the secret that holds the user's own recorded key goes ahead", async () => {
  const first = await rotateServiceUser();
  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
  const run = await world.run(
    world.rotateInputs(adminKey, {
      'current-private-key': stored,
      'grace-period': '0s',
      'fingerprint-variable': VARIABLE,
    }),
  );
  expect(run.exitCode).toBe(0);
  expect(run.outputs['previous-fingerprint']).toBe(first);
  expect((await world.gh.variables()).find((v) => v.name === VARIABLE)?.value).toBe(run.outputs.fingerprint);
});

test('force: true writes over a secret with no record, with a warning naming what it overwrote', async () => {
  await rotateServiceUser();
  const run = await world.run(setupInputs({ force: 'true' }));
  expect(run.exitCode).toBe(0);
  expect(run.warnings).toEqual(
    expect.arrayContaining([
      expect.stringContaining(
        `force: true: writing the key of ${NEW_USER} although repository:${REPOSITORY}:SNOWFLAKE_PRIVATE_KEY exists already`,
      ),
    ]),
  );
  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
  expect(await world.login(NEW_USER, stored)).toBe('ok');
});

test('a spec whose keys would share one fingerprint variable is refused before anything is read', async () => {
  const spec = [
    'version: 1',
    'users:',
    '  - name: SVC_A',
    '    type: SERVICE',
    '    key:',
    '      secret:',
    '        name: SVC_A_PRIVATE_KEY',
    '  - name: SVC_B',
    '    type: SERVICE',
    '    key:',
    '      secret:',
    '        name: SVC_B_PRIVATE_KEY',
    '',
  ].join('\n');
  const before = await snapshot();
  const run = await setupFromSpec(spec);
  expect(run.exitCode).toBe(1);
  expect(run.errors).toEqual([
    expect.stringContaining(
      `Input 'fingerprint-variable' would record the keys of several users in the one variable ${VARIABLE}: SVC_A and SVC_B store their keys in repository:${REPOSITORY}`,
    ),
  ]);
  expect((await world.sf.log()).filter((entry) => entry.via === 'sdk')).toEqual([]);
  expect(await world.gh.log()).toEqual([]);
  expect(await snapshot()).toEqual(before);
  expectNoLeaks(run, world.secrets);
});

test('setup checks every GitHub destination before its first statement: an environment that does not exist', async () => {
  const before = await snapshot();
  await world.sf.clearLog();
  await world.gh.clearLog();
  const run = await world.run(setupInputs({ 'secret-environment': 'staging' }));
  expect(run.exitCode).toBe(1);
  expect(run.errors).toEqual([
    expect.stringContaining(
      "Step check-destinations failed: GitHub found no environment 'staging' in acme/app",
    ),
  ]);
  // Refused before CREATE USER: nothing in Snowflake, nothing written to GitHub.
  expect(await world.changes()).toEqual([]);
  expect(await snapshot()).toEqual(before);
  expect((await world.gh.log()).filter((request) => request.method !== 'GET')).toEqual([]);
  expect(run.outputs.changed).toBe('false');
  expectNoLeaks(run, world.secrets);
});
