import { generateKeyPairSync } from 'node:crypto';
import { maskSecret, secretForms } from '../../src/mask.js';

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
