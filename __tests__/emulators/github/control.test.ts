// Control plane: faults, latency, the request log, seeding and resetting.
import { getOctokit } from '@actions/github';
import { GitHubControlError } from './control.js';
import { startGitHubEmulator, type GitHubEmulator } from './server.js';

let gh: GitHubEmulator;
const TOKEN = 'github_pat_control_test_00000';
const repo = { owner: 'octo-org', repo: 'octo-repo' };
const api = () => getOctokit(TOKEN, { baseUrl: gh.url });

beforeAll(async () => {
  gh = await startGitHubEmulator();
});

beforeEach(async () => {
  await gh.control.reset();
  await gh.control.addRepository({ ...repo, environments: ['prod'] });
  await gh.control.addToken({
    token: TOKEN,
    id: 'ci',
    permissions: { secrets: 'write' },
    repositories: 'all',
  });
});

afterAll(() => gh.close());

test('an http-503 fault applies the given number of times, then requests succeed', async () => {
  await gh.control.fault({
    match: '^GET /repos/[^/]+/[^/]+/actions/secrets/public-key$',
    action: 'http-503',
    times: 1,
  });
  await expect(api().rest.actions.getRepoPublicKey(repo)).rejects.toMatchObject({ status: 503 });
  expect((await api().rest.actions.getRepoPublicKey(repo)).status).toBe(200);
  const log = await gh.control.log();
  expect(log.map((e) => [e.status, e.fault ?? null])).toEqual([
    [503, 'http-503'],
    [200, null],
  ]);
});

test('http-500 and reset faults; clearFaults removes them', async () => {
  await gh.control.fault({ match: '^PUT ', action: 'http-500' });
  await gh.control.fault({ match: 'public-key', action: 'reset' });
  await expect(
    api().rest.actions.createOrUpdateRepoSecret({
      ...repo,
      secret_name: 'X',
      encrypted_value: 'AAAA',
      key_id: '1',
    }),
  ).rejects.toMatchObject({ status: 500 });
  await expect(api().rest.actions.getRepoPublicKey(repo)).rejects.toThrow();
  await gh.control.clearFaults();
  expect((await api().rest.actions.getRepoPublicKey(repo)).status).toBe(200);
});

test('delay faults and latency slow requests down', async () => {
  await gh.control.fault({ match: 'public-key', action: 'delay', delayMs: 150, times: 1 });
  let start = Date.now();
  await api().rest.actions.getRepoPublicKey(repo);
  expect(Date.now() - start).toBeGreaterThanOrEqual(140);

  await gh.control.latency(100);
  start = Date.now();
  await api().rest.repos.get(repo);
  expect(Date.now() - start).toBeGreaterThanOrEqual(90);
  await gh.control.latency(0);
});

test('the log names the token by id, never by value', async () => {
  await api().rest.actions.getRepoPublicKey(repo);
  await expect(
    getOctokit('github_pat_unknown', { baseUrl: gh.url }).rest.repos.get(repo),
  ).rejects.toMatchObject({
    status: 401,
  });
  const log = await gh.control.log();
  expect(log).toEqual([
    expect.objectContaining({
      method: 'GET',
      path: '/repos/octo-org/octo-repo/actions/secrets/public-key',
      status: 200,
      tokenId: 'ci',
    }),
    expect.objectContaining({ status: 401, tokenId: null }),
  ]);
  expect(JSON.stringify(log)).not.toContain(TOKEN);
  await gh.control.clearLog();
  expect(await gh.control.log()).toEqual([]);
});

test('seeded secrets update with 204, and revoked tokens get 401', async () => {
  await gh.control.putSecret({ scope: 'repository', ...repo }, 'seeded', 'old');
  const { data: key } = await api().rest.actions.getRepoPublicKey(repo);
  expect((await gh.control.secrets())[0]).toMatchObject({ name: 'SEEDED', value: 'old', key_id: key.key_id });
  expect((await gh.control.publicKey({ scope: 'repository', ...repo })).key_id).toBe(key.key_id);
  await gh.control.revokeToken('ci');
  await expect(api().rest.actions.getRepoPublicKey(repo)).rejects.toMatchObject({ status: 401 });
});

test('control-plane mistakes are reported', async () => {
  await expect(gh.control.addEnvironment('octo-org', 'missing', 'prod')).rejects.toBeInstanceOf(
    GitHubControlError,
  );
  await expect(gh.control.fault({ match: '(', action: 'reset' })).rejects.toThrow(/invalid "match"/);
  await expect(
    gh.control.rotatePublicKey({ scope: 'environment', ...repo, environment: 'nope' }),
  ).rejects.toThrow(/unknown environment/);
});
