import { expectNoLeaks } from '../harness/leak-scan.js';
import { SERVICE_USER, type TestKey, World } from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * Names that become a segment of a GitHub REST path, and that GitHub allows although they hold characters
 * with a meaning in a URL (an environment name may hold '/', '?', '#', '%' and dots): end to end, every
 * request the run makes goes to the endpoint of that name, the name in one percent-encoded segment, and to no
 * other endpoint. Names GitHub does not allow, and dot segments ('.', '..', '%2e'), are refused before any
 * request: those cases are rows of hostile-input.test.ts.
 */

const SECRET = 'SNOWFLAKE_PRIVATE_KEY';

let world: World;
let adminKey: TestKey;
let firstKey: TestKey;
useProvisionedWorld((started) => ({ world, adminKey, firstKey } = started));

/** Every request the run made to GitHub, as `METHOD /path status`, sorted (some are made side by side). */
async function gitHubRequests(): Promise<string[]> {
  return (await world.gh.log()).map((entry) => `${entry.method} ${entry.path} ${entry.status}`).sort();
}

const inputs = (environment: string): Record<string, string | undefined> =>
  world.rotateInputs(adminKey, {
    'current-private-key': firstKey.pem,
    'secret-environment': environment,
  });

/** The environment's path segment as GitHub reads it: each character with a meaning in a URL encoded. */
const ENVIRONMENTS: [name: string, segment: string][] = [
  ['a/../b', 'a%2F..%2Fb'],
  ['eu?x=1#top', 'eu%3Fx%3D1%23top'],
  ['%2e%2e/..', '%252e%252e%2F..'],
  ['../..', '..%2F..'],
];

test.each(ENVIRONMENTS)(
  "an environment named '%s' that does not exist: one 404 from its own endpoint, nothing changed",
  async (environment, segment) => {
    const run = await world.run(inputs(environment));

    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `Step prepare-destinations failed: GitHub found no environment '${environment}' in acme/app when trying to read the public key of environment:acme/app:${environment}:${SECRET} (404). Check that the environment '${environment}' exists in acme/app and that the token can access the repository`,
    ]);
    // Only that environment's endpoints: its public key, and its secret's metadata (read alongside).
    const base = `/repos/acme/app/environments/${segment}/secrets`;
    expect(await gitHubRequests()).toEqual([`GET ${base}/${SECRET} 404`, `GET ${base}/public-key 404`]);
    expect(await world.changes()).toEqual([]);
    expect(await world.gh.secrets()).toEqual([]);
    expect(await world.gh.variables()).toEqual([]);
    expect((await world.describe(SERVICE_USER)).RSA_PUBLIC_KEY_2).toBe('null');
    expectNoLeaks(run, world.secrets);
  },
);

test("an environment named 'stage/../eu?#1' that exists receives the secret and the variable, and no other place does", async () => {
  const environment = 'stage/../eu?#1';
  await world.gh.addEnvironment('acme', 'app', environment);
  const run = await world.run({ ...inputs(environment), 'fingerprint-variable': 'SNOWFLAKE_KEY_FP' });

  expect(run.errors).toEqual([]);
  expect(run.exitCode).toBe(0);
  expect(run.outputs['secrets-written']).toBe(`environment:acme/app:${environment}:${SECRET}`);
  const secrets = await world.gh.secrets();
  expect(secrets).toEqual([
    expect.objectContaining({ scope: 'environment', owner: 'acme', repo: 'app', environment, name: SECRET }),
  ]);
  expect(await world.login(SERVICE_USER, secrets[0]?.value ?? '')).toBe('ok');
  expect(await world.gh.variables()).toEqual([
    expect.objectContaining({ environment, name: 'SNOWFLAKE_KEY_FP', value: run.outputs.fingerprint }),
  ]);
  const base = '/repos/acme/app/environments/stage%2F..%2Feu%3F%231';
  expect(await gitHubRequests()).toEqual([
    `GET ${base}/secrets/${SECRET} 200`,
    `GET ${base}/secrets/${SECRET} 404`,
    `GET ${base}/secrets/public-key 200`,
    // Whose key the secret holds: the record beside it (none yet).
    `GET ${base}/variables/SNOWFLAKE_KEY_FP 404`,
    `PATCH ${base}/variables/SNOWFLAKE_KEY_FP 404`,
    `POST ${base}/variables 201`,
    `PUT ${base}/secrets/${SECRET} 201`,
  ]);
  expectNoLeaks(run, world.secrets);
});
