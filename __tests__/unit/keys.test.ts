import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorText } from '../harness/errors.js';
import {
  fingerprintOf,
  generateRsaKeyPair,
  normalizePem,
  parsePrivateKey,
  publicKeyBody,
} from '../../src/keys.js';

const names = { key: 'private-key', passphrase: 'private-key-passphrase' };
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('generateRsaKeyPair', () => {
  test('2048-bit PKCS#8 key whose body and fingerprint match what OpenSSL computes', async () => {
    const pair = await generateRsaKeyPair(2048);
    expect(pair.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(pair.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    writeFileSync(join(dir, 'k.p8'), pair.privateKeyPem, { mode: 0o600 });
    // The documented way to compute the fingerprint (Snowflake's key-pair guide).
    const der = execFileSync('openssl', ['pkey', '-in', join(dir, 'k.p8'), '-pubout', '-outform', 'DER']);
    const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der });
    expect(pair.fingerprint).toBe(`SHA256:${digest.toString('base64')}`);
    expect(pair.publicKeyBody).toBe(der.toString('base64'));
    expect(fingerprintOf(pair.publicKeyBody)).toBe(pair.fingerprint);
  });

  test('with a passphrase, an encrypted PKCS#8 key that OpenSSL opens', async () => {
    const pair = await generateRsaKeyPair(2048, 'correct horse battery');
    expect(pair.privateKeyPem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    writeFileSync(join(dir, 'k.p8'), pair.privateKeyPem, { mode: 0o600 });
    const out = execFileSync('openssl', [
      'pkey',
      '-in',
      join(dir, 'k.p8'),
      '-passin',
      'pass:correct horse battery',
      '-pubout',
    ]);
    expect(out.toString()).toContain('BEGIN PUBLIC KEY');
    expect(parsePrivateKey(pair.privateKeyPem, 'correct horse battery', names).fingerprint).toBe(
      pair.fingerprint,
    );
  });

  test('3072 bits', async () => {
    const pair = await generateRsaKeyPair(3072);
    expect(pair.privateKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
  });
});

describe('normalizePem', () => {
  test('restores literal \\n escapes, CRLF, indentation and a squashed body', () => {
    const escaped = pkcs8.replace(/\n/g, '\\n');
    expect(normalizePem(escaped)).toBe(pkcs8);
    expect(normalizePem(pkcs8.replace(/\n/g, '\r\n'))).toBe(pkcs8);
    expect(
      normalizePem(
        pkcs8
          .split('\n')
          .map((l) => `   ${l}`)
          .join('\n'),
      ),
    ).toBe(pkcs8);
    const squashed = pkcs8.trim().split('\n');
    expect(normalizePem(`${squashed[0]} ${squashed.slice(1, -1).join(' ')} ${squashed.at(-1)}`)).toBe(pkcs8);
  });
});

describe('parsePrivateKey', () => {
  test('accepts PKCS#8 and PKCS#1, reporting which', () => {
    expect(parsePrivateKey(pkcs8, undefined, names).container).toBe('pkcs8');
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const parsed = parsePrivateKey(pkcs1, undefined, names);
    expect(parsed.container).toBe('pkcs1');
    expect(parsed.fingerprint).toBe(fingerprintOf(privateKey));
    expect(parsed.publicKeyBody).toBe(publicKeyBody(createPublicKey(privateKey)));
  });

  test.each([
    ['not a key', 'hello', /no BEGIN PRIVATE KEY header line/],
    [
      'a public key',
      createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
      /public key, not a private key/,
    ],
    ['a truncated key', pkcs8.split('\n').slice(0, 10).join('\n'), /is truncated/],
    ['a damaged body', pkcs8.replace(/\n[A-Za-z0-9+/]{64}\n/, '\nAAAA\n'), /damaged/],
    [
      'an EC key',
      generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      /is a ec key/,
    ],
    [
      'a 1024-bit key',
      generateKeyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      /1024-bit.*at least 2048/s,
    ],
  ])('refuses %s with a message naming the input', (_label, text, message) => {
    const text_ = errorText(() => parsePrivateKey(text, undefined, names));
    expect(text_).toMatch(message);
    expect(text_).toMatch(/^Input 'private-key'/);
  });

  test('an encrypted key needs its passphrase, and the right one', () => {
    const encrypted = privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right-phrase' })
      .toString();
    expect(errorText(() => parsePrivateKey(encrypted, undefined, names))).toMatch(
      /is encrypted.*private-key-passphrase/s,
    );
    expect(() => parsePrivateKey(encrypted, 'wrong-phrase', names)).toThrow(
      /could not be decrypted with 'private-key-passphrase'/,
    );
    expect(parsePrivateKey(encrypted, 'right-phrase', names).container).toBe('encrypted-pkcs8');
  });

  test('error messages never contain the key', () => {
    const damaged = pkcs8.replace(/\n[A-Za-z0-9+/]{64}\n/, '\nAAAA\n');
    try {
      parsePrivateKey(damaged, undefined, names);
      throw new Error('expected a failure');
    } catch (error) {
      const text = JSON.stringify({
        message: (error as Error).message,
        hint: (error as { hint?: string }).hint,
        cause: (error as Error).cause,
      });
      for (const line of pkcs8.split('\n').slice(1, -2)) expect(text).not.toContain(line);
    }
  });
});
