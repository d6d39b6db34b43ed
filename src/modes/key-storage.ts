import { ActionError, WriteError, carriedOver, messageOf } from '../errors.js';
import type { GeneratedKeyPair } from '../keys.js';
import type { KeyInstallConfig } from '../config.js';
import { describeDestination } from '../github/destinations.js';
import type { PreparedDestination, WriteResult } from '../github/secrets.js';
import { type SnowflakeSession, StatementTimeout } from '../snowflake/connection.js';
import {
  type PreparedSnowflakeSecret,
  describeSnowflakeSecret,
  setSnowflakeSecret,
} from '../snowflake/secrets.js';
import type { Compensation } from '../steps.js';
import type { ModeDependencies } from './context.js';

/**
 * The store-secret step of a key installation: the private key written to every destination at once, and what
 * becomes of the new key in Snowflake when some writes fail. While no write can have landed, the key is taken
 * out again (the set-key undo); once one may have, Snowflake keeps it and the error says who holds which key.
 */

export interface DestinationOutcome {
  destination: string;
  /**
   * `created`/`updated`: written and confirmed. `unconfirmed`: GitHub accepted the write but its metadata
   * did not confirm it. `failed`: the write was refused, the value was not stored. `unknown`: it may have been.
   */
  result: WriteResult | 'planned' | 'unconfirmed' | 'failed' | 'unknown';
  fingerprint?: string;
  updatedAt?: string;
}

/** Every destination's name, as outputs and logs show it. */
export function destinationNames(config: KeyInstallConfig): string[] {
  return [
    ...config.destinations.map(describeDestination),
    ...(config.snowflakeSecret ? [describeSnowflakeSecret(config.snowflakeSecret)] : []),
  ];
}

/** A place the private key is stored in: a GitHub secret or a Snowflake secret. */
export interface KeyStore {
  name: string;
  /** Writes the key; a failure is a WriteError that says whether the key may have landed. */
  store(): Promise<DestinationOutcome>;
}

/** What the stores write: the new key, and the Snowflake session and user a Snowflake secret records. */
export interface KeyToStore {
  newKey: GeneratedKeyPair;
  session: SnowflakeSession;
  user: string;
  deps: ModeDependencies;
}

/** Every place the key goes: each prepared GitHub destination, then the Snowflake secret, if any. */
export function keyStores(
  key: KeyToStore,
  gitHub: readonly PreparedDestination[],
  snowflakeSecret: PreparedSnowflakeSecret | undefined,
): KeyStore[] {
  const stores = gitHub.map((destination): KeyStore => {
    const name = describeDestination(destination.destination);
    return { name, store: () => storeInGitHub(key, destination, name) };
  });
  if (!snowflakeSecret) return stores;
  const name = describeSnowflakeSecret(snowflakeSecret.secret);
  return [...stores, { name, store: () => storeInSnowflake(key, snowflakeSecret, name) }];
}

async function storeInGitHub(
  { newKey, deps }: KeyToStore,
  destination: PreparedDestination,
  name: string,
): Promise<DestinationOutcome> {
  // The secret writer confirms the write with the secret's metadata, and settles a write whose reply was
  // lost with it; a failure is a WriteError that says whether the key may have landed.
  const written = await deps.secretWriter.write(destination, newKey.privateKeyPem, deps.now());
  if (written.replyLost) {
    deps.log(
      `store-secret: ${name}: GitHub's reply to the write was lost (${written.replyLost}), but the secret reads back as ${written.result} at ${written.updatedAt ?? '?'}, after this run read it: the key is stored`,
    );
  }
  return {
    destination: name,
    result: written.confirmed ? written.result : 'unconfirmed',
    fingerprint: newKey.fingerprint,
    updatedAt: written.updatedAt,
  };
}

async function storeInSnowflake(
  { newKey, session, user }: KeyToStore,
  secret: PreparedSnowflakeSecret,
  name: string,
): Promise<DestinationOutcome> {
  try {
    // The secret's comment records whose key it now holds, for the next run's prepare-destinations.
    await setSnowflakeSecret(
      session,
      secret,
      { user, fingerprint: newKey.fingerprint },
      newKey.privateKeyPem,
    );
  } catch (error) {
    // Snowflake answered with an error: not written. No answer: it may have run.
    const answered =
      error instanceof ActionError &&
      /^\d{6}$/.test(error.code ?? '') &&
      !(error instanceof StatementTimeout);
    throw new WriteError(error, answered ? 'not-written' : 'unknown');
  }
  return { destination: name, result: 'updated', fingerprint: newKey.fingerprint };
}

/** Whether the user had a key before, and the statement that takes the new one out by hand. */
export interface NewSlot {
  firstKey: boolean;
  removeStatement: string;
}

/**
 * Writes every store at once. The set-key undo is disarmed for the writes and armed again only when none of
 * them can have landed; a failure comes back (not thrown), with each destination's outcome, for the record.
 */
export async function storeEverywhere(
  stores: KeyStore[],
  newKey: GeneratedKeyPair,
  slotUndo: Compensation,
  newSlot: NewSlot,
): Promise<{ outcomes: DestinationOutcome[]; failure?: ActionError }> {
  // From the first write on, a destination may hold the new key: Snowflake must keep it, unless every
  // write is known not to have landed (below): refused, or settled by the secret writer from the metadata.
  slotUndo.armed = false;
  const settled = await Promise.allSettled(stores.map((store) => store.store()));
  const outcomes = settled.map((outcome, index): DestinationOutcome => {
    if (outcome.status === 'fulfilled') return outcome.value;
    const destination = (stores[index] as KeyStore).name;
    const notWritten = outcome.reason instanceof WriteError && outcome.reason.outcome === 'not-written';
    return { destination, result: notWritten ? 'failed' : 'unknown' };
  });
  const failures = settled.flatMap((outcome) =>
    outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
  );
  const unconfirmed = outcomes.filter((o) => o.result === 'unconfirmed');
  if (failures.length === 0 && unconfirmed.length === 0) return { outcomes };

  const first = failures[0];
  const reason = first === undefined ? 'GitHub does not list the secret as updated' : messageOf(first);
  if (outcomes.every((o) => o.result === 'failed')) {
    slotUndo.armed = true;
    const failure = new ActionError(
      `No destination could be written (${reason})`,
      carriedOver(
        first,
        'No write landed (each was refused, or the secret read back shows the value was not stored), so the new key is removed from Snowflake again and every destination keeps the key it had',
      ),
    );
    return { outcomes, failure };
  }
  const failure = new ActionError(
    `${failures.length + unconfirmed.length} of ${stores.length} destination(s) could not be written and confirmed (${reason})`,
    { code: 'secret-not-confirmed', ...carriedOver(first, ...whoHoldsWhich(outcomes, newKey, newSlot)) },
  );
  return { outcomes, failure };
}

/** After some writes failed or were not confirmed: which key Snowflake keeps, who holds which, what to do. */
function whoHoldsWhich(outcomes: DestinationOutcome[], newKey: GeneratedKeyPair, newSlot: NewSlot): string[] {
  const holdingNew = outcomes.filter(
    (o) => o.result === 'created' || o.result === 'updated' || o.result === 'unconfirmed',
  );
  const others = outcomes.filter((o) => o.result === 'failed' || o.result === 'unknown');
  return [
    newSlot.firstKey
      ? 'Snowflake keeps the new key, since a destination may hold it'
      : 'Snowflake keeps both keys, so every destination still logs in',
    holdingNew.length > 0
      ? `Holding the new key ${newKey.fingerprint}: ${holdingNew.map((o) => o.destination).join(', ')}`
      : '',
    others.length > 0
      ? `Holding ${newSlot.firstKey ? 'no key yet' : 'the previous key'}: ${others.map((o) => `${o.destination}${o.result === 'unknown' ? ' (or the new one: the outcome is unknown)' : ''}`).join(', ')}`
      : '',
    newSlot.firstKey
      ? `Fix the cause, then: if every destination shows its secret updated by this run, the key is in place; otherwise run mode: rotate, which adds a key and stores it everywhere (or remove the key with ${newSlot.removeStatement} and run setup again with force: true, since the destinations written hold only that key)`
      : 'Fix the cause, then run the rotation again once the grace period has passed, with current-private-key set to the new key',
  ];
}
