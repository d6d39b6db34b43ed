// The emulator's REST surface, driven by the real Octokit from @actions/github and values sealed with
// libsodium exactly as a client seals them.
import { getOctokit } from '@actions/github';
import sodium from 'libsodium-wrappers';
import { startGitHubEmulator, type GitHubEmulator } from './server.js';

type Octokit = ReturnType<typeof getOctokit>;

let gh: GitHubEmulator;
const octokit = (token: string): Octokit =>
  getOctokit(token, { baseUrl: gh.url, headers: { 'x-github-api-version': '2022-11-28' } });

const TOKENS = {
  writer: 'github_pat_writer_0000000000',
  noSecrets: 'github_pat_nosecrets_000000',
  secretsOnly: 'github_pat_secretsonly_0000',
  otherRepo: 'github_pat_otherrepo_000000',
  app: 'ghs_appinstallation00000000',
  org: 'github_pat_org_000000000000',
};

/** What a client does: decode the standard-base64 key, seal, encode as standard base64. */
function sealFor(key: string, value: string): string {
  const pk = sodium.from_base64(key, sodium.base64_variants.ORIGINAL);
  return sodium.to_base64(
    sodium.crypto_box_seal(sodium.from_string(value), pk),
    sodium.base64_variants.ORIGINAL,
  );
}

/** A route string without its typed parameters, to send requests the types would refuse. */
const untyped = (route: string): string => route;

/** The HTTP error Octokit throws, with status, body and headers. */
async function failure(p: Promise<unknown>): Promise<{
  status: number;
  data: { message: string; documentation_url: string; status: string };
  headers: Record<string, string | undefined>;
}> {
  try {
    await p;
  } catch (e) {
    const err = e as { status: number; response: { data: never; headers: Record<string, string> } };
    return { status: err.status, data: err.response.data, headers: err.response.headers };
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  await sodium.ready;
  gh = await startGitHubEmulator();
  const c = gh.control;
  await c.addOrganization({ org: 'octo-org', id: 65 });
  await c.addRepository({
    owner: 'octo-org',
    repo: 'octo-repo',
    id: 74,
    environments: ['Production', 'stage/eu'],
  });
  await c.addRepository({ owner: 'octo-org', repo: 'other' });
  await c.addRepository({ owner: 'octo-org', repo: 'public-repo', private: false });
  const repoPerms = {
    secrets: 'write',
    environments: 'write',
    actions_variables: 'write',
    actions: 'read',
  } as const;
  await c.addToken({
    token: TOKENS.writer,
    id: 'writer',
    permissions: repoPerms,
    repositories: ['octo-org/octo-repo'],
  });
  await c.addToken({
    token: TOKENS.noSecrets,
    permissions: { actions_variables: 'write' },
    repositories: ['octo-org/octo-repo', 'octo-org/public-repo'],
  });
  await c.addToken({ token: TOKENS.secretsOnly, permissions: { secrets: 'write' }, repositories: 'all' });
  await c.addToken({ token: TOKENS.otherRepo, permissions: repoPerms, repositories: ['octo-org/other'] });
  await c.addToken({ token: TOKENS.app, permissions: { secrets: 'read' }, repositories: 'all' });
  await c.addToken({
    token: TOKENS.org,
    permissions: { organization_secrets: 'write', organization_actions_variables: 'write' },
    organizations: ['octo-org'],
  });
});

afterAll(() => gh.close());

describe('repository secrets', () => {
  const repo = { owner: 'octo-org', repo: 'octo-repo' };
  /** PUTs a secret of the test's repository: the value as given (sealed or not), with that key id. */
  const putRepoSecret = (api: Octokit, secret_name: string, encrypted_value: string, key_id: string) =>
    api.rest.actions.createOrUpdateRepoSecret({ ...repo, secret_name, encrypted_value, key_id });

  test('a sealed value round-trips: 201 created, 204 updated, the control plane sees the plaintext', async () => {
    const api = octokit(TOKENS.writer);
    const { data: key } = await api.rest.actions.getRepoPublicKey(repo);
    expect(Buffer.from(key.key, 'base64')).toHaveLength(32);

    const created = await putRepoSecret(
      api,
      'snowflake_private_key',
      sealFor(key.key, 'first value'),
      key.key_id,
    );
    expect(created.status).toBe(201);
    const updated = await putRepoSecret(
      api,
      'SNOWFLAKE_PRIVATE_KEY',
      sealFor(key.key, 'second value'),
      key.key_id,
    );
    expect(updated.status).toBe(204);

    const stored = (await gh.control.secrets()).filter((s) => s.name === 'SNOWFLAKE_PRIVATE_KEY');
    expect(stored).toEqual([
      expect.objectContaining({
        scope: 'repository',
        owner: 'octo-org',
        repo: 'octo-repo',
        value: 'second value',
      }),
    ]);

    const { data: meta } = await api.rest.actions.getRepoSecret({
      ...repo,
      secret_name: 'snowflake_private_key',
    });
    expect(Object.keys(meta).sort()).toEqual(['created_at', 'name', 'updated_at']);
    expect(meta.name).toBe('SNOWFLAKE_PRIVATE_KEY');
    expect(meta.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const { data: list } = await api.rest.actions.listRepoSecrets(repo);
    expect(list.secrets.map((s) => s.name)).toContain('SNOWFLAKE_PRIVATE_KEY');
  });

  test('a key_id that went stale after rotation is 422', async () => {
    const api = octokit(TOKENS.writer);
    const { data: old } = await api.rest.actions.getRepoPublicKey(repo);
    const rotated = await gh.control.rotatePublicKey({ scope: 'repository', ...repo });
    expect(rotated.key_id).not.toBe(old.key_id);
    const res = await failure(putRepoSecret(api, 'STALE', sealFor(old.key, 'v'), old.key_id));
    expect(res.status).toBe(422);
    expect(res.data).toEqual({
      message: 'Bad request - validation failed due to an improperly encrypted secret',
      documentation_url: 'https://docs.github.com/rest/actions/secrets#create-or-update-a-repository-secret',
      status: '422',
    });
  });

  test('a value that does not open with the key, bad base64 or a missing key_id is 422', async () => {
    const api = octokit(TOKENS.writer);
    const { data: key } = await api.rest.actions.getRepoPublicKey(repo);
    const stranger = sodium.to_base64(sodium.crypto_box_keypair().publicKey, sodium.base64_variants.ORIGINAL);
    const wrongKey = await failure(putRepoSecret(api, 'X', sealFor(stranger, 'v'), key.key_id));
    expect(wrongKey.status).toBe(422);
    expect(wrongKey.data.message).toMatch(/improperly encrypted/);

    // libsodium's default (URL-safe, unpadded) base64 is what GitHub rejects.
    const urlSafe = sodium.to_base64(
      sodium.crypto_box_seal(
        sodium.from_string('v'),
        sodium.from_base64(key.key, sodium.base64_variants.ORIGINAL),
      ),
    );
    const badBase64 = await failure(putRepoSecret(api, 'X', urlSafe, key.key_id));
    expect(badBase64.status).toBe(422);
    expect(badBase64.data.message).toMatch(/^Invalid request\.\n\n.* does not match /);

    const noKeyId = await failure(
      api.request(untyped('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}'), {
        ...repo,
        secret_name: 'X',
        encrypted_value: sealFor(key.key, 'v'),
      }),
    );
    expect(noKeyId.status).toBe(422);
    expect(noKeyId.data.message).toBe('Invalid request.\n\n"key_id" wasn\'t supplied.');
    expect((await gh.control.secrets()).some((s) => s.name === 'X')).toBe(false);
  });

  test.each(['GITHUB_TOKEN', 'github_x', '1ABC', 'WITH-DASH', 'has space'])(
    'the name %p is rejected',
    async (name) => {
      const api = octokit(TOKENS.writer);
      const { data: key } = await api.rest.actions.getRepoPublicKey(repo);
      const res = await failure(putRepoSecret(api, name, sealFor(key.key, 'v'), key.key_id));
      expect(res.status).toBe(422);
      expect(res.data.message).toMatch(/^Secret names/);
    },
  );

  test('a value over 48 KB is 422; exactly 48 KB is accepted', async () => {
    const api = octokit(TOKENS.writer);
    const { data: key } = await api.rest.actions.getRepoPublicKey(repo);
    const put = (value: string) => putRepoSecret(api, 'BIG', sealFor(key.key, value), key.key_id);
    expect((await put('x'.repeat(48 * 1024))).status).toBe(201);
    expect((await failure(put('x'.repeat(48 * 1024 + 1)))).status).toBe(422);
  });

  test('a token without the secrets permission gets 403 naming the permission it needs', async () => {
    const res = await failure(octokit(TOKENS.noSecrets).rest.actions.getRepoPublicKey(repo));
    expect(res.status).toBe(403);
    expect(res.data.message).toBe('Resource not accessible by personal access token');
    expect(res.headers['x-accepted-github-permissions']).toBe('secrets=read');

    const write = await failure(putRepoSecret(octokit(TOKENS.app), 'X', 'AAAA', '1'));
    expect(write.status).toBe(403);
    expect(write.data.message).toBe('Resource not accessible by integration');
    expect(write.headers['x-accepted-github-permissions']).toBe('secrets=write');
  });

  test('a token that cannot reach a private repository gets 404; a public one 403', async () => {
    const hidden = await failure(octokit(TOKENS.otherRepo).rest.actions.getRepoPublicKey(repo));
    expect(hidden.status).toBe(404);
    expect(hidden.data.message).toBe('Not Found');
    const hiddenRepo = await failure(octokit(TOKENS.otherRepo).rest.repos.get(repo));
    expect(hiddenRepo.status).toBe(404);

    const pub = { owner: 'octo-org', repo: 'public-repo' };
    expect((await octokit(TOKENS.otherRepo).rest.repos.get(pub)).data.private).toBe(false);
    expect((await failure(octokit(TOKENS.otherRepo).rest.actions.getRepoPublicKey(pub))).status).toBe(403);
  });

  test('an unknown token is 401 Bad credentials; an unknown repository 404', async () => {
    const res = await failure(octokit('github_pat_nobody').rest.actions.getRepoPublicKey(repo));
    expect(res.status).toBe(401);
    expect(res.data).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
    const bearer = await fetch(`${gh.url}/repos/octo-org/octo-repo/actions/secrets/public-key`, {
      headers: { authorization: `Bearer ${TOKENS.writer}` },
    });
    expect(bearer.status).toBe(200);
    expect(
      (
        await failure(
          octokit(TOKENS.writer).rest.actions.getRepoPublicKey({ owner: 'octo-org', repo: 'nope' }),
        )
      ).status,
    ).toBe(404);
  });
});

describe('environment secrets', () => {
  const env = { owner: 'octo-org', repo: 'octo-repo' };

  test('an environment whose name needs URL-encoding round-trips', async () => {
    const api = octokit(TOKENS.writer);
    const { data: key } = await api.rest.actions.getEnvironmentPublicKey({
      ...env,
      environment_name: 'stage/eu',
    });
    const { data: repoKey } = await api.rest.actions.getRepoPublicKey(env);
    expect(key.key_id).not.toBe(repoKey.key_id);
    const res = await api.rest.actions.createOrUpdateEnvironmentSecret({
      ...env,
      environment_name: 'stage/eu',
      secret_name: 'SF_KEY',
      encrypted_value: sealFor(key.key, 'env value'),
      key_id: key.key_id,
    });
    expect(res.status).toBe(201);
    expect(await gh.control.secrets()).toContainEqual(
      expect.objectContaining({
        scope: 'environment',
        environment: 'stage/eu',
        name: 'SF_KEY',
        value: 'env value',
      }),
    );
    const { data } = await api.rest.actions.getEnvironmentSecret({
      ...env,
      environment_name: 'stage/eu',
      secret_name: 'sf_key',
    });
    expect(data.name).toBe('SF_KEY');
  });

  test('an unknown environment is 404', async () => {
    const res = await failure(
      octokit(TOKENS.writer).rest.actions.getEnvironmentPublicKey({ ...env, environment_name: 'Nowhere' }),
    );
    expect(res.status).toBe(404);
    expect(res.data.documentation_url).toBe(
      'https://docs.github.com/rest/actions/secrets#get-an-environment-public-key',
    );
  });

  test('environment secrets also need the environments permission', async () => {
    const res = await failure(
      octokit(TOKENS.secretsOnly).rest.actions.createOrUpdateEnvironmentSecret({
        ...env,
        environment_name: 'Production',
        secret_name: 'X',
        encrypted_value: 'AAAA',
        key_id: '1',
      }),
    );
    expect(res.status).toBe(403);
    expect(res.headers['x-accepted-github-permissions']).toBe('secrets=write,environments=write');
  });
});

describe('organization secrets', () => {
  test('visibility selected with repository ids', async () => {
    const api = octokit(TOKENS.org);
    const { data: key } = await api.rest.actions.getOrgPublicKey({ org: 'octo-org' });
    const res = await api.rest.actions.createOrUpdateOrgSecret({
      org: 'octo-org',
      secret_name: 'SHARED_KEY',
      encrypted_value: sealFor(key.key, 'org value'),
      key_id: key.key_id,
      visibility: 'selected',
      selected_repository_ids: [74],
    });
    expect(res.status).toBe(201);
    expect(await gh.control.secrets()).toContainEqual(
      expect.objectContaining({
        scope: 'organization',
        org: 'octo-org',
        name: 'SHARED_KEY',
        value: 'org value',
        visibility: 'selected',
        selected_repository_ids: [74],
      }),
    );
    const { data } = await api.rest.actions.getOrgSecret({ org: 'octo-org', secret_name: 'SHARED_KEY' });
    expect(data.visibility).toBe('selected');
    expect(data.selected_repositories_url).toBe(
      `${gh.url}/orgs/octo-org/actions/secrets/SHARED_KEY/repositories`,
    );
    const { data: repos } = await api.rest.actions.listSelectedReposForOrgSecret({
      org: 'octo-org',
      secret_name: 'SHARED_KEY',
    });
    expect(repos.repositories.map((r) => r.full_name)).toEqual(['octo-org/octo-repo']);

    // Selected without ids is accepted (an empty selection), as in the UI and `gh secret set --no-repos-selected`.
    const empty = await api.rest.actions.createOrUpdateOrgSecret({
      org: 'octo-org',
      secret_name: 'EMPTY_SELECTION',
      encrypted_value: sealFor(key.key, 'v'),
      key_id: key.key_id,
      visibility: 'selected',
    });
    expect(empty.status).toBe(201);
  });

  test('visibility is required, and ids only go with selected', async () => {
    const api = octokit(TOKENS.org);
    const { data: key } = await api.rest.actions.getOrgPublicKey({ org: 'octo-org' });
    const base = {
      org: 'octo-org',
      secret_name: 'X',
      encrypted_value: sealFor(key.key, 'v'),
      key_id: key.key_id,
    };
    const missing = await failure(
      api.request(untyped('PUT /orgs/{org}/actions/secrets/{secret_name}'), base),
    );
    expect(missing.status).toBe(422);
    expect(missing.data.message).toBe('Invalid request.\n\n"visibility" wasn\'t supplied.');
    const idsWithAll = await failure(
      api.rest.actions.createOrUpdateOrgSecret({ ...base, visibility: 'all', selected_repository_ids: [74] }),
    );
    expect(idsWithAll.status).toBe(422);
  });

  test('org endpoints: unknown org 404, token without the organization permission 403', async () => {
    expect((await failure(octokit(TOKENS.org).rest.actions.getOrgPublicKey({ org: 'nope' }))).status).toBe(
      404,
    );
    const res = await failure(octokit(TOKENS.writer).rest.actions.getOrgPublicKey({ org: 'octo-org' }));
    expect(res.status).toBe(403);
    expect(res.headers['x-accepted-github-permissions']).toBe('organization_secrets=read');
  });
});

describe('variables', () => {
  const repo = { owner: 'octo-org', repo: 'octo-repo' };

  test('repository variables: POST 201, POST again 409, PATCH 204, PATCH missing 404', async () => {
    const api = octokit(TOKENS.writer);
    expect(
      (await api.rest.actions.createRepoVariable({ ...repo, name: 'sf_user', value: 'svc' })).status,
    ).toBe(201);
    const again = await failure(
      api.rest.actions.createRepoVariable({ ...repo, name: 'SF_USER', value: 'svc' }),
    );
    expect(again.status).toBe(409);
    expect(again.data.message).toBe('Already exists - Variable already exists');
    expect(
      (await api.rest.actions.updateRepoVariable({ ...repo, name: 'SF_USER', value: 'svc2' })).status,
    ).toBe(204);
    const { data } = await api.rest.actions.getRepoVariable({ ...repo, name: 'sf_user' });
    expect(data).toMatchObject({ name: 'SF_USER', value: 'svc2' });
    expect(
      (await failure(api.rest.actions.updateRepoVariable({ ...repo, name: 'MISSING', value: 'x' }))).status,
    ).toBe(404);
    expect(await gh.control.variables()).toContainEqual(
      expect.objectContaining({ scope: 'repository', name: 'SF_USER', value: 'svc2' }),
    );
  });

  test('environment and organization variables', async () => {
    const api = octokit(TOKENS.writer);
    const created = await api.rest.actions.createEnvironmentVariable({
      ...repo,
      environment_name: 'Production',
      name: 'FINGERPRINT',
      value: 'SHA256:abc',
    });
    expect(created.status).toBe(201);
    const { data } = await api.rest.actions.getEnvironmentVariable({
      ...repo,
      environment_name: 'production',
      name: 'FINGERPRINT',
    });
    expect(data.value).toBe('SHA256:abc');

    const org = octokit(TOKENS.org);
    expect(
      (
        await org.rest.actions.createOrgVariable({
          org: 'octo-org',
          name: 'V',
          value: '1',
          visibility: 'all',
        })
      ).status,
    ).toBe(201);
    expect((await org.rest.actions.getOrgVariable({ org: 'octo-org', name: 'V' })).data).toMatchObject({
      value: '1',
      visibility: 'all',
    });
  });

  test('variables need actions_variables', async () => {
    const res = await failure(octokit(TOKENS.secretsOnly).rest.actions.listRepoVariables(repo));
    expect(res.status).toBe(403);
    expect(res.headers['x-accepted-github-permissions']).toBe('actions_variables=read');
  });
});

describe('repositories, environments, organizations, versions', () => {
  test('GET repository, environment and organization', async () => {
    const api = octokit(TOKENS.writer);
    const { data: repo } = await api.rest.repos.get({ owner: 'octo-org', repo: 'octo-repo' });
    expect(repo).toMatchObject({
      id: 74,
      name: 'octo-repo',
      full_name: 'octo-org/octo-repo',
      private: true,
      owner: { login: 'octo-org', id: 65, type: 'Organization' },
    });
    const { data: env } = await api.rest.repos.getEnvironment({
      owner: 'octo-org',
      repo: 'octo-repo',
      environment_name: 'stage/eu',
    });
    expect(env.name).toBe('stage/eu');
    const { data: org } = await api.rest.orgs.get({ org: 'octo-org' });
    expect(org).toMatchObject({ login: 'octo-org', id: 65 });
  });

  test('API versions: known ones are selected, others are 400; wrong methods and trailing slashes 404', async () => {
    const ok = await fetch(`${gh.url}/orgs/octo-org`, { headers: { 'x-github-api-version': '2026-03-10' } });
    expect(ok.headers.get('x-github-api-version-selected')).toBe('2026-03-10');
    const none = await fetch(`${gh.url}/orgs/octo-org`);
    expect(none.headers.get('x-github-api-version-selected')).toBe('2022-11-28');
    const bad = await fetch(`${gh.url}/orgs/octo-org`, { headers: { 'x-github-api-version': 'v3' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/"v3", is not a supported version/);
    const auth = { authorization: `token ${TOKENS.writer}` };
    expect(
      (await fetch(`${gh.url}/repos/octo-org/octo-repo/actions/secrets/public-key/`, { headers: auth }))
        .status,
    ).toBe(404);
    expect(
      (
        await fetch(`${gh.url}/repos/octo-org/octo-repo/actions/secrets/public-key`, {
          method: 'POST',
          headers: auth,
        })
      ).status,
    ).toBe(404);
  });
});
