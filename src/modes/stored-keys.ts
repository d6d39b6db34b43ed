import { ActionError, sentences } from '../errors.js';
import { describeDestination } from '../github/destinations.js';
import type { PreparedDestination, SecretWriter } from '../github/secrets.js';

/**
 * Whose key a GitHub secret holds, found out before the action writes over it. GitHub never shows a secret's
 * value, so what the run can know is what was recorded beside it: the Actions variable `fingerprint-variable`,
 * which every rotation and setup with that input writes with the fingerprint of the key it stored. A secret
 * is written over only when that holds:
 * - a record beside it names a key registered on this user: the secret holds this user's key;
 * - no record, and the run is a rotation: the secret is the one its workflow hands to this user's consumers
 *   (nothing says otherwise, and refusing every rotation without a variable would make rotation unusable);
 * - no record, no secret: nothing is overwritten.
 * Refused otherwise, naming both users where the other one can be found: a record of a key this user does
 * not hold (another user's, or one removed since), a variable of that name that holds something else, and,
 * for setup, any secret that exists already, since a user that gets its first key can have nothing stored
 * anywhere (nor for a rotation of a user whose keys are all gone). `force: true` writes anyway (with a
 * warning): the owner of the workflow has checked that the value is stale.
 *
 * A record is a bare fingerprint, so a key of this user removed since cannot be told from another user's: both
 * are refused. A variable is one per repository, environment or organization, not per secret: setup refuses
 * a spec whose keys would share one (inputs/read-config.ts), and the refusal says to name the variable after the secret.
 */
export interface StoredKeyCheck {
  user: string;
  /** Fingerprints registered on the user now. */
  userKeys: readonly string[];
  /** The user has no key (setup, or a rotation after every key was removed): nothing stored can be theirs. */
  firstKey: boolean;
  /** Prepared by SecretWriter.prepare, which read each secret's metadata alongside its public key. */
  destinations: readonly PreparedDestination[];
  fingerprintVariable?: string;
  force: boolean;
  /** Another user holding a fingerprint, among those the run may read; only asked on the refusal path. */
  findHolder?: (fingerprint: string) => Promise<string | undefined>;
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=$/;

/** Returns what the log says; throws when a destination may hold a key that is not this user's, unless forced. */
export async function checkStoredKeys(
  check: StoredKeyCheck,
  writer: SecretWriter,
  warn: (line: string) => void,
): Promise<string> {
  const { user, fingerprintVariable: variable } = check;
  const found = await Promise.all(
    check.destinations.map(async ({ destination, existing }) => {
      const [secret, record] = await Promise.all([
        existing ?? 'unread',
        variable ? writer.readVariable(destination, variable) : undefined,
      ]);
      return { name: describeDestination(destination), secret, record };
    }),
  );
  const problems: string[] = [];
  for (const { name, secret, record } of found) {
    if (record === undefined && check.firstKey && secret === 'unread') {
      problems.push(
        `GitHub did not say whether ${name} exists (reading its metadata failed), so this run cannot show that it holds nothing`,
      );
    } else if (record !== undefined && !FINGERPRINT.test(record)) {
      problems.push(
        `the variable ${variable} beside ${name} holds a value that is not a key fingerprint, so this action did not write it`,
      );
    } else if (record !== undefined && !check.userKeys.includes(record)) {
      const holder = await check.findHolder?.(record);
      problems.push(
        `${name} holds ${holder ? `the key of ${holder}` : 'a key that is not one of ' + user + "'s (another user's, or one removed since)"}: the variable ${variable} beside it records ${record}${holder ? `, which is registered on ${holder}, not on ${user}` : ''}`,
      );
    } else if (record === undefined && typeof secret === 'object' && check.firstKey) {
      problems.push(
        `${name} exists already (last written ${secret.updatedAt}) and nothing records whose key it holds${variable ? ` (no variable ${variable} beside it)` : ''}, while ${user} has no key yet, so it cannot hold one of ${user}'s`,
      );
    }
  }
  const checked = `${found.length} destination(s) hold no key of another user${variable ? ` (records in ${variable} read)` : ''}`;
  if (problems.length === 0) return checked;
  if (check.force) {
    for (const problem of problems) warn(`force: true: writing the key of ${user} although ${problem}`);
    return `${problems.length} destination(s) may hold another key: written over, as force: true asks`;
  }
  throw new ActionError(
    `Refusing to write the private key of ${user} over a value this action did not store for ${user}: ${problems.join('; ')}`,
    {
      code: 'destination-holds-other-key',
      hint: sentences(
        `Writing it would lock out whatever uses the value there now, so nothing was changed. Store the key of ${user} under another name ('secret-name', or key.secret.name in the spec), or, once you have checked that nothing uses the value there, set 'force: true' to write over it (in rotate, force also waives the grace period and, without current-private-key, chooses the slot itself: pass current-private-key with it)`,
        variable
          ? `A variable records one key per repository, environment or organization: if ${variable} records the key of another secret there, give each secret a variable of its own (e.g. named after the secret)`
          : undefined,
      ),
    },
  );
}
