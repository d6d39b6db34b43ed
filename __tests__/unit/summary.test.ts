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

test('fingerprints are shortened, with the full value on hover', () => {
  expect(fingerprint(NEW)).toBe(`<code title="${NEW}">SHA256:GvGn…uX88</code>`);
  expect(fingerprint(undefined)).toBe('(empty)');
});

test('a rotation: outcome and key fact first, slots before and after, full fingerprints and timings collapsed', () => {
  const summary = rotationSummary(rotation());
  const [headline, , fact] = summary.split('\n');
  expect(headline).toBe('### ✅ Snowflake key rotated for `SVC_LOADER`');
  expect(fact).toMatch(
    /^New key <code title="SHA256:GvGn[^"]+">SHA256:GvGn…uX88<\/code> in \*\*RSA_PUBLIC_KEY_2\*\*, stored in 1 secret; the key in use .* stays valid in RSA_PUBLIC_KEY\.$/,
  );
  expect(summary).toContain('| Key slot of SVC_LOADER | Before | After |');
  expect(summary).toMatch(
    /\| `RSA_PUBLIC_KEY_2` \| \(empty\) \| <code title="SHA256:GvGn[^|]+\*\*new\*\* \|/,
  );
  expect(summary).toContain('| Account | acme-prod |');
  expect(summary).toContain(
    "| How the key in use was found | the key in 'current-private-key' is in RSA_PUBLIC_KEY |",
  );
  expect(summary).toContain('| Changed anything | yes |');
  expect(summary).toContain('| `repository:acme/app:SNOWFLAKE_PRIVATE_KEY` | ✅\u00a0updated |');
  expect(summary).toContain(`| New key | RSA_PUBLIC_KEY_2 | \`${NEW}\` |`);
  expect(summary).toContain(`| Kept (key in use) | RSA_PUBLIC_KEY | \`${OLD}\` |`);
  expect(summary).toContain('<details><summary>Step timings: 2 steps, 49 ms</summary>');
  // Fingerprints only: never the public key itself (and never anything private).
  expect(summary).not.toContain(PUBLIC_BODY);
});

test('a failed rotation names the failed step and the roll-back before the message', () => {
  const summary = rotationSummary(
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
  );
  expect(summary).toContain('### ❌ Snowflake key rotation failed for `SVC_LOADER`');
  expect(summary).toContain('**Failed at step `store-secret`.** 1 change rolled back.');
  expect(summary).toContain(
    '> Step store-secret failed: 403. Rolled back: restore RSA_PUBLIC_KEY_2 of SVC_LOADER',
  );
  expect(summary).toContain('| Key slot of SVC_LOADER | Before | Attempted |');
  expect(summary).toContain('❌\u00a0failed');
});

test('a dry run says what would happen', () => {
  const summary = rotationSummary(
    rotation({ dryRun: true, changed: false, fingerprint: undefined, rotatedAt: undefined }),
  );
  expect(summary).toContain('### 📝 Snowflake key rotation planned (dry run) for `SVC_LOADER`');
  expect(summary).toContain('Nothing was changed.');
  expect(summary).toContain('**a new key** (not generated in a dry run)');
  expect(summary).toContain('| Would store the key in | Result |');
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
  const summary = setupSummary(result);
  expect(summary).toContain('### ✅ Snowflake setup applied: `snowflake/segment.yml`');
  expect(summary).toContain('1 statement run, 1 user given a first key, stored in 1 secret.');
  expect(summary).toContain('| ✅\u00a0done | `CREATE ROLE IF NOT EXISTS "SEGMENT"` |');
  expect(summary).toContain(
    `| \`SEGMENT_USER\` | ✅\u00a0installed | ${fingerprint(NEW)} | \`repository:acme/app:KEY\` |`,
  );
  expect(summary).toContain(`| SEGMENT_USER | \`${NEW}\` |`);
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
  const summary = verifySummary(result);
  expect(summary.split('\n')[0]).toBe(
    '### ❌ Snowflake verify: 1 error, 1 warning in 3 checks (`snowflake/segment.yml`)',
  );
  const errors = summary.indexOf('#### ❌ Errors (1)');
  const warnings = summary.indexOf('#### ⚠️ Warnings (1)');
  expect(errors).toBeGreaterThan(0);
  expect(warnings).toBeGreaterThan(errors);
  expect(summary).toContain(
    '| line\u00a012 | role SEGMENT lacks USAGE on warehouse WH<br><sub>role `SEGMENT` · check: USAGE on warehouse WH to SEGMENT</sub> | `GRANT USAGE ON WAREHOUSE "WH" TO ROLE "SEGMENT"` |',
  );
  expect(summary).toContain('| ❌ Roles | 2 | 1 | 1 | 0 |');
  expect(summary).toContain('| ⚠️ Users | 1 | 0 | 0 | 1 |');
  expect(summary).toContain('| max-key-age | 90d |');
});

test('a failure before any mode: the message quoted line by line, escaped, and redacted before escaping', () => {
  maskSecret('pass<word>|with-specials', () => undefined);
  const summary = failureSummary(
    "Input 'spec' is invalid\nrules.yml:3: <oops>\nechoed: pass<word>|with-specials",
  );
  expect(summary).toBe(
    [
      '### ❌ Snowflake key pair action failed',
      '',
      "> Input 'spec' is invalid<br>",
      '> rules.yml:3: &lt;oops&gt;<br>',
      '> echoed: ***',
      '',
    ].join('\n'),
  );
});

test('names that would break a code span or a table stay inside their cell', () => {
  const summary = rotationSummary(rotation({ user: 'we`ird|name' }));
  expect(summary).toContain('### ✅ Snowflake key rotated for ``we`ird\\|name``');
});
