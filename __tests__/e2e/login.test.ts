import { fingerprintOf } from '../../src/keys.js';
import { expectNoLeaks } from '../harness/leak-scan.js';
import {
  ADMIN,
  ADMIN_ROLE,
  REPOSITORY,
  SERVICE_USER,
  type TestKey,
  World,
  newKey,
} from '../harness/world.js';
import { useProvisionedWorld } from '../harness/world-hooks.js';

/**
 * Every way the rotating session can log in, end to end (dist/index.js, the real SDK, both emulators), and
 * every way a login fails: each failure says what to do, comes within seconds, and changes nothing.
 */

let world: World;
let adminKey: TestKey;
let firstKey: TestKey;

const WIF_USER = 'KEY_ROTATOR_WIF';
const SUBJECT = `repo:${REPOSITORY}:environment:production`;
/** A failure must come within seconds; the bound includes starting the emulators. */
const FAILURE_BOUND_MS = 10_000;

useProvisionedWorld((started) => ({ world, adminKey, firstKey } = started));

beforeEach(async () => {
  // A rotator with no secret at all: GitHub's OIDC token for this repository's production environment.
  await world.sf.sql(
    `CREATE USER ${WIF_USER} TYPE = SERVICE DEFAULT_ROLE = ${ADMIN_ROLE} WORKLOAD_IDENTITY = (TYPE = OIDC ISSUER = 'https://token.actions.githubusercontent.com' SUBJECT = '${SUBJECT}')`,
  );
  await world.sf.sql(`GRANT ROLE ${ADMIN_ROLE} TO USER ${WIF_USER}`);
});

/** Inputs of a rotation by `login` instead of the admin's private key. */
function inputsWith(login: Record<string, string | undefined>): Record<string, string | undefined> {
  return world.rotateInputs(adminKey, {
    'private-key': undefined,
    'current-private-key': firstKey.pem,
    ...login,
  });
}

async function expectRotated(run: Awaited<ReturnType<World['run']>>): Promise<void> {
  expect(run.errors).toEqual([]);
  expect(run.exitCode).toBe(0);
  const stored = (await world.secretValue('SNOWFLAKE_PRIVATE_KEY')) ?? '';
  expect(await world.login(SERVICE_USER, stored)).toBe('ok');
  expect(await world.login(SERVICE_USER, firstKey.pem)).toBe('ok');
  expectNoLeaks(run, world.secrets);
}

async function expectRefusedWithoutChange(
  run: Awaited<ReturnType<World['run']>>,
  message: RegExp,
): Promise<void> {
  expect(run.exitCode).toBe(1);
  expect(run.errors.join('\n')).toMatch(message);
  expect(await world.changes()).toEqual([]);
  expect(await world.gh.secrets()).toEqual([]);
  expect(run.outputs.changed ?? 'false').toBe('false');
  expectNoLeaks(run, world.secrets);
}

describe('logging in', () => {
  test('by workload identity: the job OIDC token of the GitHub emulator, no Snowflake secret in the inputs', async () => {
    const run = await world.run(inputsWith({ user: undefined, 'workload-identity': 'true' }));
    await expectRotated(run);
    expect(run.visibleLog).toContain(
      'logged in to testorg-testaccount as the workload identity user (workload-identity)',
    );
    const login = (await world.sf.log()).find(
      (e) => e.kind === 'login' && e.authenticator === 'WORKLOAD_IDENTITY',
    );
    expect(login).toMatchObject({ ok: true, user: WIF_USER });
  });

  test('by OAuth access token', async () => {
    const token = 'oauth-access-token-0123456789abcdef';
    world.secrets['oauth token'] = token;
    await world.sf.registerToken({ type: 'oauth', token, user: ADMIN, role: ADMIN_ROLE });
    await expectRotated(await world.run(inputsWith({ 'oauth-token': token })));
  });

  test('by programmatic access token', async () => {
    const token = 'pat-secret-0123456789abcdefghijklmnop';
    world.secrets['programmatic access token'] = token;
    await world.sf.registerToken({
      type: 'pat',
      token,
      user: ADMIN,
      role: ADMIN_ROLE,
      networkPolicyRequired: false,
    });
    await expectRotated(await world.run(inputsWith({ 'programmatic-access-token': token })));
  });
});

describe('a failed login says what to do, within seconds, and changes nothing', () => {
  test(
    'a key Snowflake does not know: the fingerprint sent and the ALTER USER that registers it',
    async () => {
      const wrong = newKey();
      world.secrets['wrong key'] = wrong.pem;
      const run = await world.run(world.rotateInputs(wrong, { 'current-private-key': firstKey.pem }));
      await expectRefusedWithoutChange(
        run,
        new RegExp(
          `rejected the key-pair login of user KEY_ROTATOR .*390144.*fingerprint ${fingerprintOf(wrong.publicBody).replace(/[+/]/g, '.')}.*RSA_PUBLIC_KEY_FP and RSA_PUBLIC_KEY_2_FP of DESC USER "KEY_ROTATOR".*ALTER USER "KEY_ROTATOR" SET RSA_PUBLIC_KEY_2 = '${wrong.publicBody.slice(0, 20).replace(/[+/]/g, '.')}`,
          's',
        ),
      );
    },
    FAILURE_BOUND_MS,
  );

  test(
    'a wrong passphrase, a public key pasted by mistake, a truncated PEM, text that is no key; a PKCS#1 key works with a warning',
    async () => {
      const encrypted = adminKey.privateKey
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'the-right-passphrase' })
        .toString();
      const publicPem = `-----BEGIN PUBLIC KEY-----\n${adminKey.publicBody.match(/.{1,64}/g)?.join('\n')}\n-----END PUBLIC KEY-----\n`;
      world.secrets['wrong passphrase'] = 'a-wrong-passphrase';
      world.secrets['right passphrase'] = 'the-right-passphrase';
      const cases: [Record<string, string>, RegExp][] = [
        [
          { 'private-key': encrypted, 'private-key-passphrase': 'a-wrong-passphrase' },
          /Input 'private-key' could not be decrypted with 'private-key-passphrase'/,
        ],
        [
          { 'private-key': encrypted },
          /Input 'private-key' is encrypted.*Pass its passphrase in 'private-key-passphrase'/s,
        ],
        [
          { 'private-key': publicPem },
          /Input 'private-key' holds a public key, not a private key.*Pass the private half/s,
        ],
        [
          { 'private-key': adminKey.pem.split('\n').slice(0, 12).join('\n') },
          /Input 'private-key' is truncated/,
        ],
        [{ 'private-key': 'ghp_not-a-key-at-all' }, /Input 'private-key' is not a PEM private key/],
      ];
      for (const [login, message] of cases) {
        const run = await world.run(
          world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem, ...login }),
        );
        await expectRefusedWithoutChange(run, message);
        expect((await world.sf.log()).filter((e) => e.via === 'sdk')).toEqual([]);
      }
      const pkcs1 = adminKey.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
      world.secrets['admin key as PKCS#1'] = pkcs1;
      const run = await world.run(
        world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem, 'private-key': pkcs1 }),
      );
      expect(run.errors).toEqual([]);
      expect(run.warnings.join('\n')).toMatch(/PKCS#1 key .*Snowflake's own clients want PKCS#8/);
      expectNoLeaks(run, world.secrets);
    },
    6 * FAILURE_BOUND_MS,
  );

  test(
    'a disabled user',
    async () => {
      await world.sf.sql(`ALTER USER ${ADMIN} SET DISABLED = TRUE`);
      await world.sf.clearLog();
      const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }));
      await expectRefusedWithoutChange(
        run,
        /user KEY_ROTATOR .* is disabled \(390101\).*ALTER USER "KEY_ROTATOR" SET DISABLED = FALSE/s,
      );
    },
    FAILURE_BOUND_MS,
  );

  test(
    'workload identity in a job without id-token: write',
    async () => {
      const run = await world.run(inputsWith({ user: undefined, 'workload-identity': 'true' }), {
        env: { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
      });
      await expectRefusedWithoutChange(
        run,
        /Input 'workload-identity' is 'true', but this job cannot request an OIDC token.*permissions: id-token: write/s,
      );
      expect((await world.sf.log()).filter((e) => e.via === 'sdk')).toEqual([]);
    },
    FAILURE_BOUND_MS,
  );

  test(
    'workload identity for another subject: the subject and audience shown, with the ALTER USER that would match',
    async () => {
      await world.gh.addIdTokenRequest({
        requestToken: 'staging-job-request-token-0123456789',
        claims: { repository: REPOSITORY, environment: 'staging' },
      });
      world.secrets['staging request token'] = 'staging-job-request-token-0123456789';
      const run = await world.run(inputsWith({ user: undefined, 'workload-identity': 'true' }), {
        env: { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'staging-job-request-token-0123456789' },
      });
      await expectRefusedWithoutChange(
        run,
        /refused the workload identity login .*subject is 'repo:acme\/app:environment:staging', its audience 'snowflakecomputing.com'.*ALTER USER <rotator> SET WORKLOAD_IDENTITY = \(TYPE = OIDC ISSUER = 'https:\/\/token.actions.githubusercontent.com' SUBJECT = 'repo:acme\/app:environment:staging'\)/s,
      );
    },
    FAILURE_BOUND_MS,
  );

  test(
    'workload identity with an audience the user does not accept',
    async () => {
      const run = await world.run(
        inputsWith({ user: undefined, 'workload-identity': 'true', 'oidc-audience': 'sts.amazonaws.com' }),
      );
      await expectRefusedWithoutChange(
        run,
        /its audience 'sts.amazonaws.com'.*OIDC_AUDIENCE_LIST = \('sts.amazonaws.com'\)/s,
      );
    },
    FAILURE_BOUND_MS,
  );

  test(
    'an invalid OAuth token, an expired one, and an invalid programmatic access token',
    async () => {
      const expired = 'oauth-expired-token-0123456789abcdef';
      world.secrets['expired oauth token'] = expired;
      await world.sf.registerToken({
        type: 'oauth',
        token: expired,
        user: ADMIN,
        expiresAt: '2020-01-01T00:00:00Z',
      });
      const cases: [Record<string, string>, RegExp][] = [
        [
          { 'oauth-token': 'oauth-unknown-token-0123456789abcd' },
          /rejected 'oauth-token' .*the token is invalid \(390303\)/s,
        ],
        [
          { 'oauth-token': expired },
          /rejected 'oauth-token' .*the token has expired \(390318\).*fresh access token/s,
        ],
        [
          { 'programmatic-access-token': 'pat-unknown-token-0123456789abcdef' },
          /rejected 'programmatic-access-token' .*\(394400\)/s,
        ],
      ];
      for (const [login, message] of cases) {
        for (const value of Object.values(login)) world.secrets[`token ${value.slice(0, 8)}`] = value;
        await expectRefusedWithoutChange(await world.run(inputsWith(login)), message);
      }
    },
    3 * FAILURE_BOUND_MS,
  );

  test(
    "a network policy that does not allow the runner's address, and a programmatic token without any policy",
    async () => {
      await world.sf.sql(`CREATE NETWORK POLICY OFFICE_ONLY ALLOWED_IP_LIST = ('198.51.100.0/24')`);
      await world.sf.sql(`ALTER USER ${ADMIN} SET NETWORK_POLICY = OFFICE_ONLY`);
      await world.sf.clientIp('203.0.113.7');
      await world.sf.clearLog();
      const blocked = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }));
      await expectRefusedWithoutChange(
        blocked,
        /A network policy blocks the runner's address from logging in as user KEY_ROTATOR .*\(390422\).*egress addresses/s,
      );

      await world.sf.sql(`ALTER USER ${ADMIN} UNSET NETWORK_POLICY`);
      const token = 'pat-needs-policy-0123456789abcdefghij';
      world.secrets['pat without policy'] = token;
      await world.sf.registerToken({ type: 'pat', token, user: ADMIN, role: ADMIN_ROLE });
      await expectRefusedWithoutChange(
        await world.run(inputsWith({ 'programmatic-access-token': token })),
        /requires a network policy for programmatic access tokens .*\(390432\).*ALTER USER "KEY_ROTATOR" SET NETWORK_POLICY/s,
      );
    },
    2 * FAILURE_BOUND_MS,
  );

  test(
    'a host that does not answer the login',
    async () => {
      await world.sf.fault({ on: 'login', action: 'delay', delayMs: 30_000 });
      const run = await world.run(world.rotateInputs(adminKey, { 'current-private-key': firstKey.pem }));
      await expectRefusedWithoutChange(
        run,
        /Snowflake at http:\/\/127.0.0.1:\d+ did not answer the login within 8 s/,
      );
    },
    FAILURE_BOUND_MS + 2_000,
  );

  test(
    'an account that does not resolve',
    async () => {
      const run = await world.run(
        world.rotateInputs(adminKey, {
          'current-private-key': firstKey.pem,
          'snowflake-url': 'https://no-such-account.invalid',
        }),
      );
      expect(run.exitCode).toBe(1);
      expect(run.errors.join('\n')).toMatch(
        /Could not reach Snowflake at https:\/\/no-such-account.invalid .*Check 'account' or 'snowflake-url'/s,
      );
      expectNoLeaks(run, world.secrets);
    },
    FAILURE_BOUND_MS,
  );
});
