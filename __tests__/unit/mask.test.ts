import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { REDACTED, maskSecret, readingsOf, redact, secretForms } from '../../src/mask.js';

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

test('a PEM is masked whole, line by line, as its joined body and JSON-escaped, but not its armour lines', () => {
  const masked: string[] = [];
  maskSecret(pem, (value) => masked.push(value));
  const bodyLines = pem.trim().split('\n').slice(1, -1);
  expect(masked).toContain(pem);
  for (const line of bodyLines) expect(masked).toContain(line);
  expect(masked).toContain(bodyLines.join(''));
  expect(masked).toContain(JSON.stringify(pem.trim()).slice(1, -1));
  expect(masked).not.toContain('-----BEGIN PRIVATE KEY-----');
});

test('the runner is given the forms it does not derive itself: no URL or base64 encodings, no PEM escaped twice', () => {
  const masked: string[] = [];
  maskSecret(pem, (value) => masked.push(value));
  const bodyLines = pem.trim().split('\n').slice(1, -1);
  // As much as the runner needs for a PEM: it masks each line wherever it appears, escaped or encoded.
  expect(new Set(masked)).toEqual(
    new Set([pem, pem.trim(), ...bodyLines, bodyLines.join(''), JSON.stringify(pem.trim()).slice(1, -1)]),
  );
  const oneLine: string[] = [];
  const secret = `it's "one" line ${randomBytes(4).toString('hex')}`;
  maskSecret(secret, (value) => oneLine.push(value));
  expect(oneLine).toEqual(
    expect.arrayContaining([
      secret,
      JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1),
      new URLSearchParams({ v: secret }).toString().slice(2),
      secret.replace(/'/g, "''"),
      secret.replace(/\s/g, ''),
    ]),
  );
  expect(oneLine).not.toContain(encodeURIComponent(secret));
  const base64 = Buffer.from(secret).toString('base64');
  expect(oneLine.filter((value) => base64.startsWith(value.slice(0, 12)))).toEqual([]);
  expect(secretForms(secret).filter((value) => base64.startsWith(value.slice(0, 12)))).not.toEqual([]);
  // redact() knows every form all the same.
  for (const form of secretForms(secret))
    if (form.length >= 8) expect(redact(`[${form}]`)).toBe(`[${REDACTED}]`);
});

test('empty values are not masked (masking "" would blank the whole log)', () => {
  const masked: string[] = [];
  maskSecret('', (value) => masked.push(value));
  maskSecret(undefined, (value) => masked.push(value));
  maskSecret('  \n ', (value) => masked.push(value));
  expect(masked).toEqual([]);
});

test('a one-line secret has the value itself among its forms', () => {
  expect(secretForms('ghp_abcdefgh')).toContain('ghp_abcdefgh');
});

describe('redact', () => {
  const jwt = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from('{"sub":"SVC_LOADER.SHA256:abc"}').toString('base64url')}.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg`;

  test('replaces a private-key block, a signed JWT and an Authorization header value, whoever produced them', () => {
    const text = `Snowflake said: ${pem} then token=${jwt}; request: {"authorization":"Bearer gho_notmasked123"}`;
    const out = redact(text);
    expect(out).not.toContain('PRIVATE KEY-----\n');
    expect(out).not.toContain(pem.split('\n')[1]);
    expect(out).not.toContain(jwt);
    expect(out).not.toContain('gho_notmasked123');
    expect(out).toContain(`"authorization":"${REDACTED}"`);
    expect(out.startsWith('Snowflake said: ')).toBe(true);
  });

  test('replaces every registered form of at least 8 characters, longest first, and leaves other text alone', () => {
    maskSecret('pat-secret-0123456789', () => undefined);
    maskSecret('short', () => undefined);
    const out = redact('login with pat-secret-0123456789 failed; a short word stays; so does ordinary text');
    expect(out).toBe(`login with ${REDACTED} failed; a short word stays; so does ordinary text`);
  });

  test('text without secrets comes back unchanged', () => {
    const text = 'Step set-key failed: ALTER USER "SVC" SET RSA_PUBLIC_KEY_2 = \'<redacted>\' (003001)';
    expect(redact(text)).toBe(text);
  });
});

/** Whether any reading of `text` (as the leak scan reads it) still holds `secret`. */
const shows = (text: string, secret: string): boolean =>
  readingsOf(text).some((reading) => reading.includes(secret));

describe('every form a secret can be printed in (issue 17, item 2)', () => {
  // Quotes of both kinds, a space, + / = and a non-ASCII letter: every encoding changes something in it.
  const secret = `it's "a" sécret+/=${randomBytes(6).toString('hex')}`;
  maskSecret(secret, () => undefined);
  const json = JSON.stringify(secret).slice(1, -1);

  test.each([
    ['JSON-escaped', `{"password":"${json}"}`],
    ['JSON-escaped twice', JSON.stringify(`{"password":"${json}"}`)],
    ['JSON-escaped with \\u escapes', `{"password":"${json.replace('é', '\\u00e9')}"}`],
    ['URL-encoded', `https://x.invalid/?password=${encodeURIComponent(secret)}&next=1`],
    ['form-encoded', `user=svc&${new URLSearchParams({ password: secret }).toString()}`],
    ['SQL-quoted', `syntax error unexpected '${secret.replace(/'/g, "''")}'.`],
    ['quoted with backslashes', `unexpected '${secret.replace(/'/g, "\\'")}'`],
    ['base64, whole', Buffer.from(secret).toString('base64')],
    // Basic auth: `user:password` shifts the secret by 1 to 3 bytes.
    ['base64 after 1 byte', `Basic ${Buffer.from(`a:${secret}`).toString('base64')}`],
    ['base64 after 2 bytes', `Basic ${Buffer.from(`ab:${secret}`).toString('base64')}`],
    ['base64 after 3 bytes', `Basic ${Buffer.from(`abc:${secret}`).toString('base64')}`],
    ['base64 of a JSON body', `body=${Buffer.from(JSON.stringify({ password: secret })).toString('base64')}`],
    ['base64url', `trace ${Buffer.from(`xy${secret}z`).toString('base64url')} end`],
    ['wrapped across lines', `password: ${secret.slice(0, 9)}\n    ${secret.slice(9)}\nnext line`],
    // Split where a wrapper would (not inside an escape sequence such as \").
    ['split by an escaped line break', `"password": "${json.slice(0, 12)}\\n${json.slice(12)}"`],
    ['split by an escaped CRLF, escaped twice', `${secret.slice(0, 9)}\\\\r\\\\n${secret.slice(9)}`],
    ['joined with a space after wrapping', `(000603: ${secret.slice(0, 12)} ${secret.slice(12)})`],
  ])('%s: redact() replaces it, and the leak scan would find it unredacted', (_form, text) => {
    expect(shows(text, secret) || secretForms(secret).some((form) => shows(text, form))).toBe(true);
    const out = redact(text);
    expect(out).toContain(REDACTED);
    for (const form of secretForms(secret)) {
      if (form.length >= 12) expect(shows(out, form)).toBe(false);
    }
  });

  test('the forms: JSON once and twice, URL and form encoding, quoted, base64 and base64url at 3 alignments', () => {
    const forms = secretForms(secret);
    expect(forms).toEqual(
      expect.arrayContaining([
        secret,
        json,
        JSON.stringify(json).slice(1, -1),
        encodeURIComponent(secret),
        new URLSearchParams({ v: secret }).toString().slice(2),
        secret.replace(/'/g, "''"),
        secret.replace(/'/g, "\\'"),
      ]),
    );
    // Each alignment's form is inside the base64 of the secret after any prefix of that length (mod 3).
    for (const prefix of ['', 'a', 'ab', 'abc', 'abcd', 'abcde']) {
      const encoded = Buffer.from(`${prefix}${secret}tail`).toString('base64');
      expect(forms.some((form) => form.length >= 12 && encoded.includes(form))).toBe(true);
      const url = Buffer.from(`${prefix}${secret}`).toString('base64url');
      expect(forms.some((form) => form.length >= 12 && url.includes(form))).toBe(true);
    }
  });
});

describe('credentials recognised by their shape, registered or not', () => {
  const token = `ver:1-hint:1000-ETMsDgAAAZ${randomBytes(18).toString('base64')}`;
  const header = { accept: 'application/snowflake', authorization: `Snowflake Token="${token}"` };

  test.each([
    ['as JSON (Token=\\"…\\")', JSON.stringify(header)],
    ['as JSON in a JSON string (Token=\\\\\\"…\\\\\\")', JSON.stringify(JSON.stringify(header))],
    ['URL-encoded', encodeURIComponent(JSON.stringify(header))],
    ['form-encoded (Snowflake+Token%3D%22…%22)', new URLSearchParams(header).toString()],
    ['as a header line', `authorization: Snowflake Token="${token}"`],
    ['without the header name', `renewing with Snowflake Token="${token}" failed`],
    ['as base64', `x-request: ${Buffer.from(JSON.stringify(header)).toString('base64')}`],
  ])('a Snowflake token header %s: its token is replaced', (_form, text) => {
    const out = redact(text);
    expect(shows(out, token)).toBe(false);
    expect(shows(out, token.slice(12))).toBe(false);
    expect(out).toContain(REDACTED);
  });

  test.each([
    ['a PEM block URL-encoded', encodeURIComponent(pem), pem.split('\n')[2] ?? ''],
    [
      'a JWT in base64',
      Buffer.from(`{"TOKEN":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJBQ0NULlUifQ.c2lnbmF0dXJl"}`).toString('base64'),
      'c2lnbmF0dXJl',
    ],
    [
      'a bearer token URL-encoded',
      'authorization%22%3A%22Bearer%20gho_notmasked0123456789%22',
      'gho_notmasked0123456789',
    ],
  ])('%s is replaced', (_what, text, inside) => {
    const out = redact(text);
    expect(out).toContain(REDACTED);
    expect(shows(out, inside)).toBe(false);
  });

  test('ordinary text keeps its words: public keys, fingerprints, URLs, report names, statements', () => {
    const publicBody = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'der' })
      .toString('base64');
    const text = [
      `ALTER USER "SVC_LOADER" SET RSA_PUBLIC_KEY_2 = '${publicBody}'`,
      'fingerprint SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
      'report /home/runner/work/_temp/snowflake-keypair-action-2026-03-01T20-15-30Z.json',
      'https://github.com/acme/app/settings/secrets/actions?name=SNOWFLAKE_PRIVATE_KEY',
      'Snowflake token renewal: the session was renewed',
      'authorization failed for user KEY_ROTATOR',
    ].join('\n');
    expect(redact(text)).toBe(text);
  });
});

describe('properties', () => {
  const encodings: [string, (text: string) => string][] = [
    ['json', (t) => JSON.stringify({ v: t })],
    ['json twice', (t) => JSON.stringify(JSON.stringify({ v: t }))],
    ['url', (t) => encodeURIComponent(t)],
    ['form', (t) => new URLSearchParams({ v: t }).toString()],
    ['base64', (t) => Buffer.from(t).toString('base64')],
    ['base64url', (t) => Buffer.from(t).toString('base64url')],
  ];

  test('a registered secret inside any text, in any of the encodings, wrapped at any width, is never shown', () => {
    const printable = fc.string({ unit: fc.constantFrom(...'abcXYZ019 +/=\'"é:-_.'.split('')) });
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(...'ABCDEFGHJKmnpqrstuvw23456789+/-_'.split('')),
          minLength: 12,
          maxLength: 40,
        }),
        printable,
        printable,
        fc.constantFrom(...encodings),
        fc.option(fc.integer({ min: 8, max: 80 }), { nil: undefined }),
        (body, before, after, [, encode], width) => {
          const secret = `Pz${body}`;
          maskSecret(secret, () => undefined);
          let text = encode(`${before}${secret}${after}`);
          if (width !== undefined)
            text = (text.match(new RegExp(`[\\s\\S]{1,${width}}`, 'g')) ?? []).join('\n');
          const out = redact(text);
          return !shows(out, secret);
        },
      ),
      { seed: 17, numRuns: 300 },
    );
  });
});
