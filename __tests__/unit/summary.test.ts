import { maskSecret } from '../../src/mask.js';
import type { RotationResult } from '../../src/modes/rotate.js';
import type { SetupResult } from '../../src/modes/setup.js';
import type { VerifyResult } from '../../src/modes/verify.js';
import {
  failureSummary,
  fingerprint,
  rotationSummary,
  setupSummary,
  verifySummary,
} from '../../src/report/summary.js';
import { decode, renderSummary } from '../harness/markdown.js';

const NEW = 'SHA256:GvGnJjspi7cDZsDBOSdWBV7ea+OCW+p0plRsxATuX88=';
const OLD = 'SHA256:6zSYkqUdWW/G8iinxuaELIbBobDN9NgTURjwsS9kzo8=';
const PUBLIC_BODY = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtest';

function rotation(overrides: Partial<RotationResult> = {}): RotationResult {
  return {
    mode: 'rotate',
    user: 'SVC_LOADER',
    account: 'acme-prod',
    dryRun: false,
    changed: true,
    choice: {
      slot: 'RSA_PUBLIC_KEY_2',
      inUse: { slot: 'RSA_PUBLIC_KEY', fingerprint: OLD, publicKeyBody: PUBLIC_BODY },
      replaced: { slot: 'RSA_PUBLIC_KEY_2' },
      reason: "the key in 'current-private-key' is in RSA_PUBLIC_KEY",
    },
    fingerprint: NEW,
    rotatedAt: '2026-11-22T12:00:00.000Z',
    destinations: [{ destination: 'repository:acme/app:SNOWFLAKE_PRIVATE_KEY', result: 'updated' }],
    timings: [
      { step: 'login', ms: 40, outcome: 'ok' },
      { step: 'set-key', ms: 9, outcome: 'ok' },
    ],
    ...overrides,
  };
}

/** The summary as a reader sees it: its lines of text (blank ones left out), tables and code elements. */
function read(markdown: string): { lines: string[]; tables: string[][][]; codes: string[]; html: string } {
  const rendered = renderSummary(markdown);
  return {
    lines: rendered.text.split('\n').filter((line) => line.trim() !== ''),
    tables: rendered.tables,
    codes: rendered.codes,
    // References decoded: a collapsed section's summary is HTML, passed through as written.
    html: decode(rendered.html),
  };
}

test('fingerprints are shortened, with the full value on hover', () => {
  const rendered = renderSummary(String(fingerprint(NEW)));
  expect(rendered.elements).toEqual([
    { name: 'p', attributes: {} },
    { name: 'code', attributes: { title: NEW } },
  ]);
  expect(rendered.codes).toEqual(['SHA256:GvGn…uX88']);
  expect(fingerprint(undefined)).toBe('(empty)');
});

test('a rotation: outcome and key fact first, slots before and after, full fingerprints and timings collapsed', () => {
  const summary = rotationSummary(rotation());
  const { lines, tables, html } = read(summary);
  expect(lines[0]).toBe('✅ Snowflake key rotated for SVC_LOADER');
  expect(lines[1]).toBe(
    'New key SHA256:GvGn…uX88 in RSA_PUBLIC_KEY_2, stored in 1 secret; the key in use SHA256:6zSY…kzo8 stays valid in RSA_PUBLIC_KEY.',
  );
  expect(html).toContain(`<code title="${NEW}">`);
  expect(tables[0]).toEqual([
    ['Key slot of SVC_LOADER', 'Before', 'After'],
    ['RSA_PUBLIC_KEY', 'SHA256:6zSY…kzo8 in use', 'SHA256:6zSY…kzo8 kept'],
    ['RSA_PUBLIC_KEY_2', '(empty)', 'SHA256:GvGn…uX88 new'],
  ]);
  expect(tables[1]).toEqual([
    ['Rotation', ''],
    ['Account', 'acme-prod'],
    ['User', 'SVC_LOADER'],
    ['How the key in use was found', "the key in 'current-private-key' is in RSA_PUBLIC_KEY"],
    ['Rotated at', '2026-11-22T12:00:00.000Z'],
    ['Changed anything', 'yes'],
  ]);
  expect(tables[2]).toEqual([
    ['Key stored in', 'Result'],
    ['repository:acme/app:SNOWFLAKE_PRIVATE_KEY', '✅\u00a0updated'],
  ]);
  expect(tables[3]).toEqual([
    ['Key', 'Slot', 'Fingerprint'],
    ['New key', 'RSA_PUBLIC_KEY_2', NEW],
    ['Kept (key in use)', 'RSA_PUBLIC_KEY', OLD],
  ]);
  expect(html).toContain('<details><summary>Full fingerprints</summary>');
  expect(html).toContain('<details><summary>Step timings: 2 steps, 49 ms</summary>');
  // Fingerprints only: never the public key itself (and never anything private).
  expect(summary).not.toContain(PUBLIC_BODY);
});

test('a failed rotation names the failed step and the roll-back before the message', () => {
  const { lines, tables } = read(
    rotationSummary(
      rotation({
        fingerprint: NEW,
        rotatedAt: undefined,
        error: 'Step store-secret failed: 403. Rolled back: restore RSA_PUBLIC_KEY_2 of SVC_LOADER',
        destinations: [{ destination: 'repository:acme/app:SNOWFLAKE_PRIVATE_KEY', result: 'failed' }],
        timings: [
          { step: 'store-secret', ms: 12, outcome: 'failed' },
          { step: 'undo set-key', ms: 5, outcome: 'undone' },
        ],
      }),
    ),
  );
  expect(lines.slice(0, 3)).toEqual([
    '❌ Snowflake key rotation failed for SVC_LOADER',
    'Failed at step store-secret. 1 change rolled back.',
    'Step store-secret failed: 403. Rolled back: restore RSA_PUBLIC_KEY_2 of SVC_LOADER',
  ]);
  expect(tables[0]?.[0]).toEqual(['Key slot of SVC_LOADER', 'Before', 'Attempted']);
  expect(tables[2]).toEqual([
    ['Destination', 'Result'],
    ['repository:acme/app:SNOWFLAKE_PRIVATE_KEY', '❌\u00a0failed'],
  ]);
});

test('a dry run says what would happen', () => {
  const { lines, tables } = read(
    rotationSummary(rotation({ dryRun: true, changed: false, fingerprint: undefined, rotatedAt: undefined })),
  );
  expect(lines[0]).toBe('📝 Snowflake key rotation planned (dry run) for SVC_LOADER');
  expect(lines[1]).toMatch(/Nothing was changed\.$/);
  expect(tables[0]?.[2]?.[2]).toBe('a new key (not generated in a dry run)');
  expect(tables[2]?.[0]).toEqual(['Would store the key in', 'Result']);
});

test('a setup: statements with their status first, each first key with its short fingerprint', () => {
  const result: SetupResult = {
    mode: 'setup',
    user: 'SEGMENT_USER',
    account: 'acme-prod',
    dryRun: false,
    spec: 'snowflake/segment.yml',
    changed: true,
    statements: [{ sql: 'CREATE ROLE IF NOT EXISTS "SEGMENT"', needs: 'CREATE ROLE', status: 'done' }],
    keys: [
      {
        user: 'SEGMENT_USER',
        result: 'installed',
        destinations: ['repository:acme/app:KEY'],
        fingerprint: NEW,
      },
    ],
    fingerprint: NEW,
    destinations: [{ destination: 'repository:acme/app:KEY', result: 'created' }],
    timings: [],
  };
  const { lines, tables } = read(setupSummary(result));
  expect(lines.slice(0, 2)).toEqual([
    '✅ Snowflake setup applied: snowflake/segment.yml',
    '1 statement run, 1 user given a first key, stored in 1 secret.',
  ]);
  expect(tables[1]).toEqual([
    ['Status', 'Statement'],
    ['✅\u00a0done', 'CREATE ROLE IF NOT EXISTS "SEGMENT"'],
  ]);
  expect(tables[2]).toEqual([
    ['User', 'First key', 'Fingerprint', 'Stored in'],
    ['SEGMENT_USER', '✅\u00a0installed', 'SHA256:GvGn…uX88', 'repository:acme/app:KEY'],
  ]);
  expect(tables[4]).toEqual([
    ['Key', 'Fingerprint'],
    ['SEGMENT_USER', NEW],
  ]);
});

test('a long plan is collapsed under a count of its statements', () => {
  const statements = Array.from({ length: 16 }, (_, i) => ({
    sql: `CREATE ROLE IF NOT EXISTS "R${i}"`,
    needs: 'CREATE ROLE',
    status: i < 15 ? ('done' as const) : ('failed' as const),
  }));
  const summary = setupSummary({
    mode: 'setup',
    user: '',
    account: 'acme-prod',
    dryRun: false,
    spec: 's.yml',
    changed: true,
    statements,
    keys: [],
    destinations: [],
    timings: [],
  });
  expect(read(summary).html).toContain('<details><summary>16 statements: 15 done, 1 failed</summary>');
  expect(read(summary).tables[1]).toHaveLength(17);
});

test('a verify: findings grouped by severity, each with its spec line and fix; checks counted per type', () => {
  const result: VerifyResult = {
    mode: 'verify',
    user: '',
    account: 'acme-prod',
    spec: 'snowflake/segment.yml',
    strict: false,
    maxKeyAgeDays: 90,
    changed: false,
    checks: [
      {
        objectType: 'role',
        objectName: 'SEGMENT',
        check: 'USAGE on warehouse WH to SEGMENT',
        result: 'error',
      },
      { objectType: 'role', objectName: 'SEGMENT', check: 'exists', result: 'pass' },
      { objectType: 'user', objectName: 'SEGMENT_USER', check: 'key age', result: 'warning' },
    ],
    findings: [
      {
        severity: 'warning',
        objectType: 'user',
        objectName: 'SEGMENT_USER',
        check: 'key age',
        message: 'the key of SEGMENT_USER is 80 days old',
        fix: 'run mode: rotate',
        source: { file: 'snowflake/segment.yml', line: 40, path: 'users[0].key' },
      },
      {
        severity: 'error',
        objectType: 'role',
        objectName: 'SEGMENT',
        check: 'USAGE on warehouse WH to SEGMENT',
        message: 'role SEGMENT lacks USAGE on warehouse WH',
        fix: 'GRANT USAGE ON WAREHOUSE "WH" TO ROLE "SEGMENT"',
        source: { file: 'snowflake/segment.yml', line: 12, path: 'roles[0].privileges[0]' },
      },
    ],
    errors: 1,
    warnings: 1,
    headline: '1 error, 1 warning in 3 checks',
    statements: 4,
    timings: [{ step: 'read-and-check', ms: 30, outcome: 'ok' }],
  };
  const { lines, tables } = read(verifySummary(result));
  expect(lines[0]).toBe('❌ Snowflake verify: 1 error, 1 warning in 3 checks (snowflake/segment.yml)');
  const errors = lines.indexOf('❌ Errors (1)');
  const warnings = lines.indexOf('⚠️ Warnings (1)');
  expect(errors).toBeGreaterThan(0);
  expect(warnings).toBeGreaterThan(errors);
  expect(tables[0]).toContainEqual(['max-key-age', '90d']);
  expect(tables[1]).toEqual([
    ['Spec', 'Finding', 'Fix'],
    [
      'line\u00a012',
      'role SEGMENT lacks USAGE on warehouse WH\nrole SEGMENT · check: USAGE on warehouse WH to SEGMENT',
      'GRANT USAGE ON WAREHOUSE "WH" TO ROLE "SEGMENT"',
    ],
  ]);
  expect(tables[3]).toEqual([
    ['Object type', 'Checks', 'Pass', 'Errors', 'Warnings'],
    ['❌ Roles', '2', '1', '1', '0'],
    ['⚠️ Users', '1', '0', '0', '1'],
  ]);
});

test('a failure before any mode: the message quoted with its line breaks, escaped, and redacted before escaping', () => {
  maskSecret('pass<word>|with-specials', () => undefined);
  const summary = failureSummary(
    "Input 'spec' is invalid\nrules.yml:3: <oops>\nechoed: pass<word>|with-specials",
  );
  expect(summary).not.toContain('pass');
  const rendered = renderSummary(summary);
  expect(rendered.elements.map((element) => element.name)).toEqual(['h3', 'blockquote', 'p', 'br', 'br']);
  expect(rendered.text.split('\n').filter(Boolean)).toEqual([
    '❌ Snowflake key pair action failed',
    "Input 'spec' is invalid",
    'rules.yml:3: <oops>',
    'echoed: ***',
  ]);
});

test('names that would break a code span or a table stay inside their cell', () => {
  const { lines, tables, codes } = read(rotationSummary(rotation({ user: 'we`ird|name' })));
  expect(lines[0]).toBe('✅ Snowflake key rotated for we`ird|name');
  expect(codes[0]).toBe('we`ird|name');
  expect(tables[0]?.[0]).toEqual(['Key slot of we`ird|name', 'Before', 'After']);
  expect(tables[1]).toContainEqual(['User', 'we`ird|name']);
});
