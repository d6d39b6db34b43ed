import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ActionError } from './errors.js';

/**
 * RSA key pairs as Snowflake wants them (https://docs.snowflake.com/en/user-guide/key-pair-auth):
 * at least 2048 bits, private half as PKCS#8 PEM (optionally encrypted), public half registered as the base64
 * body of its DER SubjectPublicKeyInfo, fingerprint `SHA256:` + base64(sha256(that DER)).
 */

export const KEY_SIZES = [2048, 3072, 4096] as const;
export type KeySize = (typeof KEY_SIZES)[number];
export const MIN_KEY_BITS = 2048;

export interface GeneratedKeyPair {
  /** PKCS#8 PEM, encrypted when a passphrase was given. Secret. */
  privateKeyPem: string;
  /** The private key as a KeyObject, to log in with. */
  privateKey: KeyObject;
  /** Base64 DER SPKI on one line: what `ALTER USER ... SET RSA_PUBLIC_KEY` takes. */
  publicKeyBody: string;
  /** `SHA256:...`, as Snowflake shows in RSA_PUBLIC_KEY_FP. */
  fingerprint: string;
}

export interface ParsedPrivateKey {
  key: KeyObject;
  /** Which PEM container it came in; PKCS#1 works for us but not for every Snowflake client. */
  container: 'pkcs8' | 'encrypted-pkcs8' | 'pkcs1' | 'encrypted-pkcs1';
  fingerprint: string;
  publicKeyBody: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

const newRsaKey = async (bits: number): Promise<KeyObject> =>
  (await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 })).privateKey;

/** A key generation begun at process start (see startEarlyKeyGeneration), until the first key is asked for. */
let early: { bits: number; key: Promise<KeyObject> } | undefined;

/**
 * Begins generating the key a run will ask for, at process start: RSA generation takes 100 to 300 ms on
 * libuv's thread pool, which then runs while the main thread evaluates the bundle (mostly the Snowflake
 * driver) instead of after it. The raw inputs are only a guess here (they are validated later): a run whose
 * validated inputs ask for another size, or for no key, leaves this one unused, and it is never printed.
 */
export function startEarlyKeyGeneration(env: Readonly<Record<string, string | undefined>>): void {
  const input = (name: string): string => (env[`INPUT_${name.toUpperCase()}`] ?? '').trim();
  if (!['rotate', 'setup'].includes(input('mode')) || input('dry-run') === 'true') return;
  const bits = Number(input('key-bits') || '2048');
  if (!(KEY_SIZES as readonly number[]).includes(bits)) return;
  early = { bits, key: newRsaKey(bits) };
  // Consumed (and its failure reported) by generateRsaKeyPair; a run that never asks must not crash on it.
  early.key.catch(() => undefined);
}

export async function generateRsaKeyPair(bits: KeySize, passphrase?: string): Promise<GeneratedKeyPair> {
  const begun = early?.bits === bits ? early.key : undefined;
  early = undefined;
  const privateKey = await (begun ?? newRsaKey(bits));
  return {
    privateKeyPem: exportPkcs8(privateKey, passphrase),
    privateKey,
    publicKeyBody: publicKeyBody(privateKey),
    fingerprint: fingerprintOf(privateKey),
  };
}

/** PKCS#8 PEM; with a passphrase, PBES2 (PBKDF2 + AES-256-CBC), which OpenSSL and every Snowflake driver read. */
export function exportPkcs8(key: KeyObject, passphrase?: string): string {
  const pem = passphrase
    ? key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
    : key.export({ type: 'pkcs8', format: 'pem' });
  return pem.toString();
}

/** The base64 DER SubjectPublicKeyInfo of a private or public key, on one line. */
export function publicKeyBody(key: KeyObject): string {
  return spkiDer(key).toString('base64');
}

/** Snowflake's fingerprint of a key (private or public) or of a registered public key body. */
export function fingerprintOf(key: KeyObject | string): string {
  const der = typeof key === 'string' ? Buffer.from(key.replace(/\s+/g, ''), 'base64') : spkiDer(key);
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

function spkiDer(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ type: 'spki', format: 'der' });
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)(?:-----END \1-----|$)/;

/**
 * Restores a PEM that went through a YAML value, a secret store or a copy from a terminal: literal `\n`
 * escapes, CRLF, indentation, a body squashed onto one line, missing final newline. Returns the canonical
 * PEM (64-column body). Text without a PEM header is returned trimmed, for the caller to reject.
 */
export function normalizePem(text: string): string {
  const unescaped = text.replace(/\\r\\n|\\n|\\r/g, '\n').replace(/\r\n?/g, '\n');
  const match = PEM_BLOCK.exec(unescaped);
  if (!match) return unescaped.trim();
  const label = match[1] ?? '';
  const inner = match[2] ?? '';
  const truncated = !match[0].includes(`-----END ${label}-----`);
  // Legacy encrypted PKCS#1 carries RFC 1421 headers (Proc-Type, DEK-Info) before the body; keep them.
  const headerLines: string[] = [];
  let body = '';
  for (const line of inner.split('\n')) {
    const trimmed = line.trim();
    if (/^[A-Za-z-]+:\s/.test(trimmed)) headerLines.push(trimmed);
    else body += trimmed.replace(/\s+/g, '');
  }
  const wrapped = body.match(/.{1,64}/g) ?? [];
  const lines = [`-----BEGIN ${label}-----`];
  if (headerLines.length > 0) lines.push(...headerLines, '');
  lines.push(...wrapped);
  if (!truncated) lines.push(`-----END ${label}-----`);
  return `${lines.join('\n')}\n`;
}

export interface KeyInputNames {
  /** The input that held the key, e.g. `private-key`. */
  key: string;
  /** The input that holds its passphrase, e.g. `private-key-passphrase`. */
  passphrase: string;
}

/** Parses a private key given by the user, with an error for every way a pasted key goes wrong. */
export function parsePrivateKey(
  text: string,
  passphrase: string | undefined,
  names: KeyInputNames,
): ParsedPrivateKey {
  const fail = (problem: string, hint: string, code = 'invalid-private-key'): ActionError =>
    new ActionError(`Input '${names.key}' ${problem}`, { code, input: names.key, hint });
  const pem = normalizePem(text);
  const label = privateKeyLabel(text, pem, fail);
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || pem.includes('Proc-Type: 4,ENCRYPTED');
  if (encrypted && !passphrase) {
    throw fail(
      'is encrypted',
      `Pass its passphrase in '${names.passphrase}', or give the key unencrypted`,
      'private-key-passphrase-missing',
    );
  }
  const key = readPrivateKey(pem, encrypted ? passphrase : undefined, names, fail);
  checkRsaKey(key, fail);
  const container =
    label === 'ENCRYPTED PRIVATE KEY'
      ? 'encrypted-pkcs8'
      : label === 'PRIVATE KEY'
        ? 'pkcs8'
        : encrypted
          ? 'encrypted-pkcs1'
          : 'pkcs1';
  return { key, container, fingerprint: fingerprintOf(key), publicKeyBody: publicKeyBody(key) };
}

/** Makes the error for a key input: the problem, what to do, and its code. */
type KeyFailure = (problem: string, hint: string, code?: string) => ActionError;

/** The label of the one whole PEM block of a private key in `pem` (the input `text`, repaired). */
function privateKeyLabel(text: string, pem: string, fail: KeyFailure): string {
  const match = PEM_BLOCK.exec(pem);
  if (!match) {
    throw fail(
      'is not a PEM private key: there is no BEGIN PRIVATE KEY header line',
      'Pass the whole PEM file, header and footer included (for example a secret made with `cat rsa_key.p8`)',
    );
  }
  const label = match[1] ?? '';
  if (label.includes('PUBLIC KEY') || label === 'CERTIFICATE') {
    throw fail(
      `holds a ${label.toLowerCase()}, not a private key`,
      'Pass the private half (its header says BEGIN PRIVATE KEY); the public half is what Snowflake stores',
    );
  }
  if (!label.endsWith('PRIVATE KEY') || label.startsWith('OPENSSH') || label === 'EC PRIVATE KEY') {
    throw fail(
      `holds a "${label}" block, which is not an RSA private key Snowflake accepts`,
      'Give an RSA key in PKCS#8 PEM, e.g. `openssl genrsa 2048 | openssl pkcs8 -topk8 -nocrypt`',
    );
  }
  if (!pem.includes(`-----END ${label}-----`)) {
    const otherEnd = /-----END ([A-Z0-9 ]+)-----/.exec(text);
    if (otherEnd && otherEnd[1] !== label) {
      throw fail(
        `does not hold one PEM block: it begins with BEGIN ${label} but ends with END ${otherEnd[1] ?? ''}`,
        'Copy the whole key again from one file; the header and footer lines of a PEM name the same type',
      );
    }
    throw fail(
      `is truncated: it has no END ${label} footer line`,
      'Copy the whole key again; secrets and YAML values sometimes lose the last lines',
    );
  }
  return label;
}

/** The key in `pem`, decrypted with `passphrase` when given (only for an encrypted key). */
function readPrivateKey(
  pem: string,
  passphrase: string | undefined,
  names: KeyInputNames,
  fail: KeyFailure,
): KeyObject {
  try {
    return createPrivateKey(
      passphrase ? { key: pem, format: 'pem', passphrase } : { key: pem, format: 'pem' },
    );
  } catch (error) {
    if (passphrase) {
      throw fail(
        `could not be decrypted with '${names.passphrase}'`,
        `Check that '${names.passphrase}' is the passphrase this key was encrypted with`,
        'private-key-passphrase-wrong',
      );
    }
    throw new ActionError(
      `Input '${names.key}' could not be read as a private key: the PEM body is damaged`,
      {
        code: 'invalid-private-key',
        input: names.key,
        hint: 'Copy the whole key again, without edits; check `openssl pkey -in key.p8 -noout` accepts it',
        cause: describeCryptoError(error),
      },
    );
  }
}

/** An RSA key of at least MIN_KEY_BITS, as Snowflake requires. */
function checkRsaKey(key: KeyObject, fail: KeyFailure): void {
  if (key.asymmetricKeyType !== 'rsa') {
    throw fail(
      `is a ${key.asymmetricKeyType ?? 'non-RSA'} key`,
      'Snowflake key-pair authentication takes RSA keys only: generate one with `openssl genrsa 2048`',
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_KEY_BITS) {
    throw fail(
      `is a ${bits}-bit RSA key`,
      `Snowflake requires at least ${MIN_KEY_BITS} bits: generate a new key with \`openssl genrsa 2048\``,
    );
  }
}

// OpenSSL's messages say nothing secret, but keep only the code to be sure nothing of the input is echoed.
function describeCryptoError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown crypto error';
}
