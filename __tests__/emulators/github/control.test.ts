// Control plane: faults, latency, the request log, seeding and resetting.
import { getOctokit } from '@actions/github';
import sodium from 'libsodium-wrappers';
import { GitHubControlError } from './control.js';
import { startGitHubEmulator, type GitHubEmulator } from './server.js';

let gh: GitHubEmulator;
const TOKEN = 'github_pat_control_test_00000';
const repo = { owner: 'octo-org', repo: 'octo-repo' };
const api = () => getOctokit(TOKEN, { baseUrl: gh.url });
/** PUTs a repository secret as it is given (sealed or not), with that key id. */
const putRaw = (secret_name: string, encrypted_value: string, key_id: string) =>
  api().rest.actions.createOrUpdateRepoSecret({ ...repo, secret_name, encrypted_value, key_id });

beforeAll(async () => {
  await sodium.ready;
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
  await expect(putRaw('X', 'AAAA', '1')).rejects.toMatchObject({ status: 500 });
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

test('a seeded secret can be backdated: its metadata shows the time given, in GitHub whole seconds', async () => {
  await gh.control.putSecret({ scope: 'repository', ...repo }, 'old_one', 'v', {
    updated_at: '2024-03-01T10:20:30.456Z',
  });
  const { data } = await api().rest.actions.getRepoSecret({ ...repo, secret_name: 'OLD_ONE' });
  expect(data).toMatchObject({
    name: 'OLD_ONE',
    created_at: '2024-03-01T10:20:30Z',
    updated_at: '2024-03-01T10:20:30Z',
  });
  await expect(
    gh.control.putSecret({ scope: 'repository', ...repo }, 'bad_time', 'v', { updated_at: 'yesterday' }),
  ).rejects.toThrow(/updated_at/);
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

describe('faults after the work (after: true): the request is carried out, the reply is lost', () => {
  const PUT_SECRET = '^PUT /repos/[^/]+/[^/]+/actions/secrets/[^/]+$';

  /** Seals `value` for the repository's current key and PUTs it, as a client does. */
  async function putSecret(name: string, value: string) {
    const { data: key } = await api().rest.actions.getRepoPublicKey(repo);
    const pk = sodium.from_base64(key.key, sodium.base64_variants.ORIGINAL);
    const encrypted = sodium.to_base64(
      sodium.crypto_box_seal(sodium.from_string(value), pk),
      sodium.base64_variants.ORIGINAL,
    );
    return putRaw(name, encrypted, key.key_id);
  }

  const stored = async () => (await gh.control.secrets()).map((s) => [s.name, s.value]);

  test.each(['http-500', 'http-503'] as const)(
    'PUT secret with an after %s: the client sees the error, the secret is stored',
    async (action) => {
      await gh.control.fault({ match: PUT_SECRET, action, after: true, times: 1 });
      await expect(putSecret('AFTER', 'stored-anyway')).rejects.toMatchObject({
        status: action === 'http-500' ? 500 : 503,
      });
      expect(await stored()).toEqual([['AFTER', 'stored-anyway']]);
      const put = (await gh.control.log()).find((e) => e.method === 'PUT');
      expect(put).toMatchObject({
        status: action === 'http-500' ? 500 : 503,
        fault: action,
        faultAfter: true,
        handledStatus: 201,
      });
    },
  );

  test('PUT secret with an after reset: the connection drops, the secret is stored', async () => {
    await gh.control.putSecret({ scope: 'repository', ...repo }, 'after', 'old');
    await gh.control.fault({ match: PUT_SECRET, action: 'reset', after: true, times: 1 });
    const error = await putSecret('AFTER', 'new-value').then(
      () => undefined,
      (e: unknown) => e as { status?: number; message: string },
    );
    expect(error).toBeDefined();
    expect(error?.status).not.toBe(204);
    expect(await stored()).toEqual([['AFTER', 'new-value']]);
    expect((await gh.control.log()).find((e) => e.method === 'PUT')).toMatchObject({
      status: 0,
      fault: 'reset',
      faultAfter: true,
      handledStatus: 204,
    });
  });

  test('a failing request with an after fault stays failed underneath (nothing stored)', async () => {
    await gh.control.fault({ match: PUT_SECRET, action: 'http-500', after: true, times: 1 });
    await expect(putRaw('BROKEN', 'AAAA', 'stale')).rejects.toMatchObject({ status: 500 });
    expect(await stored()).toEqual([]);
    expect((await gh.control.log()).find((e) => e.method === 'PUT')).toMatchObject({ handledStatus: 422 });
  });

  test('skip and after together: the second matching PUT is stored but answered 500', async () => {
    await gh.control.fault({ match: PUT_SECRET, action: 'http-500', after: true, skip: 1, times: 1 });
    expect((await putSecret('FIRST', 'one')).status).toBe(201);
    await expect(putSecret('SECOND', 'two')).rejects.toMatchObject({ status: 500 });
    expect((await putSecret('THIRD', 'three')).status).toBe(201);
    expect((await stored()).sort()).toEqual([
      ['FIRST', 'one'],
      ['SECOND', 'two'],
      ['THIRD', 'three'],
    ]);
    expect((await gh.control.log()).filter((e) => e.method === 'PUT').map((e) => e.status)).toEqual([
      201, 500, 201,
    ]);
  });

  test('an after delay stores first and answers the real response late', async () => {
    await gh.control.fault({ match: PUT_SECRET, action: 'delay', delayMs: 300, after: true, times: 1 });
    let replied = false;
    const pending = putSecret('SLOW', 'late-reply').finally(() => (replied = true));
    // The value is stored while the reply is still held back.
    while ((await stored()).length === 0) await new Promise((r) => setTimeout(r, 10));
    const storedAt = Date.now();
    expect(replied).toBe(false);
    expect(await stored()).toEqual([['SLOW', 'late-reply']]);
    expect((await pending).status).toBe(201);
    expect(Date.now() - storedAt).toBeGreaterThanOrEqual(100);
  });

  test('"after" must be a boolean', async () => {
    await expect(
      gh.control.fault({ match: 'x', action: 'reset', after: 'yes' as unknown as boolean }),
    ).rejects.toThrow(/"after" must be a boolean/);
  });
});

test('echo with echoAs quotes the request as JSON in the encoding asked for', async () => {
  const messageOf = async (): Promise<string> =>
    api()
      .rest.actions.getRepoPublicKey(repo)
      .then(
        () => '',
        (error: { response?: { data?: { message?: string } } }) => error.response?.data?.message ?? '',
      );
  await gh.control.fault({
    match: 'public-key$',
    action: 'http-500',
    echo: 'request',
    echoAs: 'json',
    times: 1,
  });
  expect(await messageOf()).toMatch(
    new RegExp(`^Server Error\n\n\\{"method":"GET",.*"authorization":"token ${TOKEN}"`),
  );
  await gh.control.fault({
    match: 'public-key$',
    action: 'http-500',
    echo: 'request',
    echoAs: 'base64',
    times: 1,
  });
  const quoted = (await messageOf()).split('\n\n')[1] ?? '';
  expect(JSON.parse(Buffer.from(quoted, 'base64').toString('utf8'))).toMatchObject({
    method: 'GET',
    headers: { authorization: `token ${TOKEN}` },
  });
  await expect(gh.control.fault({ match: '.', action: 'http-500', echoAs: 'json' })).rejects.toThrow(
    /"echoAs" needs "echo"/,
  );
});
