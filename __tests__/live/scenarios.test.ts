import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintOf } from '../../src/keys.js';
import type { ActionRun } from '../harness/run-action.js';
import { type TestKey, newKey } from '../harness/world.js';
import { SqlFailure, identifier, loginResult, quote } from './clients.js';
import { recordSkipped } from './fidelity/compare.js';
import { describeLive, useLiveSuite } from './suite.js';

/**
 * The end-to-end scenarios against the configured services: dist/index.js run as the runner runs it (every run
 * scanned for leaks), checked only through what a real client can see: SQL as the admin, logins with keys this
 * test made, and GitHub's metadata (never a secret's value).
 */

describeLive('live scenarios', () => {
  const s = useLiveSuite('E2E');
  const name = (what: string): string => `${s().prefix}${what}`;
  let rotatorKey: TestKey;
  let firstKey: TestKey;

  beforeAll(async () => {
    rotatorKey = newKey();
    firstKey = newKey();
    s().secrets['rotator key'] = rotatorKey.pem;
    s().secrets['first service key'] = firstKey.pem;
    // The rotator of the README's quick start: a service user whose role owns the target user and nothing more.
    // The admin's role inherits it (Snowflake's advice), so that the admin may read the target user.
    const { admin, config } = s();
    await admin.sql(`CREATE ROLE ${quote(name('ROTATOR_ROLE'))}`);
    await admin.sql(
      `CREATE USER ${quote(name('ROTATOR'))} TYPE = SERVICE DEFAULT_ROLE = ${quote(name('ROTATOR_ROLE'))} RSA_PUBLIC_KEY = '${rotatorKey.publicBody}'`,
    );
    await admin.sql(`GRANT ROLE ${quote(name('ROTATOR_ROLE'))} TO USER ${quote(name('ROTATOR'))}`);
    await admin.sql(`GRANT ROLE ${quote(name('ROTATOR_ROLE'))} TO ROLE ${identifier(config.adminRole)}`);
    await admin.sql(
      `CREATE USER ${quote(name('SVC'))} TYPE = SERVICE RSA_PUBLIC_KEY = '${firstKey.publicBody}'`,
    );
    await admin.sql(`GRANT OWNERSHIP ON USER ${quote(name('SVC'))} TO ROLE ${quote(name('ROTATOR_ROLE'))}`);
  });

  const rotateInputs = (
    overrides: Record<string, string | undefined> = {},
  ): Record<string, string | undefined> => ({
    mode: 'rotate',
    user: name('ROTATOR'),
    'private-key': rotatorKey.pem,
    'target-user': name('SVC'),
    'current-private-key': firstKey.pem,
    'github-token': s().config.githubToken,
    'secret-name': name('SVC_KEY'),
    'secret-repository': s().config.repository,
    'fingerprint-variable': name('SVC_KEY_FP'),
    // The first key was set seconds ago: the grace period protects consumers of older keys, of which there are none.
    'grace-period': '0s',
    ...overrides,
  });

  function expectSuccess(run: ActionRun): void {
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
  }

  describe('rotate', () => {
    let firstRotation: ActionRun;

    test('puts a new key in the free slot, stores it, records its fingerprint; the key in use still logs in', async () => {
      expect(await s().secretUpdatedAt(name('SVC_KEY'))).toBeUndefined();
      const run = await s().run(rotateInputs());
      expectSuccess(run);
      firstRotation = run;
      const desc = await s().describeUser(name('SVC'));
      expect(run.outputs).toMatchObject({
        user: name('SVC'),
        slot: 'RSA_PUBLIC_KEY_2',
        'previous-fingerprint': fingerprintOf(firstKey.publicBody),
        changed: 'true',
        'secrets-written': `repository:${s().config.repository}:${name('SVC_KEY')}`,
      });
      expect(desc.RSA_PUBLIC_KEY_2_FP).toBe(run.outputs.fingerprint);
      expect(desc.RSA_PUBLIC_KEY_FP).toBe(fingerprintOf(firstKey.publicBody));
      expect(await s().secretUpdatedAt(name('SVC_KEY'))).toEqual(expect.any(String));
      expect(await s().variableValue(name('SVC_KEY_FP'))).toBe(run.outputs.fingerprint);
      // The admin holds the key in use, not the new one (GitHub never returns a secret's value).
      expect(await loginResult(s().config, { user: name('SVC'), privateKey: firstKey.pem })).toBe('ok');
    });

    test('a second rotation replaces the key it stored before, and updates the secret in place', async () => {
      const before = (await s().secretUpdatedAt(name('SVC_KEY'))) ?? '';
      const run = await s().run(rotateInputs());
      expectSuccess(run);
      expect(run.outputs).toMatchObject({
        slot: 'RSA_PUBLIC_KEY_2',
        'replaced-fingerprint': firstRotation.outputs.fingerprint,
        'previous-fingerprint': fingerprintOf(firstKey.publicBody),
      });
      const desc = await s().describeUser(name('SVC'));
      expect(desc.RSA_PUBLIC_KEY_2_FP).toBe(run.outputs.fingerprint);
      expect(desc.RSA_PUBLIC_KEY_2_FP).not.toBe(firstRotation.outputs.fingerprint);
      expect(Date.parse((await s().secretUpdatedAt(name('SVC_KEY'))) ?? '')).toBeGreaterThanOrEqual(
        Date.parse(before),
      );
      expect(await s().variableValue(name('SVC_KEY_FP'))).toBe(run.outputs.fingerprint);
      expect(await loginResult(s().config, { user: name('SVC'), privateKey: firstKey.pem })).toBe('ok');
    });
  });

  describe('logging in', () => {
    test('by key pair: an unregistered key is refused (390144) with its fingerprint; the registered one works', async () => {
      const wrong = newKey();
      s().secrets['unregistered key'] = wrong.pem;
      const refused = await s().run(rotateInputs({ 'private-key': wrong.pem, 'dry-run': 'true' }));
      expect(refused.exitCode).toBe(1);
      expect(refused.errors.join('\n')).toMatch(/390144/);
      expect(refused.errors.join('\n')).toContain(fingerprintOf(wrong.publicBody));
      const dry = await s().run(rotateInputs({ 'dry-run': 'true' }));
      expectSuccess(dry);
      expect(dry.outputs.changed).toBe('false');
    });

    test('by programmatic access token (where the service lets the admin make one)', async () => {
      const { admin } = s();
      await admin.sql(`CREATE NETWORK POLICY ${quote(name('PAT_POLICY'))} ALLOWED_IP_LIST = ('0.0.0.0/0')`);
      // Snowflake requires a network policy on a user that logs in with a programmatic access token.
      await admin.sql(
        `ALTER USER ${quote(name('ROTATOR'))} SET NETWORK_POLICY = ${quote(name('PAT_POLICY'))}`,
      );
      let token: string;
      try {
        const rows = await admin.sql(
          `ALTER USER ${quote(name('ROTATOR'))} ADD PROGRAMMATIC ACCESS TOKEN ${quote(name('PAT'))} ROLE_RESTRICTION = '${name('ROTATOR_ROLE')}' DAYS_TO_EXPIRY = 1`,
        );
        token = String(rows[0]?.token_secret ?? '');
      } catch (error) {
        // A service that does not know the statement (a compilation error, 0010xx) cannot make a token: say so
        // in the report. Anything else (e.g. a missing privilege) is a failure.
        if (error instanceof SqlFailure && /^0010\d\d$/.test(error.error.code)) {
          recordSkipped(
            'programmatic access token login',
            `the service refused ALTER USER ... ADD PROGRAMMATIC ACCESS TOKEN with ${error.error.code}`,
          );
          return;
        }
        throw error;
      }
      expect(token).not.toBe('');
      s().secrets['programmatic access token'] = token;
      const run = await s().run(
        rotateInputs({ 'private-key': undefined, 'programmatic-access-token': token, 'dry-run': 'true' }),
      );
      expectSuccess(run);
      expect(run.visibleLog).toMatch(/logged in to .* as .*programmatic-access-token/);
    });
  });

  describe('setup and verify from a spec', () => {
    let files: Record<string, string>;
    let specDir: string;

    beforeAll(async () => {
      const { config } = s();
      // Every name carries the prefix; the user's policy admits any address, so the proof login works anywhere.
      const spec = [
        '# Generated by __tests__/live/scenarios.test.ts',
        'version: 1',
        'warehouses:',
        `  - { name: ${name('WH')}, size: XSMALL, type: STANDARD, auto_suspend: 60, auto_resume: true }`,
        'network_policies:',
        `  - { name: ${name('POLICY')}, allowed_ip_list: [0.0.0.0/0] }`,
        'roles:',
        `  - name: ${name('APP')}`,
        '    privileges:',
        `      - { on: warehouse, name: ${name('WH')}, privileges: [USAGE] }`,
        'users:',
        `  - name: ${name('APP_USER')}`,
        '    type: SERVICE',
        `    default_role: ${name('APP')}`,
        `    roles: [${name('APP')}]`,
        `    network_policy: ${name('POLICY')}`,
        '    key:',
        `      secret: { name: ${name('APP_KEY')}, repository: ${config.repository}, environment: ${config.environment} }`,
        '      max_age: 90d',
        '',
      ].join('\n');
      specDir = await mkdtemp(join(tmpdir(), 'live-spec-'));
      await writeFile(join(specDir, 'access.yml'), spec);
      files = { 'snowflake/access.yml': spec };
    });

    afterAll(async () => {
      await rm(specDir, { recursive: true, force: true });
    });

    const specInputs = (mode: string, overrides: Record<string, string | undefined> = {}) => ({
      mode,
      spec: 'snowflake/access.yml',
      user: s().config.adminUser,
      'private-key': s().config.adminPrivateKey,
      role: s().config.adminRole,
      ...overrides,
    });

    test('setup creates every object and the first key, stored in the environment; a second run changes nothing', async () => {
      const { config } = s();
      const run = await s().run(specInputs('setup', { 'github-token': config.githubToken }), files);
      expectSuccess(run);
      expect(run.outputs.changed).toBe('true');
      expect(run.outputs['secrets-written']).toBe(
        `environment:${config.repository}:${config.environment}:${name('APP_KEY')}`,
      );
      const desc = await s().describeUser(name('APP_USER'));
      expect(desc.RSA_PUBLIC_KEY_FP).toBe(run.outputs.fingerprint);
      expect(desc.TYPE).toBe('SERVICE');
      expect(await s().secretUpdatedAt(name('APP_KEY'), config.environment)).toEqual(expect.any(String));
      const warehouses = await s().admin.sql(`SHOW WAREHOUSES LIKE '${name('WH')}'`);
      expect(warehouses).toEqual([expect.objectContaining({ name: name('WH'), size: 'X-Small' })]);
      const grants = await s().admin.sql(`SHOW GRANTS TO ROLE ${quote(name('APP'))}`);
      expect(grants).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ privilege: 'USAGE', granted_on: 'WAREHOUSE', name: name('WH') }),
        ]),
      );
      const users = await s().admin.sql(`SHOW USERS LIKE '${name('APP_USER')}'`);
      expect(users).toEqual([expect.objectContaining({ name: name('APP_USER'), default_role: name('APP') })]);

      const again = await s().run(specInputs('setup', { 'github-token': config.githubToken }), files);
      expectSuccess(again);
      expect(again.outputs.changed).toBe('false');
      expect(again.visibleLog).toContain('plan: nothing to change');
    });

    const findingsOf = (run: ActionRun): { check: string; severity: string }[] => {
      const [text] = Object.entries(run.tempFiles)
        .filter(([path]) => /snowflake-keypair-action-.*\.json$/.test(path))
        .map(([, content]) => content);
      return (
        (JSON.parse(text ?? '{}') as { findings?: { check: string; severity: string }[] }).findings ?? []
      );
    };

    test('verify finds the account clean, then reports a revoked and an undeclared grant', async () => {
      const clean = await s().run(specInputs('verify', { strict: 'true' }), files);
      expectSuccess(clean);
      expect(clean.outputs.drift).toBe('0');
      expect(findingsOf(clean)).toEqual([]);

      await s().admin.sql(`REVOKE USAGE ON WAREHOUSE ${quote(name('WH'))} FROM ROLE ${quote(name('APP'))}`);
      await s().admin.sql(`GRANT MONITOR ON WAREHOUSE ${quote(name('WH'))} TO ROLE ${quote(name('APP'))}`);
      const drifted = await s().run(specInputs('verify', { strict: 'true' }), files);
      expect(drifted.exitCode).toBe(1);
      expect(drifted.outputs.drift).toBe('2');
      expect(
        findingsOf(drifted)
          .map((f) => [f.severity, f.check])
          .sort(),
      ).toEqual(
        [
          ['error', `USAGE on warehouse ${name('WH')} to ${name('APP')}`],
          ['error', `undeclared MONITOR on warehouse ${name('WH')}`],
        ].sort(),
      );
    });
  });
});
