import { fingerprintOf } from '../../src/keys.js';
import type { SecretScopeRef, StoredSecret } from '../emulators/github/control.js';
import { expectNoLeaks } from '../harness/leak-scan.js';
import type { ActionRun } from '../harness/run-action.js';
import { ADMIN_ROLE, SERVICE_USER, type TestKey, World } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * A secret write that failed: does the destination hold the new key? GitHub's answer to the write cannot say
 * (a 5xx may come before or after GitHub stored the value; no answer says nothing), but the secret's metadata
 * can. End to end, dist/index.js against both emulators, for each way a write can fail:
 * - the metadata proves nothing was written (the secret is absent, or was last updated before the write began)
 *   and every attempt was answered: the run fails, Snowflake is rolled back to exactly the keys it held before,
 *   and every secret is exactly as it was;
 * - the metadata proves the value was written (a lost reply): the run counts the write as done;
 * - nothing proves either (the secret changed moments before, a request got no answer, the metadata cannot be
 *   read): Snowflake keeps both keys and the error says what each destination may hold.
 * Every run: the exit status, the message, the state of both services, and the leak scan.
 */

const SECRET = 'SNOWFLAKE_PRIVATE_KEY';
const LONG_AGO = '2024-01-02T03:04:05Z';
const APP = { scope: 'repository', owner: 'acme', repo: 'app' } as const;
const LIB = { scope: 'repository', owner: 'acme', repo: 'lib' } as const;
const PRODUCTION = { scope: 'environment', owner: 'acme', repo: 'app', environment: 'production' } as const;
/** A token that may write the secrets of both repositories (the world's own reaches acme/app only). */
const TWO_REPOSITORY_TOKEN = 'ghs_tworepos0123456789abcdefghijklmnop';
const FIRST_KEY_USER = 'REVERSE_ETL_USER';

let world: World;
let adminKey: TestKey;
let firstKey: TestKey;
useProvisionedWorld((started) => ({ world, adminKey, firstKey } = started));

/** What a failed write must leave alone: the user's key slots, every secret (value and times), every variable. */
async function state(user = SERVICE_USER): Promise<{
  slots: (string | undefined)[];
  secrets: StoredSecret[];
  variables: unknown[];
}> {
  const desc = await world.describe(user);
  const slot = (value: string | undefined): string | undefined =>
    value === undefined || value === 'null' ? undefined : value;
  return {
    slots: [slot(desc.RSA_PUBLIC_KEY_FP), slot(desc.RSA_PUBLIC_KEY_2_FP)],
    secrets: await world.gh.secrets(),
    variables: await world.gh.variables(),
  };
}

/** The consumers' key, stored in a secret set long ago (as the previous rotation left it). */
const seedOld = (where: SecretScopeRef): Promise<void> =>
  world.gh.putSecret(where, SECRET, firstKey.pem, { updated_at: LONG_AGO });

const putFault = (path: string, action: 'http-500' | 'http-503' | 'reset', after = false) =>
  world.gh.fault({ match: `^PUT ${path}/${SECRET}$`, action, after });

/** Both repositories as destinations, with a token that may write to both. */
async function twoRepositories(): Promise<Record<string, string>> {
  await world.gh.addRepository({ owner: 'acme', repo: 'lib' });
  await world.gh.addToken({
    token: TWO_REPOSITORY_TOKEN,
    type: 'installation',
    permissions: { secrets: 'write' },
    repositories: ['acme/app', 'acme/lib'],
  });
  world.secrets['two-repository token'] = TWO_REPOSITORY_TOKEN;
  return {
    'github-token': TWO_REPOSITORY_TOKEN,
    'secret-repository': 'acme/app, acme/lib',
  };
}

function rotateInputs(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem, ...overrides });
}

/** The one failure message of a run. */
function failure(run: ActionRun): string {
  expect(run.errors).toHaveLength(1);
  return run.errors[0] ?? '';
}

/** Every request the run made to GitHub, as `METHOD /path status`, in order. */
async function gitHubRequests(): Promise<string[]> {
  return (await world.gh.log()).map((entry) => `${entry.method} ${entry.path} ${entry.status}`);
}

const ROLLED_BACK =
  'No write landed (each was refused, or the secret read back shows the value was not stored), so the new key is removed from Snowflake again and every destination keeps the key it had. Rolled back: restore RSA_PUBLIC_KEY_2 of SVC_LOADER';

describe('the metadata proves nothing was written: Snowflake is rolled back, every secret unchanged', () => {
  test('500 on every attempt, to a secret set long ago', async () => {
    await seedOld(APP);
    await putFault('/repos/acme/app/actions/secrets', 'http-500');
    const before = await state();
    const run = await world.run(rotateInputs());

    expect(run.exitCode).toBe(1);
    expect(failure(run)).toBe(
      `Step store-secret failed: No destination could be written (GitHub answered 500 when trying to write the secret of repository:acme/app:${SECRET} (Server Error); the secret was last updated at ${LONG_AGO}, before this write began, so GitHub did not store the value). ${ROLLED_BACK}`,
    );
    expect(await state()).toEqual(before);
    expect(await world.login(SERVICE_USER, firstKey.pem)).toBe('ok');
    expect(run.outputs).toMatchObject({ 'secrets-written': '' });
    const report = JSON.parse(Object.values(run.tempFiles)[0] ?? '{}') as { destinations?: unknown };
    expect(report.destinations).toEqual([{ destination: `repository:acme/app:${SECRET}`, result: 'failed' }]);
    // Three attempts, then the secret read back once; no request anywhere else.
    expect((await gitHubRequests()).slice(-4)).toEqual([
      ...Array(3).fill(`PUT /repos/acme/app/actions/secrets/${SECRET} 500`),
      `GET /repos/acme/app/actions/secrets/${SECRET} 200`,
    ]);
    expectNoLeaks(run, world.secrets);
  });

  test('503 on every attempt, where no secret exists yet', async () => {
    await putFault('/repos/acme/app/actions/secrets', 'http-503');
    const before = await state();
    const run = await world.run(rotateInputs());

    expect(run.exitCode).toBe(1);
    expect(failure(run)).toBe(
      `Step store-secret failed: No destination could be written (GitHub answered 503 when trying to write the secret of repository:acme/app:${SECRET} (Service Unavailable); the secret does not exist, so GitHub did not store the value). ${ROLLED_BACK}`,
    );
    expect(await state()).toEqual(before);
    expect(before.secrets).toEqual([]);
    expectNoLeaks(run, world.secrets);
  });

  test('502 from a gateway, to an environment secret set long ago', async () => {
    await seedOld(PRODUCTION);
    await world.gh.fault({
      match: `^PUT /repos/acme/app/environments/production/secrets/${SECRET}$`,
      action: 'http-error',
      status: 502,
      message: 'Bad Gateway',
    });
    const before = await state();
    const run = await world.run(rotateInputs({ 'secret-environment': 'production' }));

    expect(run.exitCode).toBe(1);
    expect(failure(run)).toBe(
      `Step store-secret failed: No destination could be written (GitHub answered 502 when trying to write the secret of environment:acme/app:production:${SECRET} (Bad Gateway); the secret was last updated at ${LONG_AGO}, before this write began, so GitHub did not store the value). ${ROLLED_BACK}`,
    );
    expect(await state()).toEqual(before);
    expectNoLeaks(run, world.secrets);
  });

  test('two repositories, each write answered 500 and shown not stored', async () => {
    const destinations = await twoRepositories();
    await seedOld(APP);
    await seedOld(LIB);
    await world.gh.fault({
      match: `^PUT /repos/acme/(app|lib)/actions/secrets/${SECRET}$`,
      action: 'http-500',
    });
    const before = await state();
    const run = await world.run(rotateInputs(destinations));

    expect(run.exitCode).toBe(1);
    const message = failure(run);
    expect(message).toMatch(
      new RegExp(
        `^Step store-secret failed: No destination could be written \\(GitHub answered 500 when trying to write the secret of repository:acme/(app|lib):${SECRET} \\(Server Error\\); the secret was last updated at ${LONG_AGO}, before this write began, so GitHub did not store the value\\)\\. `,
      ),
    );
    expect(message.endsWith(ROLLED_BACK)).toBe(true);
    expect(await state()).toEqual(before);
    expect(before.secrets).toHaveLength(2);
    expectNoLeaks(run, world.secrets);
  });

  test("setup's first key: the user is left without a key again", async () => {
    await world.sf.sql(`CREATE USER ${FIRST_KEY_USER} TYPE = SERVICE`);
    await world.sf.sql(`GRANT OWNERSHIP ON USER ${FIRST_KEY_USER} TO ROLE ${ADMIN_ROLE}`);
    await putFault('/repos/acme/app/actions/secrets', 'http-500');
    const before = await state(FIRST_KEY_USER);
    const run = await world.run(
      world.rotateInputs(adminKey, { mode: 'setup', 'target-user': FIRST_KEY_USER }),
    );

    expect(run.exitCode).toBe(1);
    expect(failure(run)).toBe(
      `Step store-secret failed: No destination could be written (GitHub answered 500 when trying to write the secret of repository:acme/app:${SECRET} (Server Error); the secret does not exist, so GitHub did not store the value). ${ROLLED_BACK.replace('RSA_PUBLIC_KEY_2 of SVC_LOADER', `RSA_PUBLIC_KEY of ${FIRST_KEY_USER}`)}`,
    );
    expect(await state(FIRST_KEY_USER)).toEqual(before);
    expect(before.slots).toEqual([undefined, undefined]);
    expectNoLeaks(run, world.secrets);
  });
});

describe('the metadata cannot settle it: Snowflake keeps both keys, the error says what each destination may hold', () => {
  test('one repository shown not written, the other without an answer', async () => {
    const destinations = await twoRepositories();
    await seedOld(APP);
    await seedOld(LIB);
    await putFault('/repos/acme/app/actions/secrets', 'http-500');
    await putFault('/repos/acme/lib/actions/secrets', 'reset');
    const run = await world.run(rotateInputs(destinations));

    expect(run.exitCode).toBe(1);
    const message = failure(run);
    expect(message).toMatch(
      /^Step store-secret failed: 2 of 2 destination\(s\) could not be written and confirmed/,
    );
    expect(message).toContain(
      `Snowflake keeps both keys, so every destination still logs in. Holding the previous key: repository:acme/app:${SECRET}, repository:acme/lib:${SECRET} (or the new one: the outcome is unknown)`,
    );
    const report = JSON.parse(Object.values(run.tempFiles)[0] ?? '{}') as { destinations?: unknown };
    expect(report.destinations).toEqual([
      { destination: `repository:acme/app:${SECRET}`, result: 'failed' },
      { destination: `repository:acme/lib:${SECRET}`, result: 'unknown' },
    ]);
    const after = await state();
    expect(after.slots).toEqual([fingerprintOf(firstKey.publicBody), run.outputs.fingerprint]);
    // Nothing was stored: both secrets hold the key consumers had, which still logs in.
    expect(after.secrets.map((s) => [s.repo, s.value, s.updated_at])).toEqual([
      ['app', firstKey.pem, LONG_AGO],
      ['lib', firstKey.pem, LONG_AGO],
    ]);
    expect(await world.login(SERVICE_USER, firstKey.pem)).toBe('ok');
    expectNoLeaks(run, world.secrets);
  });

  test('500 on every attempt, to a secret set moments before the run', async () => {
    // Set within the allowance for clock skew: its time cannot show whether this write landed.
    await world.gh.putSecret(APP, SECRET, firstKey.pem);
    await putFault('/repos/acme/app/actions/secrets', 'http-500');
    const run = await world.run(rotateInputs());

    expect(run.exitCode).toBe(1);
    expect(failure(run)).toMatch(
      new RegExp(
        `^Step store-secret failed: 1 of 1 destination\\(s\\) could not be written and confirmed \\(GitHub answered 500 when trying to write the secret of repository:acme/app:${SECRET} \\(Server Error\\); the secret was last updated at \\S+, around the time this write began, so whether it holds this value cannot be told: the outcome is unknown\\)\\. .*Snowflake keeps both keys, so every destination still logs in\\. Holding the previous key: repository:acme/app:${SECRET} \\(or the new one: the outcome is unknown\\)`,
      ),
    );
    const after = await state();
    expect(after.slots).toEqual([fingerprintOf(firstKey.publicBody), run.outputs.fingerprint]);
    expect(after.secrets.map((s) => s.value)).toEqual([firstKey.pem]);
    expectNoLeaks(run, world.secrets);
  });
});

describe('the metadata proves the value was written: the lost reply does not fail the run', () => {
  test('500 after GitHub stored the value, to a secret set long ago', async () => {
    await seedOld(APP);
    await putFault('/repos/acme/app/actions/secrets', 'http-500', true);
    const run = await world.run(rotateInputs());

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.visibleLog).toMatch(
      new RegExp(
        `store-secret: repository:acme/app:${SECRET}: GitHub's reply to the write was lost \\(GitHub answered 500 when trying to write the secret of repository:acme/app:${SECRET} \\(Server Error\\)\\), but the secret reads back as updated at \\S+, after this run read it: the key is stored`,
      ),
    );
    const stored = (await world.secretValue(SECRET)) ?? '';
    const after = await state();
    expect(after.slots).toEqual([fingerprintOf(firstKey.publicBody), run.outputs.fingerprint]);
    expect(run.outputs['secrets-written']).toBe(`repository:acme/app:${SECRET}`);
    expect(await world.login(SERVICE_USER, stored)).toBe('ok');
    expect(stored).not.toBe(firstKey.pem);
    expectNoLeaks(run, world.secrets);
  });
});
