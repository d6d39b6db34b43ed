// The runner's OIDC endpoint as @actions/core uses it, and tokens verified against the JWKS with node:crypto.
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import * as core from '@actions/core';
import { startGitHubEmulator, type GitHubEmulator } from './server.js';

let gh: GitHubEmulator;
const saved = {
  url: process.env.ACTIONS_ID_TOKEN_REQUEST_URL,
  token: process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
};

interface Jwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** Verifies an RS256 JWT against the emulator's JWKS, as a relying party would. */
async function verifyJwt(jwt: string): Promise<Jwt> {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
  const { keys } = (await (await fetch(gh.oidc.jwksUrl)).json()) as {
    keys: (JsonWebKey & { kid: string })[];
  };
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`no key ${String(header.kid)} in the JWKS`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  if (!verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) {
    throw new Error('bad signature');
  }
  return { header, claims: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown> };
}

/** core.getIDToken prints ::add-mask:: and debug lines; keep them out of the test output. */
async function getIDToken(audience?: string): Promise<string> {
  const write = process.stdout.write;
  process.stdout.write = () => true;
  try {
    return await core.getIDToken(audience);
  } finally {
    process.stdout.write = write;
  }
}

beforeAll(async () => {
  gh = await startGitHubEmulator();
  await gh.control.addOrganization({ org: 'octo-org', id: 65 });
  await gh.control.addRepository({ owner: 'octo-org', repo: 'octo-repo', id: 74, environments: ['prod'] });
  process.env.ACTIONS_ID_TOKEN_REQUEST_URL = gh.oidc.requestUrl;
});

afterAll(async () => {
  for (const [name, value] of [
    ['ACTIONS_ID_TOKEN_REQUEST_URL', saved.url],
    ['ACTIONS_ID_TOKEN_REQUEST_TOKEN', saved.token],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await gh.close();
});

test('core.getIDToken gets a token that verifies against the JWKS and carries GitHub claims', async () => {
  await gh.control.addIdTokenRequest({
    requestToken: 'runtime-token-prod',
    claims: { repository: 'octo-org/octo-repo', environment: 'prod', ref: 'refs/heads/main', run_id: '42' },
  });
  process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'runtime-token-prod';
  const jwt = await getIDToken('snowflakecomputing.com');
  const { header, claims } = await verifyJwt(jwt);
  expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
  expect(claims).toMatchObject({
    iss: 'https://token.actions.githubusercontent.com',
    aud: 'snowflakecomputing.com',
    sub: 'repo:octo-org/octo-repo:environment:prod',
    environment: 'prod',
    repository: 'octo-org/octo-repo',
    repository_owner: 'octo-org',
    repository_id: '74',
    repository_owner_id: '65',
    ref: 'refs/heads/main',
    run_id: '42',
    event_name: 'push',
    job_workflow_ref: 'octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main',
  });
  const { iat, nbf, exp, jti } = claims as { iat: number; nbf: number; exp: number; jti: string };
  expect(Math.abs(iat - Date.now() / 1000)).toBeLessThan(5);
  expect(exp - iat).toBe(300);
  expect(iat - nbf).toBe(600);
  expect(jti).toMatch(/^[0-9a-f-]{36}$/);

  const log = await gh.control.log();
  expect(log.at(-2)).toMatchObject({ method: 'GET', status: 200, tokenId: 'id-token-request-1' });
  expect(JSON.stringify(log)).not.toContain('runtime-token-prod');
});

test('without an audience the token is for the owner URL', async () => {
  await gh.control.addIdTokenRequest({
    requestToken: 'runtime-token-main',
    claims: { repository: 'octo-org/octo-repo' },
  });
  process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'runtime-token-main';
  const { claims } = await verifyJwt(await getIDToken());
  expect(claims.aud).toBe('https://github.com/octo-org');
  expect(claims.sub).toBe('repo:octo-org/octo-repo:ref:refs/heads/main');
  expect(claims).not.toHaveProperty('environment');
});

test('subjects for pull requests, tags, colons and the immutable format', async () => {
  const sub = async (claims: Parameters<typeof gh.control.mintIdToken>[0]) =>
    (await verifyJwt(await gh.control.mintIdToken(claims))).claims.sub;
  expect(await sub({ repository: 'octo-org/octo-repo', event_name: 'pull_request' })).toBe(
    'repo:octo-org/octo-repo:pull_request',
  );
  expect(await sub({ repository: 'octo-org/octo-repo', ref: 'refs/tags/v1' })).toBe(
    'repo:octo-org/octo-repo:ref:refs/tags/v1',
  );
  expect(await sub({ repository: 'octo-org/octo-repo', environment: 'Production:V1' })).toBe(
    'repo:octo-org/octo-repo:environment:Production%3AV1',
  );
  expect(await sub({ repository: 'octo-org/octo-repo', subject_format: 'immutable' })).toBe(
    'repo:octo-org@65/octo-repo@74:ref:refs/heads/main',
  );
});

test('an unknown runner request token is refused with 401', async () => {
  process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'not-registered';
  await expect(getIDToken('x')).rejects.toThrow(/401/);
});

test('discovery document and token overrides for expired tokens', async () => {
  const config = (await (await fetch(`${gh.url}/.well-known/openid-configuration`)).json()) as Record<
    string,
    unknown
  >;
  expect(config).toMatchObject({
    issuer: 'https://token.actions.githubusercontent.com',
    jwks_uri: gh.oidc.jwksUrl,
    id_token_signing_alg_values_supported: ['RS256'],
  });
  const expired = await gh.control.mintIdToken(
    { repository: 'octo-org/octo-repo', iat: 1_000_000, exp: 1_000_300 },
    'aud',
  );
  const { claims } = await verifyJwt(expired);
  expect(claims).toMatchObject({ aud: 'aud', iat: 1_000_000, exp: 1_000_300, nbf: 999_400 });
  await expect(gh.control.mintIdToken({ repository: 'octo-org/unknown' })).rejects.toThrow(/400/);
});
