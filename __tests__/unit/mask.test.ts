import { generateKeyPairSync } from 'node:crypto';
import { REDACTED, maskSecret, redact, secretForms } from '../../src/mask.js';

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
