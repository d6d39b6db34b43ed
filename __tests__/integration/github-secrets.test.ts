// src/github/secrets.ts against the GitHub emulator, over real HTTP with the real Octokit (@actions/github) and
// libsodium: what the writer seals must decrypt on GitHub's side to the exact value, and every refusal GitHub
// can give must come back as a clear ActionError that never carries the token.

import { generateKeyPairSync } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import { ActionError, WriteError } from '../../src/errors.js';
import {
  type PreparedDestination,
  SecretWriter,
  type SecretWriterOptions,
  seal,
} from '../../src/github/secrets.js';
import type { Destination } from '../../src/github/destinations.js';
import type { StoredSecret } from '../emulators/github/control.js';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { actionErrorOf } from '../harness/errors.js';

const TOKENS = {
  writer: 'ghs_writer0123456789abcdefghijklmnopq',
  readOnly: 'github_pat_readonly_0123456789abcdef',
  noEnvironments: 'github_pat_noenvironments_0123456789',
  repoSecretsOnly: 'ghs_reposecretsonly0123456789abcdefgh',
  unknown: 'ghs_unknown0123456789abcdefghijklmnopq',
};
const ALL_TOKENS = Object.values(TOKENS);

const fast: SecretWriterOptions = { sleep: async () => {} };

let gh: GitHubEmulator;
let libId: number;
let appId: number;

/** A multi-line value with the characters a PEM and JSON make interesting. */
const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

const repository = (secretName: string): Destination => ({
  kind: 'repository',
  owner: 'acme',
  repo: 'app',
  secretName,
});
const environment = (secretName: string, env = 'stage/eu'): Destination => ({
  kind: 'environment',
  owner: 'acme',
  repo: 'app',
  environment: env,
  secretName,
});
const organization = (
  secretName: string,
  visibility: 'all' | 'private' | 'selected' = 'selected',
  selectedRepositories: string[] = visibility === 'selected' ? ['app', 'lib'] : [],
): Destination => ({ kind: 'organization', org: 'acme', secretName, visibility, selectedRepositories });

function writer(token = TOKENS.writer, options: SecretWriterOptions = fast): SecretWriter {
  return new SecretWriter({ token, apiUrl: gh.url }, options);
}

async function stored(name: string): Promise<StoredSecret[]> {
  return (await gh.control.secrets()).filter((secret) => secret.name === name);
}

/** The ActionError a promise rejects with; also checks that no token appears in anything it carries. */
async function actionError(promise: Promise<unknown>): Promise<ActionError> {
  const error = await actionErrorOf(promise);
  const visible = [error.render(), error.stack ?? '', String(error.hint ?? '')].join('\n');
  for (const token of ALL_TOKENS) expect(visible).not.toContain(token);
  return error;
}

/** Status codes of the REST requests (not the control plane) since the last clearLog(). */
async function requests(): Promise<string[]> {
  return (await gh.control.log()).map(
    (entry) => `${entry.method} ${entry.path.split('?')[0]} ${entry.status}`,
  );
}

beforeAll(async () => {
  await sodium.ready;
  gh = await startGitHubEmulator();
  const c = gh.control;
  await c.addOrganization({ org: 'acme' });
  appId = (await c.addRepository({ owner: 'acme', repo: 'app', environments: ['production', 'stage/eu'] }))
    .id;
  libId = (await c.addRepository({ owner: 'acme', repo: 'lib' })).id;
  await c.addToken({
    token: TOKENS.writer,
    permissions: { secrets: 'write', environments: 'write', organization_secrets: 'write' },
    repositories: ['acme/app', 'acme/lib'],
    organizations: ['acme'],
  });
  await c.addToken({
    token: TOKENS.readOnly,
    permissions: { secrets: 'read', environments: 'read' },
    repositories: ['acme/app'],
  });
  await c.addToken({
    token: TOKENS.noEnvironments,
    permissions: { secrets: 'write' },
    repositories: ['acme/app'],
  });
  await c.addToken({
    token: TOKENS.repoSecretsOnly,
    permissions: { secrets: 'write' },
    repositories: ['acme/app', 'acme/lib'],
    organizations: ['acme'],
  });
});

afterEach(async () => {
  await gh.control.clearFaults();
});

afterAll(async () => {
  await gh.close();
});

describe('seal', () => {
  it('is a libsodium sealed box for the key, in standard base64 with padding', async () => {
    const pair = sodium.crypto_box_keypair();
    const key = sodium.to_base64(pair.publicKey, sodium.base64_variants.ORIGINAL);
    const sealed = await seal(PEM, key);
    expect(sealed).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(sealed.length % 4).toBe(0);
    const opened = sodium.crypto_box_seal_open(
      sodium.from_base64(sealed, sodium.base64_variants.ORIGINAL),
      pair.publicKey,
      pair.privateKey,
    );
    expect(sodium.to_string(opened)).toBe(PEM);
  });
});

describe('SecretWriter', () => {
  it('writes a repository secret: created, then updated, decrypting to the exact value', async () => {
    const w = writer();
    const destination = repository('REPO_KEY');
    expect(await w.metadata(destination)).toBeUndefined();

    const prepared = await w.prepare(destination);
    expect(prepared.publicKey).toEqual(
      await gh.control.publicKey({ scope: 'repository', owner: 'acme', repo: 'app' }).then((k) => ({
        keyId: k.key_id,
        key: k.key,
      })),
    );
    expect(await w.write(prepared, PEM, new Date())).toMatchObject({ result: 'created', confirmed: true });
    expect(await stored('REPO_KEY')).toEqual([
      expect.objectContaining({ scope: 'repository', owner: 'acme', repo: 'app', value: PEM }),
    ]);
    const first = await w.metadata(destination);
    expect(first).toEqual({ name: 'REPO_KEY', updatedAt: expect.any(String) });

    await new Promise((resolve) => setTimeout(resolve, 1100)); // GitHub's timestamps have whole seconds
    expect(await w.write(prepared, 'second value', new Date())).toMatchObject({
      result: 'updated',
      confirmed: true,
    });
    const [secret] = await stored('REPO_KEY');
    expect(secret?.value).toBe('second value');
    const second = await w.metadata(destination);
    expect(second?.updatedAt).toBe(secret?.updated_at);
    expect(Date.parse(second?.updatedAt ?? '')).toBeGreaterThan(Date.parse(first?.updatedAt ?? ''));
  });

  it('writes an environment secret (the name URL-encoded) that only that environment holds', async () => {
    const w = writer();
    const prepared = await w.prepare(environment('ENV_KEY'));
    expect(await w.write(prepared, PEM, new Date())).toMatchObject({ result: 'created', confirmed: true });
    expect(await w.write(prepared, PEM, new Date())).toMatchObject({ result: 'updated', confirmed: true });
    expect(await stored('ENV_KEY')).toEqual([
      expect.objectContaining({
        scope: 'environment',
        owner: 'acme',
        repo: 'app',
        environment: 'stage/eu',
        value: PEM,
      }),
    ]);
    expect((await w.metadata(environment('ENV_KEY')))?.updatedAt).toEqual(expect.any(String));
    expect(await w.metadata(environment('ENV_KEY', 'production'))).toBeUndefined();
    expect(await w.metadata(repository('ENV_KEY'))).toBeUndefined();
  });

  it('writes an organization secret for selected repositories, resolved to their ids', async () => {
    const w = writer();
    const prepared = await w.prepare(organization('ORG_KEY'));
    expect(prepared.selectedRepositoryIds).toEqual([appId, libId]);
    expect(await w.write(prepared, PEM, new Date())).toMatchObject({ result: 'created', confirmed: true });
    expect(await stored('ORG_KEY')).toEqual([
      expect.objectContaining({
        scope: 'organization',
        org: 'acme',
        value: PEM,
        visibility: 'selected',
        selected_repository_ids: [appId, libId],
      }),
    ]);
    expect((await w.metadata(organization('ORG_KEY')))?.name).toBe('ORG_KEY');
  });

  it('writes an organization secret visible to all repositories', async () => {
    const w = writer();
    const prepared = await w.prepare(organization('ORG_ALL', 'all'));
    expect(prepared.selectedRepositoryIds).toBeUndefined();
    expect(await w.write(prepared, 'x', new Date())).toMatchObject({ result: 'created', confirmed: true });
    const [secret] = await stored('ORG_ALL');
    expect(secret).toMatchObject({ value: 'x', visibility: 'all' });
    expect(secret?.selected_repository_ids ?? []).toEqual([]);
  });

  it('recovers from a public key rotated between prepare and write by fetching the key once more', async () => {
    const w = writer();
    const prepared = await w.prepare(repository('ROTATED_KEY'));
    const rotated = await gh.control.rotatePublicKey({ scope: 'repository', owner: 'acme', repo: 'app' });
    expect(rotated.key_id).not.toBe(prepared.publicKey.keyId);
    await prepared.existing;
    await gh.control.clearLog();

    expect(await w.write(prepared, PEM, new Date())).toMatchObject({ result: 'created', confirmed: true });
    const [secret] = await stored('ROTATED_KEY');
    expect(secret).toMatchObject({ value: PEM, key_id: rotated.key_id });
    expect(await requests()).toEqual([
      'PUT /repos/acme/app/actions/secrets/ROTATED_KEY 422',
      'GET /repos/acme/app/actions/secrets/public-key 200',
      'PUT /repos/acme/app/actions/secrets/ROTATED_KEY 201',
      // The secret's metadata, read back to confirm the write.
      'GET /repos/acme/app/actions/secrets/ROTATED_KEY 200',
    ]);
  });

  it('does not loop when GitHub keeps refusing the value: one refetch, then a clear 422 error', async () => {
    const w = writer();
    const prepared = await w.prepare(repository('BROKEN_KEY'));
    // A key GitHub does not know under the current id: refetching gives the same id, so the writer gives up.
    const wrong = sodium.to_base64(sodium.crypto_box_keypair().publicKey, sodium.base64_variants.ORIGINAL);
    await prepared.existing;
    await gh.control.clearLog();
    const error = await actionError(
      w.write({ ...prepared, publicKey: { ...prepared.publicKey, key: wrong } }, PEM, new Date()),
    );
    expect(error.code).toBe('422');
    expect(error.render()).toContain(
      'GitHub refused to write the secret of repository:acme/app:BROKEN_KEY (422 ',
    );
    expect(await requests()).toEqual([
      'PUT /repos/acme/app/actions/secrets/BROKEN_KEY 422',
      'GET /repos/acme/app/actions/secrets/public-key 200',
    ]);
    expect(await stored('BROKEN_KEY')).toEqual([]);
  });

  describe('refusals', () => {
    it('names the permission GitHub asks for when the token may read but not write secrets', async () => {
      const w = writer(TOKENS.readOnly);
      const prepared = await w.prepare(repository('DENIED'));
      const error = await actionError(w.write(prepared, PEM, new Date()));
      expect(error.code).toBe('403');
      const text = error.render();
      expect(text).toContain("'github-token' may not write the secret of repository:acme/app:DENIED (403 ");
      expect(text).toContain('Resource not accessible by personal access token');
      expect(text).toContain('GitHub requires the permission Secrets: write');
      expect(text).toContain('permission-secrets: write');
      expect(await stored('DENIED')).toEqual([]);
    });

    it('names both permissions for an environment secret written without Environments', async () => {
      const error = await actionError(writer(TOKENS.noEnvironments).prepare(environment('DENIED')));
      expect(error.code).toBe('403');
      const text = error.render();
      expect(text).toMatch(/GitHub requires the permission Secrets: \w+ and Environments: \w+/);
      expect(text).toContain('permission-secrets: write, permission-environments: write');
    });

    it('names Organization secrets for an organization secret', async () => {
      const error = await actionError(writer(TOKENS.repoSecretsOnly).prepare(organization('DENIED', 'all')));
      expect(error.code).toBe('403');
      const text = error.render();
      expect(text).toContain('Resource not accessible by integration');
      expect(text).toMatch(/GitHub requires the permission Organization secrets: \w+/);
      expect(text).toContain('permission-organization-secrets: write');
      expect(text).not.toContain('permission-secrets:');
    });

    it('reports an unknown environment as a 404 naming the environment', async () => {
      const error = await actionError(writer().prepare(environment('X', 'qa')));
      expect(error.code).toBe('404');
      const text = error.render();
      expect(text).toContain("GitHub found no environment 'qa' in acme/app");
      expect(text).toContain("Check that the environment 'qa' exists in acme/app");
    });

    it('reports an unknown repository and an unknown organization as 404s', async () => {
      const repo = await actionError(
        writer().prepare({ kind: 'repository', owner: 'acme', repo: 'nope', secretName: 'X' }),
      );
      expect(repo.code).toBe('404');
      expect(repo.render()).toContain('GitHub found no repository acme/nope');
      const org = await actionError(
        writer().prepare({
          kind: 'organization',
          org: 'nobody',
          secretName: 'X',
          visibility: 'all',
          selectedRepositories: [],
        }),
      );
      expect(org.code).toBe('404');
      expect(org.render()).toContain('GitHub found no organization nobody');
    });

    it('reports a token GitHub does not accept as a 401', async () => {
      const error = await actionError(writer(TOKENS.unknown).prepare(repository('X')));
      expect(error.code).toBe('401');
      const text = error.render();
      expect(text).toContain("GitHub rejected 'github-token'");
      expect(text).toContain('401 Bad credentials');
      expect(text).toContain('invalid or has expired');
    });
  });

  describe('transient failures', () => {
    it('retries a request answered once by 503, and succeeds', async () => {
      await gh.control.fault({
        match: '^PUT /repos/acme/app/actions/secrets/',
        action: 'http-503',
        times: 1,
      });
      const sleeps: number[] = [];
      const w = writer(TOKENS.writer, {
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      });
      const prepared = await w.prepare(repository('RETRIED'));
      await prepared.existing;
      await gh.control.clearLog();
      expect(await w.write(prepared, PEM, new Date())).toMatchObject({ result: 'created', confirmed: true });
      expect(sleeps).toHaveLength(1);
      expect(await requests()).toEqual([
        'PUT /repos/acme/app/actions/secrets/RETRIED 503',
        'PUT /repos/acme/app/actions/secrets/RETRIED 201',
        'GET /repos/acme/app/actions/secrets/RETRIED 200',
      ]);
      expect((await stored('RETRIED'))[0]?.value).toBe(PEM);
    });

    it('fails after the configured attempts when GitHub keeps answering 500', async () => {
      await gh.control.fault({ match: '/public-key$', action: 'http-500' });
      await gh.control.clearLog();
      const error = await actionError(
        writer(TOKENS.writer, { ...fast, attempts: 4 }).prepare(repository('X')),
      );
      expect(error.code).toBe('500');
      expect(error.render()).toContain(
        'GitHub answered 500 when trying to read the public key of repository:acme/app:X',
      );
      expect((await requests()).filter((r) => r.includes('/public-key'))).toEqual(
        Array(4).fill('GET /repos/acme/app/actions/secrets/public-key 500'),
      );
    });

    it('fails with "Could not reach GitHub" when the connection keeps dropping', async () => {
      await gh.control.fault({ match: '/public-key$', action: 'reset' });
      await gh.control.clearLog();
      const error = await actionError(
        writer(TOKENS.writer, { ...fast, attempts: 2 }).prepare(repository('X')),
      );
      expect(error.code).toBe('github-network');
      expect(error.render()).toContain(
        'Could not reach GitHub to read the public key of repository:acme/app:X',
      );
      expect((await requests()).filter((r) => r.includes('/public-key'))).toHaveLength(2);
    });

    it('gives up on a request that does not answer within the timeout; the metadata shows the value stored', async () => {
      const w = new SecretWriter({ token: TOKENS.writer, apiUrl: gh.url, requestTimeoutMs: 1000 }, fast);
      const prepared = await w.prepare(repository('STALLED'));
      // The emulator stores the value, then holds the reply back for 30 s: the reply is what is lost.
      await gh.control.fault({
        match: '^PUT /repos/acme/app/actions/secrets/STALLED$',
        action: 'delay',
        delayMs: 30_000,
        after: true,
      });
      const started = Date.now();
      const written = await w.write(prepared, PEM, new Date());
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(written).toEqual({
        result: 'created',
        confirmed: true,
        updatedAt: (await stored('STALLED'))[0]?.updated_at,
        replyLost: expect.stringContaining(
          'Could not reach GitHub to write the secret of repository:acme/app:STALLED',
        ),
      });
      expect((await stored('STALLED'))[0]?.value).toBe(PEM);
      await gh.control.clearFaults();
    });
  });

  describe("a write whose reply is lost, settled by the secret's metadata", () => {
    const LONG_AGO = '2024-01-02T03:04:05Z';
    const PUT = (name: string): string => `^PUT /repos/acme/app/actions/secrets/${name}$`;
    const seed = (name: string, value: string, updatedAt?: string): Promise<void> =>
      gh.control.putSecret({ scope: 'repository', owner: 'acme', repo: 'app' }, name, value, {
        updated_at: updatedAt,
      });
    /** A writer prepared for the secret, its read of the secret done, the log cleared. */
    async function prepared(name: string): Promise<{ w: SecretWriter; prepared: PreparedDestination }> {
      const w = writer();
      const ready = await w.prepare(repository(name));
      await ready.existing;
      await gh.control.clearLog();
      return { w, prepared: ready };
    }

    it('500 on every attempt, nothing stored, no secret: not written', async () => {
      const { w, prepared: ready } = await prepared('LOST_ABSENT');
      await gh.control.fault({ match: PUT('LOST_ABSENT'), action: 'http-500' });
      const error = await actionError(w.write(ready, PEM, new Date()));
      expect(error).toBeInstanceOf(WriteError);
      expect((error as WriteError).outcome).toBe('not-written');
      expect(error.message).toBe(
        'GitHub answered 500 when trying to write the secret of repository:acme/app:LOST_ABSENT (Server Error); the secret does not exist, so GitHub did not store the value',
      );
      expect(await requests()).toEqual([
        ...Array(3).fill('PUT /repos/acme/app/actions/secrets/LOST_ABSENT 500'),
        'GET /repos/acme/app/actions/secrets/LOST_ABSENT 404',
      ]);
      expect(await stored('LOST_ABSENT')).toEqual([]);
    });

    it('503 on every attempt, nothing stored, a secret set long ago: not written, the secret unchanged', async () => {
      await seed('LOST_OLD', 'previous', LONG_AGO);
      const { w, prepared: ready } = await prepared('LOST_OLD');
      await gh.control.fault({ match: PUT('LOST_OLD'), action: 'http-503' });
      const error = await actionError(w.write(ready, PEM, new Date()));
      expect((error as WriteError).outcome).toBe('not-written');
      expect(error.message).toContain(
        `(Service Unavailable); the secret was last updated at ${LONG_AGO}, before this write began, so GitHub did not store the value`,
      );
      expect(await stored('LOST_OLD')).toEqual([
        expect.objectContaining({ value: 'previous', updated_at: LONG_AGO }),
      ]);
    });

    it("the write's start is the caller's clock: a secret set just now predates a write that began later", async () => {
      await seed('LOST_CLOCK', 'previous');
      const { w, prepared: ready } = await prepared('LOST_CLOCK');
      await gh.control.fault({ match: PUT('LOST_CLOCK'), action: 'http-500' });
      const later = new Date(Date.now() + 10 * 60_000);
      const error = await actionError(w.write(ready, PEM, later));
      expect((error as WriteError).outcome).toBe('not-written');
    });

    it('500 on every attempt, nothing stored, but the secret was set moments before: the outcome is unknown', async () => {
      // Unchanged since it was read before the write, but GitHub's times have whole seconds: a write landing
      // in the second of the one before would not change updated_at. Only a time older than the write's start
      // (allowing for clock skew) proves the write did not land.
      await seed('LOST_RECENT', 'previous');
      const { w, prepared: ready } = await prepared('LOST_RECENT');
      await gh.control.fault({ match: PUT('LOST_RECENT'), action: 'http-500' });
      const error = await actionError(w.write(ready, PEM, new Date()));
      expect((error as WriteError).outcome).toBe('unknown');
      expect(error.message).toMatch(
        /; the secret was last updated at \S+, around the time this write began, so whether it holds this value cannot be told: the outcome is unknown$/,
      );
      expect((await stored('LOST_RECENT'))[0]?.value).toBe('previous');
    });

    it('500 after storing (the reply lost) on a secret set long ago: written, counted as an update', async () => {
      await seed('LOST_REPLY', 'previous', LONG_AGO);
      const { w, prepared: ready } = await prepared('LOST_REPLY');
      await gh.control.fault({ match: PUT('LOST_REPLY'), action: 'http-500', after: true });
      const written = await w.write(ready, PEM, new Date());
      const [secret] = await stored('LOST_REPLY');
      expect(secret?.value).toBe(PEM);
      expect(written).toEqual({
        result: 'updated',
        confirmed: true,
        updatedAt: secret?.updated_at,
        replyLost:
          'GitHub answered 500 when trying to write the secret of repository:acme/app:LOST_REPLY (Server Error)',
      });
    });

    it('a dropped connection, nothing stored: unknown, since a request without an answer may still land', async () => {
      const { w, prepared: ready } = await prepared('LOST_RESET');
      await gh.control.fault({ match: PUT('LOST_RESET'), action: 'reset' });
      const error = await actionError(w.write(ready, PEM, new Date()));
      expect((error as WriteError).outcome).toBe('unknown');
      expect(error.message).toMatch(
        /^Could not reach GitHub to write the secret of repository:acme\/app:LOST_RESET .*; the secret does not exist, but a request that got no answer may still be carried out, so the outcome is unknown$/,
      );
    });

    it('500 on the write and on the read back: unknown', async () => {
      const { w, prepared: ready } = await prepared('LOST_UNREAD');
      await gh.control.fault({ match: PUT('LOST_UNREAD'), action: 'http-500' });
      await gh.control.fault({
        match: '^GET /repos/acme/app/actions/secrets/LOST_UNREAD$',
        action: 'http-503',
      });
      const error = await actionError(w.write(ready, PEM, new Date()));
      expect((error as WriteError).outcome).toBe('unknown');
      expect(error.message).toContain(
        '(Server Error); reading the secret back to learn whether it was stored failed too (GitHub answered 503 when trying to read the secret of repository:acme/app:LOST_UNREAD (Service Unavailable)), so the outcome is unknown',
      );
    });
  });
});
