import type { KeyInstallConfig } from '../config.js';
import { exportPkcs8, type GeneratedKeyPair, generateRsaKeyPair } from '../keys.js';
import { maskSecret } from '../mask.js';
import type { PreparedDestination } from '../github/secrets.js';
import type { ModeDependencies } from './context.js';

/**
 * The part of a key installation that needs nothing from Snowflake: generating the key (masked as soon as it
 * exists) and fetching every GitHub destination's public key. A rotation begins it before its login, so both
 * run alongside the login instead of after it; installKey's steps then wait for them.
 */
export interface Groundwork {
  newKey: Promise<GeneratedKeyPair>;
  gitHubDestinations: Promise<PreparedDestination[]>;
}

export function beginGroundwork(
  config: KeyInstallConfig,
  deps: ModeDependencies,
  /** A dry run checks the destinations but makes no key. */
  options: { generate: boolean } = { generate: true },
): Groundwork {
  const newKey = options.generate
    ? generateRsaKeyPair(config.keyBits, config.keyPassphrase).then((generated) => {
        maskGenerated(generated, deps.setSecret);
        return generated;
      })
    : Promise.reject(new Error('A dry run makes no key'));
  const gitHubDestinations = Promise.all(config.destinations.map((d) => deps.secretWriter.prepare(d)));
  // A failure here is reported by the step that waits for it; until then (or when the run ends earlier, at
  // its login) it must not count as an unhandled rejection, which would end the process.
  newKey.catch(() => undefined);
  gitHubDestinations.catch(() => undefined);
  return { newKey, gitHubDestinations };
}

function maskGenerated(key: GeneratedKeyPair, setSecret: (value: string) => void): void {
  maskSecret(key.privateKeyPem, setSecret);
  // The unencrypted form exists in memory for the proof login: mask it too.
  maskSecret(exportPkcs8(key.privateKey), setSecret);
}
