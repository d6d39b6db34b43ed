import type { getOctokit } from '@actions/github';
import type Sodium from 'libsodium-wrappers';
import { ActionError, WriteError, quotedReason, wrapError } from '../errors.js';
import {
  type Destination,
  type GitHubSettings,
  apiPath,
  collectionPath,
  describeDestination,
} from './destinations.js';
import { type HttpError, type Resource, httpError, statusOf } from './http-errors.js';

/**
 * Writes GitHub Actions secrets (https://docs.github.com/en/rest/actions/secrets): fetch the destination's
 * public key, seal the value with libsodium's crypto_box_seal, send it as standard base64 with the key's id.
 */

export interface PublicKey {
  keyId: string;
  key: string;
}

/** A destination whose public key (and, for organizations, selected repository ids) has been fetched. */
export interface PreparedDestination {
  destination: Destination;
  publicKey: PublicKey;
  selectedRepositoryIds?: number[];
  /**
   * The secret as it was before this run wrote it, read alongside the public key: what tells a write whose
   * reply was lost from one that did not land (see SecretWriter.write). Never rejects.
   */
  existing?: Promise<ExistingSecret>;
}

export type WriteResult = 'created' | 'updated';

export interface SecretMetadata {
  name: string;
  updatedAt: string;
}

/** The secret before the write: its metadata, `absent` (404), or `unread` (the read failed). */
export type ExistingSecret = SecretMetadata | 'absent' | 'unread';

/** A write GitHub stored, and what its metadata, read back after it, shows. */
export interface WrittenSecret {
  result: WriteResult;
  /** GitHub's `updated_at` of the secret, read after the write; undefined when that read failed. */
  updatedAt?: string;
  /** The metadata shows the secret updated at or after the write began (allowing for CLOCK_SKEW_MS). */
  confirmed: boolean;
  /**
   * GitHub's reply to the write was lost (this is what the last attempt got: a 5xx or no answer), and the
   * metadata shows the secret created or updated since it was read before the write: the value was stored.
   */
  replyLost?: string;
}

/**
 * How far GitHub's clock may be from the runner's. The runner's clock says when a write began; GitHub's
 * `updated_at` says when the secret last changed: an `updated_at` earlier than the write's start by more than
 * this was not set by the write.
 */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The metadata shows a change at or after the write began (allowing for CLOCK_SKEW_MS). */
function updatedSince(metadata: SecretMetadata, startedAt: Date): boolean {
  return Date.parse(metadata.updatedAt) >= startedAt.getTime() - CLOCK_SKEW_MS;
}

/** The metadata shows the last change before the write began, even allowing for CLOCK_SKEW_MS. */
function updatedBefore(metadata: SecretMetadata, startedAt: Date): boolean {
  return Date.parse(metadata.updatedAt) < startedAt.getTime() - CLOCK_SKEW_MS;
}

export interface SecretWriterOptions {
  /** Waits between retries; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts for a request that failed with 5xx or a network error. */
  attempts?: number;
}

/**
 * GitHub ends a REST request that takes more than 10 seconds itself ("Timeouts", docs.github.com/en/rest/
 * using-the-rest-api/troubleshooting-the-rest-api): waiting longer than that and a margin is waiting for
 * an answer that will not come.
 */
const REQUEST_TIMEOUT_MS = 15_000;

const API_VERSION_HEADER = { 'X-GitHub-Api-Version': '2022-11-28' };

type Octokit = ReturnType<typeof getOctokit>;

export class SecretWriter {
  private octokit?: Promise<Octokit>;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly attempts: number;

  constructor(
    private readonly settings: GitHubSettings,
    options: SecretWriterOptions = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.attempts = options.attempts ?? 3;
  }

  /**
   * The toolkit's client, loaded on first use rather than at start-up: it and its HTTP stack are a fifth of
   * the action's start-up time, which a run that writes nothing to GitHub need not pay and a rotation pays
   * while its Snowflake login is in flight (it prepares the destinations then).
   */
  private client(): Promise<Octokit> {
    this.octokit ??= (async () => {
      // One after the other: the two share modules, and Jest's ESM loader fails on overlapping imports in
      // flight together ("request for './context.js' is not in cache").
      const { getOctokit: createOctokit } = await import('@actions/github');
      const { defaults: toolkitDefaults } = await import('@actions/github/lib/utils');
      // Octokit's own retry plugin is not loaded by getOctokit; retries are ours (below), so they are bounded.
      // Octokit has no timeout of its own: a request that never answers would hold the job until the runner
      // kills it. Each request gets a deadline; an aborted one is a network failure, retried like a reset.
      // `request` replaces the toolkit's defaults as a whole (Octokit merges options shallowly), so its
      // proxy-aware fetch (HTTPS_PROXY, NO_PROXY) is passed on explicitly, wrapped with the deadline.
      const timeoutMs = this.settings.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
      const proxyAwareFetch = (toolkitDefaults.request?.fetch as typeof fetch | undefined) ?? fetch;
      const timedFetch: typeof fetch = (url, init) =>
        proxyAwareFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      return createOctokit(this.settings.token, {
        baseUrl: this.settings.apiUrl,
        request: { ...toolkitDefaults.request, retries: 0, fetch: timedFetch },
      });
    })();
    return this.octokit;
  }

  /** Fetches what a write needs; fails here (before anything changes) on a bad token, permission or name. */
  async prepare(destination: Destination): Promise<PreparedDestination> {
    // The sealing library is loaded now too, so that storing the key later does not wait for it.
    // The secret's metadata is read now too, but not waited for: a write needs it only if its reply is lost.
    const existing = this.metadata(destination).then(
      (metadata): ExistingSecret => metadata ?? 'absent',
      (): ExistingSecret => 'unread',
    );
    const [publicKey] = await Promise.all([this.publicKey(destination), loadSodium()]);
    if (destination.kind !== 'organization' || destination.visibility !== 'selected') {
      return { destination, publicKey, existing };
    }
    const selectedRepositoryIds = await Promise.all(
      destination.selectedRepositories.map(async (repo) => {
        const response = await this.call(
          `read repository ${destination.org}/${repo}`,
          destination,
          async () =>
            (await this.client()).request(`GET ${apiPath('repos', destination.org, repo)}`, {
              headers: API_VERSION_HEADER,
            }),
        );
        return Number((response.data as { id?: unknown }).id);
      }),
    );
    return { destination, publicKey, selectedRepositoryIds, existing };
  }

  /**
   * Seals and writes the value, then reads the secret's metadata back to confirm it. A 422 usually means the
   * public key changed since it was fetched (GitHub rotates it): fetch it again and retry once.
   *
   * A write whose reply is lost (a 5xx, or no answer, after the retries) may have been stored all the same.
   * The metadata read back settles it where it can: created or updated since it was read before the write,
   * the value was stored (the write counts as done); absent, or last updated before the write began, it was
   * not, provided every attempt was answered (a request that got no answer may still be carried out after the
   * read). Otherwise, or when the metadata cannot be read, the failure is a WriteError whose outcome is
   * `unknown`; one GitHub answered without storing anything is `not-written`.
   *
   * `startedAt` is the runner's clock when the write began (the caller's clock, so that tests can set it).
   */
  async write(prepared: PreparedDestination, value: string, startedAt: Date): Promise<WrittenSecret> {
    const attempt: WriteAttempt = { uncertain: false, unanswered: false };
    let result: WriteResult;
    try {
      try {
        result = await this.put(prepared, value, attempt);
      } catch (error) {
        if ((error as ActionError).code !== '422') throw error;
        const refreshed = { ...prepared, publicKey: await this.publicKey(prepared.destination) };
        if (refreshed.publicKey.keyId === prepared.publicKey.keyId) throw error;
        result = await this.put(refreshed, value, attempt);
      }
    } catch (error) {
      if (!attempt.uncertain) throw new WriteError(error, 'not-written');
      return this.settle(prepared, error, attempt, startedAt);
    }
    const metadata = await this.metadata(prepared.destination).catch(() => undefined);
    return {
      result,
      updatedAt: metadata?.updatedAt,
      confirmed: metadata !== undefined && updatedSince(metadata, startedAt),
    };
  }

  /** After a write whose reply was lost: what the secret's metadata proves about it (see write). */
  private async settle(
    prepared: PreparedDestination,
    error: unknown,
    attempt: WriteAttempt,
    startedAt: Date,
  ): Promise<WrittenSecret> {
    const { destination } = prepared;
    const outcome = (evidence: string, written: 'not-written' | 'unknown'): WriteError =>
      new WriteError(
        wrapError(error, (reason) => `${reason}; ${evidence}`),
        written,
      );
    let after: SecretMetadata | undefined;
    try {
      after = await this.metadata(destination);
    } catch (readError) {
      throw outcome(
        `reading the secret back to learn whether it was stored failed too (${(readError as Error).message}), so the outcome is unknown`,
        'unknown',
      );
    }
    const before = (await prepared.existing) ?? 'unread';
    // Changed since the read before the write, and not before the write began: another writer's change in
    // between (the read is made while the login is in flight) is not taken for ours.
    const changed =
      after !== undefined &&
      !updatedBefore(after, startedAt) &&
      (before === 'absent' ||
        (before !== 'unread' && Date.parse(after.updatedAt) > Date.parse(before.updatedAt)));
    if (after && changed) {
      return {
        result: before === 'absent' ? 'created' : 'updated',
        updatedAt: after.updatedAt,
        confirmed: true,
        replyLost: quotedReason(error),
      };
    }
    const evidence =
      after === undefined
        ? 'the secret does not exist'
        : `the secret was last updated at ${after.updatedAt}${updatedBefore(after, startedAt) ? ', before this write began' : ''}`;
    if (!attempt.unanswered && (after === undefined || updatedBefore(after, startedAt))) {
      throw outcome(`${evidence}, so GitHub did not store the value`, 'not-written');
    }
    throw outcome(
      attempt.unanswered
        ? `${evidence}, but a request that got no answer may still be carried out, so the outcome is unknown`
        : `${evidence}, around the time this write began, so whether it holds this value cannot be told: the outcome is unknown`,
      'unknown',
    );
  }

  /**
   * Creates or updates an Actions variable beside the destination's secret. GitHub has no upsert: PATCH,
   * then POST when the variable does not exist yet.
   */
  async writeVariable(prepared: PreparedDestination, name: string, value: string): Promise<WriteResult> {
    const { destination } = prepared;
    const body: Record<string, unknown> = { value };
    if (destination.kind === 'organization') {
      body.visibility = destination.visibility;
      if (prepared.selectedRepositoryIds) body.selected_repository_ids = prepared.selectedRepositoryIds;
    }
    const action = `write the variable ${name}`;
    try {
      await this.call(
        action,
        destination,
        async () =>
          (await this.client()).request(`PATCH ${collectionPath(destination, 'variables', name)}`, {
            ...body,
            headers: API_VERSION_HEADER,
          }),
        undefined,
        'variable',
      );
      return 'updated';
    } catch (error) {
      if ((error as ActionError).code !== '404') throw error;
    }
    await this.call(
      action,
      destination,
      async () =>
        (await this.client()).request(`POST ${collectionPath(destination, 'variables')}`, {
          name,
          ...body,
          headers: API_VERSION_HEADER,
        }),
      undefined,
      'variable',
    );
    return 'created';
  }

  /** The value of the Actions variable `name` beside the destination's secret, or undefined when there is none. */
  async readVariable(destination: Destination, name: string): Promise<string | undefined> {
    try {
      const response = await this.call(
        `read the variable ${name}`,
        destination,
        async () =>
          (await this.client()).request(`GET ${collectionPath(destination, 'variables', name)}`, {
            headers: API_VERSION_HEADER,
          }),
        undefined,
        'variable',
      );
      return String((response.data as { value?: unknown }).value ?? '');
    } catch (error) {
      if ((error as ActionError).code === '404') return undefined;
      throw error;
    }
  }

  /** The secret's metadata (never its value), or undefined when it does not exist. */
  async metadata(destination: Destination): Promise<SecretMetadata | undefined> {
    try {
      const response = await this.call('read the secret', destination, async () =>
        (await this.client()).request(
          `GET ${collectionPath(destination, 'secrets', destination.secretName)}`,
          { headers: API_VERSION_HEADER },
        ),
      );
      const data = response.data as { name: string; updated_at: string };
      return { name: data.name, updatedAt: data.updated_at };
    } catch (error) {
      if ((error as ActionError).code === '404') return undefined;
      throw error;
    }
  }

  private async publicKey(destination: Destination): Promise<PublicKey> {
    const response = await this.call('read the public key', destination, async () =>
      (await this.client()).request(`GET ${collectionPath(destination, 'secrets', 'public-key')}`, {
        headers: API_VERSION_HEADER,
      }),
    );
    const data = response.data as { key_id?: unknown; key?: unknown };
    if (typeof data.key_id !== 'string' || typeof data.key !== 'string') {
      throw new ActionError(
        `GitHub returned a malformed public key for ${describeDestination(destination)}`,
        {
          code: 'github-malformed-response',
        },
      );
    }
    return { keyId: data.key_id, key: data.key };
  }

  private async put(
    prepared: PreparedDestination,
    value: string,
    attempt: WriteAttempt,
  ): Promise<WriteResult> {
    const { destination } = prepared;
    const body: Record<string, unknown> = {
      encrypted_value: await seal(value, prepared.publicKey.key),
      key_id: prepared.publicKey.keyId,
    };
    if (destination.kind === 'organization') {
      body.visibility = destination.visibility;
      if (prepared.selectedRepositoryIds) body.selected_repository_ids = prepared.selectedRepositoryIds;
    }
    const response = await this.call(
      'write the secret',
      destination,
      async () =>
        (await this.client()).request(
          `PUT ${collectionPath(destination, 'secrets', destination.secretName)}`,
          { ...body, headers: API_VERSION_HEADER },
        ),
      (status) => {
        attempt.uncertain = true;
        if (status === undefined) attempt.unanswered = true;
      },
    );
    return response.status === 201 ? 'created' : 'updated';
  }

  /**
   * Runs a request, retrying 5xx and network failures with backoff, and translates the final error.
   * `onTransient` hears of each such failure (with the status, undefined when no answer came): for a write,
   * it means the value may have been stored.
   */
  private async call<T>(
    action: string,
    destination: Destination,
    request: () => Promise<T>,
    onTransient?: (status: number | undefined) => void,
    resource: Resource = 'secret',
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        const status = statusOf(error as HttpError);
        const transient = status === undefined || status >= 500;
        if (transient) onTransient?.(status);
        if (!transient || attempt >= this.attempts)
          throw httpError(error as HttpError, action, destination, resource);
        await this.sleep(500 * 2 ** (attempt - 1));
      }
    }
  }
}

/** What the attempts of one write met: a 5xx or no answer (`uncertain`), and no answer at all (`unanswered`). */
interface WriteAttempt {
  uncertain: boolean;
  unanswered: boolean;
}

let sodiumLoading: Promise<typeof Sodium> | undefined;

/** libsodium, loaded and its WebAssembly instantiated once, on first use (see SecretWriter.client). */
function loadSodium(): Promise<typeof Sodium> {
  sodiumLoading ??= import('libsodium-wrappers').then(async ({ default: sodium }) => {
    await sodium.ready;
    return sodium;
  });
  return sodiumLoading;
}

/** libsodium sealed box of `value` for a base64 Curve25519 key, as standard base64 (what GitHub accepts). */
export async function seal(value: string, publicKeyBase64: string): Promise<string> {
  const sodium = await loadSodium();
  const key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
  const sealed = sodium.crypto_box_seal(sodium.from_string(value), key);
  return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL);
}
