import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RotateConfig, VerifyConfig } from '../../src/config.js';
import { readConfig as readConfigWith } from '../../src/inputs/read-config.js';
import { parseAccount, parseSnowflakeUrl, readProxy } from '../../src/inputs/snowflake-login.js';
import type { InputSource } from '../../src/inputs/source.js';
import { parseDuration, splitList } from '../../src/parse.js';
import { loadSpec } from '../../src/access-spec/load.js';
import { errorText } from '../harness/errors.js';

/** As main.ts calls it for a run with a spec (the parser is unused without one). */
const readConfig = (source: InputSource) => readConfigWith(source, loadSpec);

const encryptedCurrentKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'stored-key-phrase' })
  .toString();
const adminKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

function source(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): InputSource & { masked: string[] } {
  const masked: string[] = [];
  return {
    getInput: (name) => inputs[name] ?? '',
    env: { GITHUB_REPOSITORY: 'acme/app', RUNNER_TEMP: '/tmp/runner', ...env },
    setSecret: (value) => masked.push(value),
    masked,
  };
}

const rotateInputs = {
  mode: 'rotate',
  account: 'acme-prod',
  user: 'key_rotator',
  'private-key': adminKey,
  'target-user': 'segment_user',
  'github-token': 'ghs_exampletoken123',
  'secret-name': 'snowflake_private_key',
};

describe('readConfig for rotate', () => {
  test('defaults follow the interface', () => {
    const config = readConfig(source(rotateInputs));
    expect(config).toMatchObject({
      mode: 'rotate',
      dryRun: false,
      targetUser: 'SEGMENT_USER',
      keyBits: 2048,
      gracePeriodMs: 3_600_000,
      force: false,
      verifyLogin: true,
      retirePrevious: false,
      destinations: [{ kind: 'repository', owner: 'acme', repo: 'app', secretName: 'SNOWFLAKE_PRIVATE_KEY' }],
      github: { apiUrl: 'https://api.github.com' },
    });
    expect(config.snowflake).toMatchObject({
      account: 'acme-prod',
      user: 'KEY_ROTATOR',
      url: 'https://acme-prod.snowflakecomputing.com',
    });
  });

  test('secrets are masked before anything else, the decrypted key form included', () => {
    const src = source(rotateInputs);
    readConfig(src);
    expect(src.masked).toContain(adminKey);
    expect(src.masked).toContain('ghs_exampletoken123');
    for (const line of adminKey.trim().split('\n').slice(1, -1)) expect(src.masked).toContain(line);
  });

  test('an encrypted current-private-key opens with key-passphrase, the passphrase of the stored key', () => {
    const config = readConfig(
      source({
        ...rotateInputs,
        'current-private-key': encryptedCurrentKey,
        'key-passphrase': 'stored-key-phrase',
      }),
    );
    expect(config.mode === 'rotate' && config.currentPrivateKey?.container).toBe('encrypted-pkcs8');
  });

  test('a PKCS#1 login key works, with a warning that Snowflake clients want PKCS#8', () => {
    const pkcs1 = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    expect(readConfig(source({ ...rotateInputs, 'private-key': pkcs1 })).warnings).toEqual([
      expect.stringMatching(/PKCS#1 .*`openssl pkcs8 -topk8/),
    ]);
    expect(readConfig(source(rotateInputs)).warnings).toEqual([]);
  });

  test('the default URL turns underscores of the account name into hyphens, as Snowflake host names do', () => {
    expect(readConfig(source({ ...rotateInputs, account: 'acme-data_prod' })).snowflake.url).toBe(
      'https://acme-data-prod.snowflakecomputing.com',
    );
  });

  test('snowflake-secret resolves each part by the identifier rules', () => {
    expect(
      (
        readConfig(
          source({ ...rotateInputs, 'snowflake-secret': 'keys."My Schema".svc_key' }),
        ) as RotateConfig
      ).snowflakeSecret,
    ).toEqual({
      database: 'KEYS',
      schema: 'My Schema',
      name: 'SVC_KEY',
    });
  });

  test('a spec outside the workspace is refused', () => {
    const spec = {
      ...rotateInputs,
      mode: 'setup',
      'secret-name': '',
      'current-private-key': '',
      spec: '../../etc/passwd',
    };
    expect(errorText(() => readConfig(source(spec, { GITHUB_WORKSPACE: '/tmp/ws' })))).toMatch(
      /Input 'spec' names \.\.\/\.\.\/etc\/passwd, which is outside the workspace/,
    );
    const absolute = { ...spec, spec: '/proc/self/environ' };
    expect(errorText(() => readConfig(source(absolute, { GITHUB_WORKSPACE: '/tmp/ws' })))).toMatch(
      /outside the workspace/,
    );
  });

  describe('login methods', () => {
    const withoutKey = { ...rotateInputs, 'private-key': '' };
    const oidcEnv = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://runner/idtoken?x=1',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'rt',
    };

    test('workload identity: the audience defaults to snowflakecomputing.com; user is optional', () => {
      const config = readConfig(source({ ...withoutKey, user: '', 'workload-identity': 'true' }, oidcEnv));
      expect(config.snowflake.method).toEqual({
        kind: 'workload-identity',
        audience: 'snowflakecomputing.com',
      });
      expect(config.snowflake.user).toBeUndefined();
      expect(config.targetUser).toBe('SEGMENT_USER');
      const custom = readConfig(
        source({ ...withoutKey, 'workload-identity': 'true', 'oidc-audience': 'my-aud' }, oidcEnv),
      );
      expect(custom.snowflake.method).toEqual({ kind: 'workload-identity', audience: 'my-aud' });
    });

    test('workload identity to a host the SDK will not send the token to is refused', () => {
      const inputs = {
        ...withoutKey,
        'workload-identity': 'true',
        'snowflake-url': 'https://snowflake.corp.example',
      };
      expect(errorText(() => readConfig(source(inputs, oidcEnv)))).toMatch(
        /Input 'snowflake-url' points at snowflake.corp.example, where snowflake-sdk will not send a workload-identity token/,
      );
      const allowed = source(inputs, { ...oidcEnv, SNOWFLAKE_WIF_ALLOWED_HOST_SUFFIXES: 'corp.example' });
      expect(readConfig(allowed).snowflake.url).toBe('https://snowflake.corp.example');
    });

    test('workload identity without id-token: write is refused before any network call', () => {
      expect(errorText(() => readConfig(source({ ...withoutKey, 'workload-identity': 'true' })))).toMatch(
        /Input 'workload-identity' is 'true', but this job cannot request an OIDC token.*permissions: id-token: write/s,
      );
    });

    test('workload identity without user needs target-user', () => {
      const inputs = { ...withoutKey, user: '', 'target-user': '', 'workload-identity': 'true' };
      expect(errorText(() => readConfig(source(inputs, oidcEnv)))).toMatch(
        /Input 'target-user' is required with workload identity/,
      );
    });

    test('OAuth and programmatic access tokens are read and masked; user stays required', () => {
      const oauth = source({ ...withoutKey, 'oauth-token': 'oauth-access-token-123' });
      expect(readConfig(oauth).snowflake.method).toEqual({ kind: 'oauth', token: 'oauth-access-token-123' });
      expect(oauth.masked).toContain('oauth-access-token-123');
      const pat = source({ ...withoutKey, 'programmatic-access-token': 'pat-secret-value-456' });
      expect(readConfig(pat).snowflake.method).toEqual({
        kind: 'programmatic-access-token',
        token: 'pat-secret-value-456',
      });
      expect(pat.masked).toContain('pat-secret-value-456');
      expect(errorText(() => readConfig(source({ ...withoutKey, user: '', 'oauth-token': 't' })))).toMatch(
        /Input 'user' is required/,
      );
    });
  });

  test('target-user defaults to user (self-rotation)', () => {
    const { 'target-user': _, ...inputs } = rotateInputs;
    expect(readConfig(source(inputs)).targetUser).toBe('KEY_ROTATOR');
  });

  test('environments fan out over repositories', () => {
    const config = readConfig(
      source({
        ...rotateInputs,
        'secret-repository': 'acme/a, acme/b',
        'secret-environment': 'prod\nstaging',
      }),
    );
    expect((config as RotateConfig).destinations).toHaveLength(4);
    expect((config as RotateConfig).destinations[3]).toEqual({
      kind: 'environment',
      owner: 'acme',
      repo: 'b',
      environment: 'staging',
      secretName: 'SNOWFLAKE_PRIVATE_KEY',
    });
  });

  test('organization destination with selected repositories', () => {
    const config = readConfig(
      source({
        ...rotateInputs,
        'secret-organization': 'acme',
        'secret-visibility': 'selected',
        'secret-selected-repositories': 'app,acme/etl',
      }),
    );
    expect((config as RotateConfig).destinations).toEqual([
      {
        kind: 'organization',
        org: 'acme',
        secretName: 'SNOWFLAKE_PRIVATE_KEY',
        visibility: 'selected',
        selectedRepositories: ['app', 'etl'],
      },
    ]);
  });

  test.each([
    [{ mode: '' }, /Input 'mode' is required/],
    [{ mode: 'rotat' }, /Input 'mode' is 'rotat'/],
    [{ account: '' }, /Input 'account' is required/],
    [{ user: '' }, /Input 'user' is required/],
    [
      { 'private-key': '' },
      /there is no way to log in to Snowflake.*exactly one of 'private-key', 'workload-identity: true'/s,
    ],
    [{ 'oauth-token': 'tok-oauth-123456' }, /Input 'oauth-token' is set together with 'private-key'/],
    [{ 'workload-identity': 'true' }, /Input 'workload-identity' is set together with 'private-key'/],
    [{ 'oidc-audience': 'sts' }, /Input 'oidc-audience' is set without 'workload-identity: true'/],
    [
      { 'private-key': '', 'private-key-passphrase': 'x', 'oauth-token': 't' },
      /Input 'private-key-passphrase' is set without 'private-key'/,
    ],
    [{ 'workload-identity': 'yes' }, /Input 'workload-identity' is 'yes', which is not a boolean/],
    [{ 'github-token': '' }, /Input 'github-token' is required.*GITHUB_TOKEN cannot write secrets/],
    [{ 'secret-name': '' }, /Input 'secret-name' is required/],
    [{ 'secret-name': 'GITHUB_KEY' }, /starts with GITHUB_/],
    [{ 'secret-name': '1KEY' }, /not a valid name/],
    [{ 'secret-name': 'MY-KEY' }, /not a valid name/],
    [{ 'key-bits': '1024' }, /Input 'key-bits' is '1024'.*2048, 3072, 4096/],
    [{ 'grace-period': 'soon' }, /Input 'grace-period' is 'soon', which is not a duration/],
    [{ force: 'yes' }, /Input 'force' is 'yes', which is not a boolean/],
    [{ 'dry-run': '1' }, /Input 'dry-run'/],
    [{ 'target-user': 'a;b' }, /input 'target-user'/],
    [{ role: 'x y' }, /input 'role'/],
    [{ 'secret-repository': 'acme' }, /Input 'secret-repository' has 'acme'/],
    [{ 'secret-repository': 'acme/app/x' }, /Input 'secret-repository'/],
    [{ 'secret-organization': 'acme', 'secret-repository': 'acme/app' }, /together with/],
    [
      { 'secret-organization': 'acme', 'secret-visibility': 'selected' },
      /Input 'secret-selected-repositories' is empty/,
    ],
    [
      {
        'secret-organization': 'acme',
        'secret-visibility': 'selected',
        'secret-selected-repositories': 'other/app',
      },
      /'other\/app', which is not in the organization acme/,
    ],
    [
      {
        'secret-organization': 'acme',
        'secret-visibility': 'selected',
        'secret-selected-repositories': 'acme/a/b',
      },
      /Input 'secret-selected-repositories' has 'acme\/a\/b'/,
    ],
    [
      { 'snowflake-secret': 'db.secret' },
      /input 'snowflake-secret' should have 3 parts.*database.schema.name/s,
    ],
    [
      { 'snowflake-secret': "db.s.x'; DROP" },
      /input 'snowflake-secret' is not a valid unquoted Snowflake identifier/,
    ],
    [{ 'fingerprint-variable': 'GITHUB_FP' }, /Input 'fingerprint-variable' 'GITHUB_FP' starts with GITHUB_/],
    [{ 'fingerprint-variable': 'fp-var' }, /Input 'fingerprint-variable' 'fp-var' is not a valid name/],
    [
      { 'retire-previous': 'true', 'verify-login': 'false' },
      /Input 'retire-previous' is 'true' while 'verify-login' is 'false'/,
    ],
    [
      { 'current-private-key': encryptedCurrentKey },
      /Input 'current-private-key' is encrypted.*key-passphrase/s,
    ],
    [{ 'secret-visibility': 'all' }, /applies to organization secrets only/],
    [{ 'snowflake-url': 'http://snowflake.example.com' }, /plain http.*loopback/],
    [{ 'current-private-key': 'nope' }, /Input 'current-private-key' is not a PEM private key/],
  ])('%j is refused with a message naming the input', (override, message) => {
    expect(errorText(() => readConfig(source({ ...rotateInputs, ...override })))).toMatch(message);
  });

  test('without GITHUB_REPOSITORY, secret-repository is required', () => {
    const src = source(rotateInputs);
    expect(errorText(() => readConfig({ ...src, env: {} }))).toMatch(
      /Input 'secret-repository' is empty and GITHUB_REPOSITORY is not set/,
    );
  });
});

describe('parseAccount', () => {
  test.each(['myorg-myaccount', 'xy12345', 'xy12345.us-east-2.aws', 'xy12345.eu-west-1'])(
    'accepts %s',
    (value) => {
      expect(parseAccount(value)).toBe(value);
    },
  );

  test('a pasted URL gets the identifier to use', () => {
    expect(errorText(() => parseAccount('https://myorg-myaccount.snowflakecomputing.com/'))).toMatch(
      /Use 'account: myorg-myaccount'/,
    );
    expect(errorText(() => parseAccount('xy12345.us-east-1.snowflakecomputing.com'))).toMatch(
      /host name.*Use 'account: xy12345.us-east-1'/,
    );
  });

  test.each(['my org', 'acme/prod', "x'--", 'a.b.c.d'])('refuses %j', (value) => {
    expect(errorText(() => parseAccount(value))).toMatch(
      /Input 'account' is not a Snowflake account identifier/,
    );
  });
});

describe('parseSnowflakeUrl', () => {
  test('defaults to the account host', () => {
    expect(parseSnowflakeUrl(undefined, 'MyOrg-Acct')).toBe('https://myorg-acct.snowflakecomputing.com');
  });
  test.each([
    'http://127.0.0.1:8080',
    'http://localhost:1',
    'http://[::1]:9',
    'https://x.privatelink.snowflakecomputing.com',
  ])('accepts %s', (url) => {
    expect(parseSnowflakeUrl(url, 'a')).toBe(new URL(url).origin);
  });
  test.each([
    ['http://10.0.0.1', /plain http/],
    ['ftp://x', /uses 'ftp:'/],
    ['https://u:p@x.com', /credentials/],
    ['https://x.com/path', /path/],
    ['not a url', /is not a URL/],
  ])('refuses %s', (url, message) => {
    expect(errorText(() => parseSnowflakeUrl(url, 'a'))).toMatch(message);
  });
});

describe('durations and lists', () => {
  test.each([
    ['90m', 5_400_000],
    ['1h', 3_600_000],
    ['36h', 129_600_000],
    ['7d', 604_800_000],
    ['0s', 0],
  ])('%s', (text, ms) => expect(parseDuration(text, 'grace-period')).toBe(ms));
  test.each(['', '1', 'h', '-1h', '1.5h', '1 hour'])('refuses %j', (text) => {
    expect(errorText(() => parseDuration(text, 'grace-period'))).toMatch(/Input 'grace-period'/);
  });
  test('lists take commas and new lines', () => {
    expect(splitList('a, b\nc,,\n d ')).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('readProxy', () => {
  test('masks the proxy password', () => {
    const masked: string[] = [];
    readProxy(
      { HTTPS_PROXY: 'http://user:s3cret-proxy@proxy:3128' },
      'https://a.snowflakecomputing.com',
      (v) => masked.push(v),
    );
    expect(masked).toContain('s3cret-proxy');
  });

  test('applies HTTPS_PROXY explicitly, never to loopback, honouring NO_PROXY', () => {
    expect(
      readProxy(
        { HTTPS_PROXY: 'http://user:p%40ss@proxy:3128' },
        'https://a.snowflakecomputing.com',
        () => undefined,
      ),
    ).toEqual({
      protocol: 'http',
      host: 'proxy',
      port: 3128,
      user: 'user',
      password: 'p@ss',
      noProxy: undefined,
    });
    expect(
      readProxy({ HTTPS_PROXY: 'http://proxy:3128' }, 'http://127.0.0.1:9000', () => undefined),
    ).toBeUndefined();
    expect(
      readProxy(
        { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.snowflakecomputing.com' },
        'https://a.snowflakecomputing.com',
        () => undefined,
      ),
    ).toBeUndefined();
    expect(readProxy({}, 'https://a.snowflakecomputing.com', () => undefined)).toBeUndefined();
  });
});

describe('readConfig for verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-inputs-'));
  writeFileSync(
    join(dir, 'access.yml'),
    'version: 1\nusers:\n  - name: svc\n    type: SERVICE\n    key:\n      secret:\n        name: K\n',
  );
  const verifyInputs = {
    mode: 'verify',
    account: 'acme-prod',
    user: 'auditor',
    'private-key': adminKey,
    spec: 'access.yml',
  };
  const read = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
    readConfig(source(inputs, { GITHUB_WORKSPACE: dir, ...env })) as VerifyConfig;

  test('defaults: max-key-age 90d, not strict, 16 reads at once', () => {
    expect(read(verifyInputs)).toMatchObject({
      mode: 'verify',
      maxKeyAgeMs: 90 * 86_400_000,
      strict: false,
      concurrency: 16,
      targetUser: 'SVC',
    });
    expect(
      read(
        { ...verifyInputs, 'max-key-age': '30d', strict: 'true' },
        { SNOWFLAKE_KEYPAIR_ACTION_READ_CONCURRENCY: '2' },
      ),
    ).toMatchObject({
      maxKeyAgeMs: 30 * 86_400_000,
      strict: true,
      concurrency: 2,
    });
  });

  test("current-private-key belongs to the spec's only keyed user and is masked", () => {
    const src = source(
      { ...verifyInputs, 'current-private-key': encryptedCurrentKey, 'key-passphrase': 'stored-key-phrase' },
      { GITHUB_WORKSPACE: dir },
    );
    const config = readConfig(src) as VerifyConfig;
    expect(config.keyUser).toBe('SVC');
    expect(config.currentPrivateKey?.fingerprint).toMatch(/^SHA256:/);
    expect(src.masked).toContain(encryptedCurrentKey);
  });

  test.each([
    [{ spec: '' }, /Input 'spec' is required with 'mode: verify'/],
    [{ 'secret-name': 'X' }, /Input 'secret-name' does not apply to 'mode: verify'/],
    [{ 'github-token': 'ghs_x' }, /Input 'github-token' does not apply to 'mode: verify'/],
    [{ 'fingerprint-variable': 'FP' }, /Input 'fingerprint-variable' cannot be read by 'mode: verify'/],
    [{ 'target-user': 'svc' }, /Input 'target-user' is set without 'current-private-key'/],
    [{ 'max-key-age': 'soon' }, /Input 'max-key-age' is 'soon', which is not a duration/],
  ])('%p is refused', (overrides, message) => {
    expect(errorText(() => read({ ...verifyInputs, ...overrides }))).toMatch(message);
  });
});
