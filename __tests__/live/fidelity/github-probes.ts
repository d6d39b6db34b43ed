import sodium from 'libsodium-wrappers';
import { type Octokit, statusOf } from '../clients.js';
import type { Observations, ProbeContext } from './probes.js';

// The GitHub half of the fidelity probes (probes.ts says what a probe is): public keys, secrets and variables
// of the scratch repository and its environment, through GitHub's REST API with the suite's token.

/** Seals a value for GitHub with the scope's public key (libsodium sealed box, standard base64). */
export async function seal(publicKey: string, value: string): Promise<string> {
  await sodium.ready;
  const key = sodium.from_base64(publicKey, sodium.base64_variants.ORIGINAL);
  return sodium.to_base64(
    sodium.crypto_box_seal(sodium.from_string(value), key),
    sodium.base64_variants.ORIGINAL,
  );
}

/** What the GitHub probes address: the scratch repository and its environment, and the run's prefix. */
interface GitHubProbeTarget {
  octokit: Octokit;
  prefix: string;
  repo: { owner: string; repo: string };
  env: { owner: string; repo: string; environment_name: string };
}

type PublicKey = { key_id: string; key: string };

/** The public keys of the repository and its environment (and of an environment that does not exist). */
async function probePublicKeys(
  { octokit, prefix, repo, env }: GitHubProbeTarget,
  o: Observations,
): Promise<{ repoKey: PublicKey; envKey: PublicKey }> {
  const repoKey = await octokit.request('GET /repos/{owner}/{repo}/actions/secrets/public-key', repo);
  o['github.public-key.repository'] = {
    status: repoKey.status,
    fields: Object.keys(repoKey.data).sort(),
    keyBytes: Buffer.from(repoKey.data.key, 'base64').length,
  };
  const envKey = await octokit.request(
    'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
    env,
  );
  o['github.public-key.environment'] = { status: envKey.status, fields: Object.keys(envKey.data).sort() };
  o['github.public-key.missing-environment'] = await statusOf(
    octokit.request('GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key', {
      ...repo,
      environment_name: `${prefix}NO_SUCH_ENVIRONMENT`,
    }),
  );
  return { repoKey: repoKey.data, envKey: envKey.data };
}

/** A repository secret created, updated, read, refused undecryptable, deleted. */
async function probeRepositorySecret(
  { octokit, prefix, repo }: GitHubProbeTarget,
  repoKey: PublicKey,
  o: Observations,
): Promise<void> {
  const name = `${prefix}SECRET`;
  const put = async (value: string): Promise<number> =>
    statusOf(
      octokit.request('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
        ...repo,
        secret_name: name,
        key_id: repoKey.key_id,
        encrypted_value: await seal(repoKey.key, value),
      }),
    );
  o['github.secret.repository.put'] = { create: await put('first value'), update: await put('second value') };
  const meta = await octokit.request('GET /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
    ...repo,
    secret_name: name,
  });
  o['github.secret.repository.get'] = {
    status: meta.status,
    fields: Object.keys(meta.data).sort(),
    name: meta.data.name === name,
    timesAreIso: [meta.data.created_at, meta.data.updated_at].every((t) => !Number.isNaN(Date.parse(t))),
  };
  o['github.secret.repository.undecryptable'] = await statusOf(
    octokit.request('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
      ...repo,
      secret_name: name,
      key_id: repoKey.key_id,
      encrypted_value: Buffer.from('not a sealed box at all, but valid base64').toString('base64'),
    }),
  );
  o['github.secret.repository.delete'] = {
    delete: await statusOf(
      octokit.request('DELETE /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
        ...repo,
        secret_name: name,
      }),
    ),
    getAfter: await statusOf(
      octokit.request('GET /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
        ...repo,
        secret_name: name,
      }),
    ),
  };
}

/** An environment secret created and updated. */
async function probeEnvironmentSecret(
  { octokit, prefix, env }: GitHubProbeTarget,
  envKey: PublicKey,
  o: Observations,
): Promise<void> {
  const envPut = async (value: string): Promise<number> =>
    statusOf(
      octokit.request('PUT /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}', {
        ...env,
        secret_name: `${prefix}SECRET`,
        key_id: envKey.key_id,
        encrypted_value: await seal(envKey.key, value),
      }),
    );
  o['github.secret.environment.put'] = {
    create: await envPut('first value'),
    update: await envPut('second'),
  };
}

/** A repository variable created, created again, updated, read; a missing one updated. */
async function probeRepositoryVariable(
  { octokit, prefix, repo }: GitHubProbeTarget,
  o: Observations,
): Promise<void> {
  const variable = `${prefix}VARIABLE`;
  const create = (value: string): Promise<number> =>
    statusOf(
      octokit.request('POST /repos/{owner}/{repo}/actions/variables', { ...repo, name: variable, value }),
    );
  const created = await create('one');
  const again = await create('two');
  const patched = await statusOf(
    octokit.request('PATCH /repos/{owner}/{repo}/actions/variables/{name}', {
      ...repo,
      name: variable,
      value: 'three',
    }),
  );
  const read = await octokit.request('GET /repos/{owner}/{repo}/actions/variables/{name}', {
    ...repo,
    name: variable,
  });
  o['github.variable.repository'] = {
    create: created,
    createExisting: again,
    update: patched,
    get: read.status,
    value: read.data.value,
    patchMissing: await statusOf(
      octokit.request('PATCH /repos/{owner}/{repo}/actions/variables/{name}', {
        ...repo,
        name: `${prefix}NO_SUCH_VARIABLE`,
        value: 'x',
      }),
    ),
  };
}

/** The GitHub probes. Creates and deletes secrets and variables with the prefix in the scratch repository. */
export async function probeGitHub(ctx: ProbeContext): Promise<Observations> {
  const { octokit, prefix, config } = ctx;
  const o: Observations = {};
  const repo = { owner: config.owner, repo: config.repo };
  const target: GitHubProbeTarget = {
    octokit,
    prefix,
    repo,
    env: { ...repo, environment_name: config.environment },
  };
  const { repoKey, envKey } = await probePublicKeys(target, o);
  await probeRepositorySecret(target, repoKey, o);
  await probeEnvironmentSecret(target, envKey, o);
  await probeRepositoryVariable(target, o);
  return o;
}
