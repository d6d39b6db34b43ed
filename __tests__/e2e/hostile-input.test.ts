import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { expectNoLeaks } from '../harness/leak-scan.js';
import type { ActionRun } from '../harness/run-action.js';
import { ADMIN, type TestKey, World, newKey } from '../harness/world.js';

/**
 * Hostile and malformed input, end to end: dist/index.js against both emulators, one table of cases. Every
 * input that reaches SQL (user, role, target-user, snowflake-secret) and every spec field that does, gets
 * quotes, statement separators, comments, backslashes, control characters, look-alike letters, over-long and
 * empty names; keys, durations, booleans, lists, account identifiers, URLs, secret names and destinations get
 * malformed values; specs get YAML bombs, binary, the wrong shape, unknown and duplicate keys.
 *
 * Each case must fail (exit code 1) with exactly one failure message (`::error::`) that names the input (or the
 * spec's file, line and field) and what is wrong with it, plus, for a spec problem, exactly one annotation on
 * the spec's own line saying the same; forge no workflow command; change nothing in Snowflake or GitHub (no
 * secret, no variable, `changed` not true); and leak nothing. What Snowflake may see is stated per case
 * (`snowflake`):
 * - `nothing`: refused while reading the inputs and the spec: no login, no statement, no GitHub request;
 * - `refused-login`: the only way to learn the name is wrong is a login, which Snowflake refuses; no statement;
 * - `reads`: a name that is valid but names nothing: logins and reads (DESC, SHOW, SELECT, the session's time
 *   zone) only, no statement that changes anything is even attempted, and GitHub is only read.
 */

type Mode = 'rotate' | 'setup' | 'verify';

interface Case {
  title: string;
  mode?: Mode;
  /** Overrides of the mode's working inputs; undefined removes one. */
  inputs?: Record<string, string | undefined>;
  /** An access spec, written to SPEC_PATH and named by `spec`. */
  spec?: string;
  /** Fragments of the one failure message, all case-specific (the input's name, the field, the problem). */
  error: string[];
  /** For a spec problem: the one annotation on the spec's own line. */
  annotation?: { line: number; path: string };
  snowflake?: 'nothing' | 'refused-login' | 'reads';
  /** Values of this case that must appear nowhere (on top of the world's keys and tokens). */
  secrets?: Record<string, string>;
}

const SPEC_PATH = 'snowflake/access.yml';
/** The spec setup and verify read when the case is about an input, not the spec. */
const VALID_SPEC = 'version: 1\nroles:\n  - name: reader\n';
const POOL_SIZE = 3;
const PASSPHRASE = 'correct horse battery staple';
const URL_PASSWORD = 'Sup3rS3cretPassw0rd';

// Keys, made once and shared by every world.
const adminKey: TestKey = newKey();
const serviceKey: TestKey = newKey();
const pem = (key: ReturnType<typeof generateKeyPairSync>['privateKey'], type: 'pkcs8') =>
  key.export({ type, format: 'pem' }).toString();
const key1024 = pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, 'pkcs8');
const encryptedAdminKey = adminKey.privateKey
  .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE })
  .toString();
const publicPem = createPublicKey(adminKey.privateKey).export({ type: 'spki', format: 'pem' }).toString();
const body = adminKey.pem.split('\n').slice(1, -2).join('\n');
const truncated = adminKey.pem.slice(0, Math.floor(adminKey.pem.length / 2));
const garbage =
  '-----BEGIN PRIVATE KEY-----\nThis is not base64 at all!!! ~~~ ^^^\n-----END PRIVATE KEY-----\n';
const armoured = (label: string, end = label): string =>
  `-----BEGIN ${label}-----\n${body}\n-----END ${end}-----\n`;
const KEY_SECRETS = {
  '1024-bit key': key1024,
  'encrypted admin key': encryptedAdminKey,
  passphrase: PASSPHRASE,
};

/** `version: 1` and the given lines: line N of the file is lines[N - 2]. */
const spec = (...lines: string[]): string => ['version: 1', ...lines, ''].join('\n');
const yamlBomb = spec(
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
  'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
  'roles: *i',
);
/** A spec with one user and whatever fields the case adds (indented under the user). */
const userSpec = (...fields: string[]): string =>
  spec('users:', '  - name: svc_loader_2', '    type: SERVICE', ...fields.map((field) => `    ${field}`));
/** A user with a key block, with the given secret fields and key fields. */
const keySpec = (secretFields: string[], keyFields: string[] = []): string =>
  userSpec('key:', '  secret:', ...secretFields.map((f) => `    ${f}`), ...keyFields.map((f) => `  ${f}`));
const roleSpec = (...fields: string[]): string =>
  spec('roles:', '  - name: reader', ...fields.map((field) => `    ${field}`));
const grantSpec = (on: string, name: string, privileges: string): string =>
  roleSpec('privileges:', `  - on: ${on}`, `    name: ${name}`, `    privileges: ${privileges}`);

/** The one message for an unquoted name with a stray character. */
const stray = (where: string, character: string, position: number): string[] => [
  `The Snowflake name in ${where} is not a valid unquoted Snowflake identifier: it has ${character} at position ${position}`,
];
/** The spec's wording of the same: `the name "..." is not a valid unquoted ...`. */
const strayInSpec = (value: string, character: string, position: number): string[] => [
  `the name ${JSON.stringify(value)} is not a valid unquoted Snowflake identifier: it has ${character} at position ${position}`,
];

/** Cases that change inputs only, one row each: [title, inputs, the message's fragments, mode (rotate)]. */
const inputCases = (rows: [string, Record<string, string | undefined>, string[], Mode?][]): Case[] =>
  rows.map(([title, inputs, error, mode]) => ({ title, inputs, error, ...(mode ? { mode } : {}) }));
/** Cases of a spec with one problem, one row each: [title, mode, spec, annotation's line and path, fragments]. */
const specCases = (rows: [string, Mode, string, number, string, string[]][]): Case[] =>
  rows.map(([title, mode, spec, line, path, error]) => ({
    title,
    mode,
    spec,
    annotation: { line, path },
    error,
  }));

const cases: Case[] = [
  // --- names that reach SQL, as inputs ---------------------------------------------------------------------
  // prettier-ignore
  ...inputCases([
    ['user with a double quote and a statement after it', { user: 'KEY_ROTATOR"; DROP USER SVC_LOADER; --' }, stray("input 'user'", 'U+0022 (")', 12)],
    ['user with a single quote and a statement after it', { user: "KEY_ROTATOR'; DROP USER SVC_LOADER; --" }, stray("input 'user'", "U+0027 (')", 12)],
    ['user with a /* */ comment inside', { user: 'KEY/* x */_ROTATOR' }, stray("input 'user'", 'U+002F (/)', 4)],
    ['user with a line break and a forged workflow command', { user: 'KEY_ROTATOR\n::error::forged' }, stray("input 'user'", 'U+000A', 12)],
    ["user with a Cyrillic 'А' that looks like a Latin A", { user: 'KEY_ROT\u0410TOR' }, stray("input 'user'", 'U+0410 (\u0410)', 8)],
    ['user in fullwidth letters', { user: '\uff2b\uff25\uff39_ROTATOR' }, stray("input 'user'", 'U+FF2B (\uff2b)', 1)],
    ['user with a zero-width space', { user: 'KEY_\u200bROTATOR' }, stray("input 'user'", 'U+200B', 5)],
    ['user that is an empty quoted name', { user: '""' }, ["The Snowflake name in input 'user' is an empty quoted name"]],
    ['user of blanks only', { user: '   \t ' }, ["Input 'user' is required"]],
    ['user with a lone quote inside quotes', { user: '"KEY"ROTATOR"' }, ["input 'user' has a lone double quote inside quotes", 'as ""']],
    ['role with a statement after it', { role: 'ROTATOR_ROLE; USE ROLE ACCOUNTADMIN' }, stray("input 'role'", 'U+003B (;)', 13)],
  ]),
  {
    title: 'role, validly quoted, carrying a GRANT: the login is refused and nothing runs',
    inputs: { role: '"ROTATOR_ROLE""; GRANT ROLE ACCOUNTADMIN TO USER KEY_ROTATOR; --"' },
    error: [
      'Step login failed',
      `Role 'ROTATOR_ROLE"; GRANT ROLE ACCOUNTADMIN TO USER KEY_ROTATOR; --' specified in the connect string is not granted to this user`,
      "'role' input",
    ],
    snowflake: 'refused-login',
  },
  // prettier-ignore
  ...inputCases([
    ['role with a tab inside quotes', { role: '"ROTATOR\tROLE"' }, ["input 'role' contains a control character (U+0009 at position 8)"]],
    ['target-user with a single-quote injection', { 'target-user': "SVC_LOADER' OR '1'='1" }, stray("input 'target-user'", "U+0027 (')", 11)],
  ]),
  {
    title: 'target-user, validly quoted, carrying a DROP: read, not found, nothing dropped',
    inputs: { 'target-user': '"SVC_LOADER""; DROP USER KEY_ROTATOR; --"' },
    error: [
      'Step read-target failed: Snowflake user SVC_LOADER"; DROP USER KEY_ROTATOR; -- does not exist',
      "Check 'target-user'",
    ],
    snowflake: 'reads',
  },
  {
    title: "target-user, quoted, with a Cyrillic 'А': read, not found",
    inputs: { 'target-user': '"SVC_LO\u0410DER"' },
    error: ['Step read-target failed: Snowflake user SVC_LO\u0410DER does not exist', "Check 'target-user'"],
    snowflake: 'reads',
  },
  // prettier-ignore
  ...inputCases([
    ["target-user, unquoted, with a Cyrillic 'А'", { 'target-user': 'SVC_LO\u0410DER' }, stray("input 'target-user'", 'U+0410 (\u0410)', 7)],
    ['target-user of 256 characters inside quotes', { 'target-user': `"${'s'.repeat(256)}"` }, ["input 'target-user' is 256 characters, longer than Snowflake's limit of 255 characters"]],
    ['target-user starting with a digit', { 'target-user': '1SVC_LOADER' }, ["input 'target-user' is not a valid unquoted Snowflake identifier: it starts with U+0031 (1)"]],
    ['target-user with an escape sequence inside quotes', { 'target-user': '"SVC\u001b[2JLOADER"' }, ["input 'target-user' contains a control character (U+001B at position 4)"]],
    ['snowflake-secret with two parts', { 'snowflake-secret': 'KEYS.PRIVATE' }, ["input 'snowflake-secret' should have 3 parts separated by dots, found 2"]],
    ['snowflake-secret with a statement in its last part', { 'snowflake-secret': 'KEYS.PRIVATE.K; DROP DATABASE KEYS' }, stray("input 'snowflake-secret'", 'U+003B (;)', 2)],
  ]),
  {
    title: 'snowflake-secret, validly quoted, carrying a DROP: read, not found, nothing written',
    inputs: { 'snowflake-secret': `KEYS.PRIVATE."K'; DROP DATABASE KEYS; --"` },
    error: [
      `Step prepare-destinations failed: Input 'snowflake-secret' names Snowflake secret "KEYS"."PRIVATE"."K'; DROP DATABASE KEYS; --", which does not exist, or which the session's role may not see`,
    ],
    snowflake: 'reads',
  },

  // --- keys ------------------------------------------------------------------------------------------------
  // prettier-ignore
  ...inputCases([
    ['private-key cut in half', { 'private-key': truncated }, ["Input 'private-key' is truncated: it has no END PRIVATE KEY footer line"]],
  ]),
  {
    title: 'private-key with a body that is not base64',
    inputs: { 'private-key': garbage },
    error: ["Input 'private-key' could not be read as a private key: the PEM body is damaged"],
    secrets: { 'garbage key': garbage },
  },
  // prettier-ignore
  ...inputCases([
    ['private-key in CERTIFICATE armour', { 'private-key': armoured('CERTIFICATE') }, ["Input 'private-key' holds a certificate, not a private key"]],
    ['private-key whose END line names another type', { 'private-key': armoured('PRIVATE KEY', 'RSA PRIVATE KEY') }, ["Input 'private-key' does not hold one PEM block: it begins with BEGIN PRIVATE KEY but ends with END RSA PRIVATE KEY"]],
    ['private-key that is a public key', { 'private-key': publicPem }, ["Input 'private-key' holds a public key, not a private key"]],
    ['private-key of 1024 bits', { 'private-key': key1024 }, ["Input 'private-key' is a 1024-bit RSA key", 'at least 2048 bits']],
  ]),
  {
    title: 'private-key encrypted, with the wrong passphrase',
    inputs: { 'private-key': encryptedAdminKey, 'private-key-passphrase': 'not the passphrase' },
    error: ["Input 'private-key' could not be decrypted with 'private-key-passphrase'"],
    secrets: { 'wrong passphrase': 'not the passphrase' },
  },
  {
    title: 'private-key that is a password, not a PEM',
    inputs: { 'private-key': 'hunter2-is-not-a-key' },
    error: ["Input 'private-key' is not a PEM private key: there is no BEGIN PRIVATE KEY header line"],
    secrets: { 'password given as a key': 'hunter2-is-not-a-key' },
  },
  // prettier-ignore
  ...inputCases([
    ['current-private-key that is a public key', { 'current-private-key': publicPem }, ["Input 'current-private-key' holds a public key, not a private key"]],
  ]),
  {
    title: 'current-private-key encrypted, with the wrong key-passphrase',
    inputs: { 'current-private-key': encryptedAdminKey, 'key-passphrase': 'not the passphrase' },
    error: ["Input 'current-private-key' could not be decrypted with 'key-passphrase'"],
    secrets: { 'wrong passphrase': 'not the passphrase' },
  },
  {
    title: 'two login methods at once',
    inputs: { 'programmatic-access-token': 'pat-0123456789abcdefghijklmnop' },
    error: ["Input 'programmatic-access-token' is set together with 'private-key'"],
    secrets: { 'programmatic access token': 'pat-0123456789abcdefghijklmnop' },
  },
  // prettier-ignore
  ...inputCases([
    ['key-bits of 1024', { 'key-bits': '1024' }, ["Input 'key-bits' is '1024'. Use one of: 2048, 3072, 4096"]],
  ]),

  // --- durations, booleans, choices ------------------------------------------------------------------------
  // prettier-ignore
  ...inputCases([
    ["grace-period '5' (no unit)", { 'grace-period': '5' }, ["Input 'grace-period' is '5', which is not a duration"]],
    ["grace-period '-1d'", { 'grace-period': '-1d' }, ["Input 'grace-period' is '-1d', which is not a duration"]],
    ["grace-period '1 fortnight'", { 'grace-period': '1 fortnight' }, ["Input 'grace-period' is '1 fortnight', which is not a duration"]],
    ["grace-period '99999999999d' (past what a date can hold)", { 'grace-period': '99999999999d' }, ["Input 'grace-period' is '99999999999d', longer than the limit of 36500d"]],
    ["max-key-age '0d'", { 'max-key-age': '0d' }, ["Input 'max-key-age' is zero, so every key would be too old"], 'verify'],
    ["force 'yes please'", { force: 'yes please' }, ["Input 'force' is 'yes please', which is not a boolean"]],
    ["strict 'maybe'", { strict: 'maybe' }, ["Input 'strict' is 'maybe', which is not a boolean"], 'verify'],
    ["mode 'destroy'", { mode: 'destroy' }, ["Input 'mode' is 'destroy'. Use one of: setup, rotate, verify"]],
  ]),

  // --- account and URL -------------------------------------------------------------------------------------
  // prettier-ignore
  ...inputCases([
    ['account with a statement after it', { account: 'myorg-myaccount; DROP USER X' }, ["Input 'account' is not a Snowflake account identifier: it has U+003B (;) at position 16"]],
    ['account given as a URL', { account: 'https://myorg-myaccount.snowflakecomputing.com' }, ["Input 'account' is a URL, not an account identifier", "Use 'account: myorg-myaccount'"]],
    ["account with a Cyrillic 'а'", { account: 'myorg-my\u0430ccount' }, ["Input 'account' is not a Snowflake account identifier: it has U+0430 (\u0430) at position 9"]],
    ['snowflake-url over plain http to another host', { 'snowflake-url': 'http://10.0.0.5:8080' }, ["Input 'snowflake-url' is plain http to 10.0.0.5, which would send login tokens unencrypted"]],
    ['snowflake-url over plain http to a name that starts like localhost', { 'snowflake-url': 'http://localhost.evil.example' }, ["Input 'snowflake-url' is plain http to localhost.evil.example"]],
    ['snowflake-url javascript:', { 'snowflake-url': 'javascript:alert(1)' }, ["Input 'snowflake-url' uses 'javascript:'"]],
  ]),
  {
    title: 'snowflake-url with credentials in it',
    inputs: { 'snowflake-url': `https://admin:${URL_PASSWORD}@acme.snowflakecomputing.com` },
    error: ["Input 'snowflake-url' has a path, query or credentials"],
    secrets: { 'password in the URL': URL_PASSWORD },
  },

  // --- secret names and destinations -----------------------------------------------------------------------
  // prettier-ignore
  ...inputCases([
    ['secret-name GITHUB_TOKEN', { 'secret-name': 'GITHUB_TOKEN' }, ["Input 'secret-name' 'GITHUB_TOKEN' starts with GITHUB_, which GitHub reserves"]],
    ['secret-name github_x (the prefix in any case)', { 'secret-name': 'github_x' }, ["Input 'secret-name' 'github_x' starts with GITHUB_, which GitHub reserves"]],
    ['secret-name starting with a digit', { 'secret-name': '1KEY' }, ["Input 'secret-name' '1KEY' is not a valid name", 'cannot start with a digit']],
    ['secret-name with a hyphen', { 'secret-name': 'MY-KEY' }, ["Input 'secret-name' 'MY-KEY' is not a valid name"]],
    ['secret-name in Cyrillic', { 'secret-name': '\u041a\u041b\u042e\u0427' }, ["Input 'secret-name' '\u041a\u041b\u042e\u0427' is not a valid name"]],
    ['secret-name carrying a forged workflow command after a line break', { 'secret-name': 'KEY\n::error::forged' }, ["Input 'secret-name' 'KEY\n::error::forged' is not a valid name"]],
    ['fingerprint-variable with the reserved prefix', { 'fingerprint-variable': 'GITHUB_FP' }, ["Input 'fingerprint-variable' 'GITHUB_FP' starts with GITHUB_"]],
    ['secret-repository without an owner', { 'secret-repository': 'acme' }, ["Input 'secret-repository' has 'acme', which is not a repository in owner/repo form"]],
    ['secret-repository list with a bad second entry', { 'secret-repository': 'acme/app, evil org/app' }, ["Input 'secret-repository' has 'evil org/app', which is not a repository"]],
    ['secret-organization that is a repository', { 'secret-organization': 'acme/app' }, ["Input 'secret-organization' has 'acme/app', which is not an organization name"]],
    ['secret-selected-repositories outside the organization', {'secret-organization': 'acme', 'secret-visibility': 'selected', 'secret-selected-repositories': 'other/x'}, ["Input 'secret-selected-repositories' has 'other/x', which is not in the organization acme"]],
  ]),
  // --- names that become a segment of a GitHub REST path (issue 17, item 3) --------------------------------
  // A dot segment, in any spelling fetch resolves ('.', '..', '%2e'), would move the request to another
  // endpoint; characters GitHub does not allow in a name are refused before any request too.
  ...['..', '.', '%2e%2e', '.%2E', '%2E'].map((environment): Case => ({
    title: `secret-environment '${environment}' (a dot segment)`,
    inputs: { 'secret-environment': environment },
    error: [
      `Input 'secret-environment' has an invalid environment name: '${environment}' is read by a URL as a step in its path ('.' or '..'), so GitHub's API cannot address an environment by that name. Use the name shown under Settings > Environments`,
    ],
  })),
  // prettier-ignore
  ...inputCases([
    ["secret-environment list whose second name is '..'", { 'secret-environment': 'production, ..' }, ["Input 'secret-environment' has an invalid environment name: '..' is read by a URL"]],
    ['secret-environment with an escape character', { 'secret-environment': 'prod\u001b[2J' }, ["Input 'secret-environment' has an invalid environment name: it holds the control character U+001B at position 5"]],
    ['secret-environment of 256 characters', { 'secret-environment': 'e'.repeat(256) }, ["Input 'secret-environment' has an invalid environment name: it is 256 characters long, more than GitHub's 255"]],
    ["secret-repository 'acme/..'", { 'secret-repository': 'acme/..' }, ["Input 'secret-repository' has 'acme/..', which is not a repository in owner/repo form: its name '..' is reserved by GitHub ('.' and '..' name directories, and a URL reads them as a step in its path). Write it as owner/repo, e.g. acme/data-platform"]],
    ["secret-repository '../app'", { 'secret-repository': '../app' }, ["Input 'secret-repository' has '../app', which is not a repository in owner/repo form: its owner '..' has U+002E (.) at position 1; a GitHub login holds letters, digits and '-' only"]],
    ["secret-repository 'acme/app/../lib'", { 'secret-repository': 'acme/app/../lib' }, ["Input 'secret-repository' has 'acme/app/../lib', which is not a repository in owner/repo form: it has 3 '/', not one"]],
  ]),
  ...[
    ['acme/app?x=1', 'U+003F (?) at position 4'],
    ['acme/app#top', 'U+0023 (#) at position 4'],
    ['acme/%2e%2e', 'U+0025 (%) at position 1'],
  ].map(([repository, character]): Case => ({
    title: `secret-repository '${repository}'`,
    inputs: { 'secret-repository': repository },
    error: [
      `Input 'secret-repository' has '${repository}', which is not a repository in owner/repo form: its name '${repository?.slice(5)}' has ${character}; a repository name holds letters, digits, '.', '-' and '_' only`,
    ],
  })),
  ...[
    ['..', 'U+002E (.) at position 1'],
    ['acme/..', 'U+002F (/) at position 5'],
    ['acme?x', 'U+003F (?) at position 5'],
  ].map(([organization, character]): Case => ({
    title: `secret-organization '${organization}'`,
    inputs: { 'secret-organization': organization },
    error: [
      `Input 'secret-organization' has '${organization}', which is not an organization name: it has ${character}; a GitHub login holds letters, digits and '-' only. Give the organization login`,
    ],
  })),
  // prettier-ignore
  ...inputCases([
    ["secret-selected-repositories with '..'", {'secret-organization': 'acme', 'secret-visibility': 'selected', 'secret-selected-repositories': 'app, ..'}, ["Input 'secret-selected-repositories' has 'acme/..', which is not a repository in owner/repo form: its name '..' is reserved by GitHub"]],
    ["secret-name '../KEY'", { 'secret-name': '../KEY' }, ["Input 'secret-name' '../KEY' is not a valid name: only letters, digits and '_' are allowed"]],
    ["fingerprint-variable 'FP/..'", { 'fingerprint-variable': 'FP/..' }, ["Input 'fingerprint-variable' 'FP/..' is not a valid name: only letters, digits and '_' are allowed"]],
  ]),
  // prettier-ignore
  ...specCases([
    ["users[].key.secret.environment '..'", 'setup', keySpec(['name: SNOWFLAKE_PRIVATE_KEY', 'environment: ".."']), 8, 'users[0].key.secret.environment', ["has an invalid environment name: '..' is read by a URL as a step in its path ('.' or '..'), so GitHub's API cannot address an environment by that name. Use the name shown under Settings > Environments"]],
    ["users[].key.secret.environment list with '%2E'", 'setup', keySpec(['name: SNOWFLAKE_PRIVATE_KEY', 'environment: [production, "%2E"]']), 8, 'users[0].key.secret.environment[1]', ["has an invalid environment name: '%2E' is read by a URL as a step in its path"]],
    ["users[].key.secret.repository 'acme/..'", 'setup', keySpec(['name: SNOWFLAKE_PRIVATE_KEY', 'repository: acme/..']), 8, 'users[0].key.secret.repository', ["has 'acme/..', which is not a repository in owner/repo form: its name '..' is reserved by GitHub"]],
    ["users[].key.secret.repository list with '../app'", 'setup', keySpec(['name: SNOWFLAKE_PRIVATE_KEY', 'repository: [acme/app, ../app]']), 8, 'users[0].key.secret.repository[1]', ["has '../app', which is not a repository in owner/repo form: its owner '..' has U+002E (.)"]],
    ["users[].key.secret.organization '..'", 'setup', keySpec(['name: SNOWFLAKE_PRIVATE_KEY', 'organization: ".."']), 8, 'users[0].key.secret.organization', ["has '..', which is not an organization name: it has U+002E (.) at position 1"]],
    ["users[].key.secret.selected_repositories with '..'", 'setup', keySpec(['name: SNOWFLAKE_PRIVATE_KEY', 'organization: acme', 'visibility: selected', 'selected_repositories: [app, ".."]', ]), 10, 'users[0].key.secret.selected_repositories[1]', ["has 'acme/..', which is not a repository in owner/repo form: its name '..' is reserved by GitHub"]],
  ]),
  // prettier-ignore
  ...inputCases([
    ['secret-environment with a tab', { 'secret-environment': 'prod\tuction' }, ["Input 'secret-environment' has an invalid environment name: it holds the control character U+0009"]],
    ['current-private-key given to setup', { spec: undefined, 'target-user': 'SVC_NEW', 'current-private-key': adminKey.pem }, ["Input 'current-private-key' applies to 'mode: rotate' only"], 'setup'],
    ['secret-name given to verify', { 'secret-name': 'SNOWFLAKE_PRIVATE_KEY' }, ["Input 'secret-name' does not apply to 'mode: verify', which only reads"], 'verify'],
  ]),

  // --- the spec file ---------------------------------------------------------------------------------------
  // prettier-ignore
  ...inputCases([
    ['spec path outside the workspace', { spec: '../outside.yml' }, ["Input 'spec' names ../outside.yml, which is outside the workspace"], 'setup'],
    ['spec path that is an absolute path on the runner', { spec: '/etc/passwd' }, ["Input 'spec' names /etc/passwd, which is outside the workspace"], 'setup'],
  ]),
  // prettier-ignore
  ...specCases([
    ['spec that is a YAML bomb (billion laughs)', 'setup', yamlBomb, 3, '(yaml)', ['the YAML aliases expand too far']],
  ]),
  {
    title: 'spec that is binary (an image)',
    mode: 'setup',
    // A lone surrogate is written as the bytes of U+FFFD, which is what reading a PNG's first byte as UTF-8 gives.
    spec: '\ud800PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR\u0000',
    annotation: { line: 1, path: '(yaml)' },
    error: ['the file holds bytes that are not UTF-8 text, so it is not a YAML text file'],
  },
  // prettier-ignore
  ...specCases([
    ['spec that is a JSON array', 'setup', '[{"version": 1}, {"roles": []}]\n', 1, '(root)', ['the spec is a list, not a mapping']],
    ['spec that is a bare string', 'setup', 'CREATE ROLE x; DROP ROLE ACCOUNTADMIN\n', 1, '(root)', ['the spec is a single value, not a mapping']],
    ['spec with an unknown top-level key', 'setup', spec('grants: []'), 2, 'grants', ["unknown field 'grants'", 'The fields allowed here are: version, databases']],
  ]),
  {
    title: 'spec with an unknown key on a user (a password)',
    mode: 'setup',
    spec: userSpec('password: hunter2-in-a-spec'),
    annotation: { line: 5, path: 'users[0].password' },
    error: ["unknown field 'password'"],
    secrets: { 'password in the spec': 'hunter2-in-a-spec' },
  },
  // prettier-ignore
  ...specCases([
    ['spec with a duplicate key', 'setup', spec('roles: []', 'roles:', '  - name: a'), 3, '(yaml)', ['Map keys must be unique']],
  ]),

  // --- spec fields that reach SQL --------------------------------------------------------------------------
  // prettier-ignore
  ...specCases([
    ['databases[].name with a double quote and a DROP', 'setup', spec('databases:', '  - name: x"; DROP DATABASE y; --'), 3, 'databases[0].name', strayInSpec('x"; DROP DATABASE y; --', 'U+0022 (")', 2)],
    ['databases[].schemas[] with a statement separator', 'setup', spec('databases:', '  - name: db', '    schemas: ["s;DROP SCHEMA t"]'), 4, 'databases[0].schemas[0]', strayInSpec('s;DROP SCHEMA t', 'U+003B (;)', 2)],
    ['databases[].comment with a line break', 'setup', spec('databases:', '  - name: db', '    comment: "ok\\n::error::forged"'), 4, 'databases[0].comment', ['holds the control character U+000A at position 3', 'Write it on one line']],
    ['warehouses[].name with a -- comment', 'setup', spec('warehouses:', '  - name: wh--'), 3, 'warehouses[0].name', strayInSpec('wh--', 'U+002D (-)', 3)],
    ['warehouses[].comment of 300 characters', 'setup', spec('warehouses:', '  - name: wh', `    comment: ${'c'.repeat(300)}`), 4, 'warehouses[0].comment', ['is 300 characters, more than the limit of 256']],
    ['network_policies[].name that is a /* */ comment', 'setup', spec('network_policies:', '  - name: /* x */', '    allowed_ip_list: [10.0.0.1]'), 3, 'network_policies[0].name', strayInSpec('/* x */', 'U+002F (/)', 1)],
    ['network_policies[].allowed_ip_list[] breaking out of its string', 'setup', spec('network_policies:', '  - name: np', `    allowed_ip_list: ["1.2.3.4'); DROP NETWORK POLICY np; --"]`), 4, 'network_policies[0].allowed_ip_list[0]', [`"1.2.3.4'); DROP NETWORK POLICY np; --" is not an IPv4 address`]],
    ['roles[].name with a backslash', 'setup', spec('roles:', '  - name: r\\x'), 3, 'roles[0].name', strayInSpec('r\\x', 'U+005C (\\)', 2)],
    ['roles[].comment with a terminal escape sequence', 'setup', roleSpec('comment: "\\e[2J\\e[31mred"'), 4, 'roles[0].comment', ['holds the control character U+001B at position 1']],
    ['roles[].roles[] with a line break', 'setup', roleSpec('roles: ["sysadmin\\nx"]'), 4, 'roles[0].roles[0]', strayInSpec('sysadmin\nx', 'U+000A', 9)],
    ['roles[].privileges[].name with a statement after it', 'setup', grantSpec('database', '"db; DROP DATABASE db"', '[USAGE]'), 6, 'roles[0].privileges[0].name', strayInSpec('db; DROP DATABASE db', 'U+003B (;)', 3)],
    ['roles[].privileges[].privileges[] carrying a DROP', 'setup', grantSpec('database', 'db', '["USAGE; DROP DATABASE db"]'), 7, 'roles[0].privileges[0].privileges[0]', ['"USAGE; DROP DATABASE db" is not a privilege Snowflake grants on a database']],
    ['users[].name of 256 characters', 'setup', spec('users:', `  - name: ${'u'.repeat(256)}`, '    type: SERVICE'), 3, 'users[0].name', ["is 256 characters, longer than Snowflake's limit of 255 characters"]],
    ["users[].default_role with a Cyrillic 'А'", 'setup', userSpec('default_role: SYS\u0410DMIN'), 5, 'users[0].default_role', strayInSpec('SYS\u0410DMIN', 'U+0410 (\u0410)', 4)],
    ['users[].default_warehouse in fullwidth letters', 'setup', userSpec('default_warehouse: \uff37\uff28'), 5, 'users[0].default_warehouse', strayInSpec('\uff37\uff28', 'U+FF37 (\uff37)', 1)],
    ['users[].default_namespace with a third part', 'setup', userSpec('default_namespace: db.sch.extra'), 5, 'users[0].default_namespace', ['"db.sch.extra" has more than two parts']],
    ['users[].network_policy with a zero-width space', 'setup', userSpec('network_policy: "np\\u200b"'), 5, 'users[0].network_policy', strayInSpec('np\u200b', 'U+200B', 3)],
    ['users[].workload_identity.subject with a line break', 'setup', userSpec('workload_identity:', '  issuer: https://token.actions.githubusercontent.com', '  subject: "repo:acme/app:environment:production\\n::error::forged"'), 7, 'users[0].workload_identity.subject', ['should be the exact `sub` claim (1 to 255 characters, one line)']],
    ['users[].workload_identity.issuer with a line break where URL parsing would drop it', 'setup', userSpec('workload_identity:', '  issuer: "https://token.actions.githubusercontent.com/\\n::error::forged"', '  subject: repo:acme/app:environment:production'), 6, 'users[0].workload_identity.issuer', ['holds the control character U+000A. Write the issuer URL on one line']],
    ['users[].workload_identity.audiences[] with a line break and a forged workflow command', 'setup', userSpec('workload_identity:', '  issuer: https://token.actions.githubusercontent.com', '  subject: repo:acme/app:environment:production', '  audiences: ["sts\\n::error::forged"]'), 8, 'users[0].workload_identity.audiences[0]', ['holds the control character U+000A. Give the audience the token is issued for, on one line']],
    ['users[].key.secret.name GITHUB_TOKEN', 'setup', keySpec(['name: GITHUB_TOKEN']), 7, 'users[0].key.secret.name', ["'GITHUB_TOKEN' starts with GITHUB_, which GitHub reserves"]],
    ['users[].key.secret.environment with a bell character', 'setup', keySpec(['name: SNOWFLAKE_PRIVATE_KEY', 'environment: "prod\\a"']), 8, 'users[0].key.secret.environment', ['has an invalid environment name: it holds the control character U+0007 at position 5']],
    ["users[].key.max_age '1 fortnight'", 'setup', keySpec(['name: SNOWFLAKE_PRIVATE_KEY'], ['max_age: 1 fortnight']), 8, 'users[0].key.max_age', ["is '1 fortnight', which is not a duration"]],
    ['secrets[].name with two parts', 'setup', spec('secrets:', '  - name: KEYS.PRIVATE', '    type: GENERIC_STRING'), 3, 'secrets[0].name', ['the name "KEYS.PRIVATE" should have 3 parts separated by dots, found 2']],
    ['secrets[].grants[].role with an unclosed quote', 'setup', spec('secrets:', '  - name: KEYS.PRIVATE.K', '    type: GENERIC_STRING', '    grants:', `      - role: '"reader'`, '        privileges: [USAGE]'), 6, 'secrets[0].grants[0].role', ['the name "\\"reader" has an opening double quote without a closing one']],
  ]),
  {
    title: 'a grant on a warehouse, validly quoted, carrying a DROP: read, not found, nothing created',
    mode: 'setup',
    spec: grantSpec('warehouse', `'"x""; DROP WAREHOUSE y; --"'`, '[USAGE]'),
    error: [
      'Step read-account failed',
      `${SPEC_PATH}:7: roles[0].privileges[0].privileges[0]: grants USAGE on warehouse x"; DROP WAREHOUSE y; --, which the spec does not declare and the account does not have`,
    ],
    snowflake: 'reads',
  },
  // prettier-ignore
  ...specCases([
    ['verify: users[].name with a statement after it', 'verify', spec('users:', '  - name: svc; DROP USER KEY_ROTATOR', '    type: SERVICE'), 3, 'users[0].name', strayInSpec('svc; DROP USER KEY_ROTATOR', 'U+003B (;)', 4)],
  ]),
];

/** Worlds that cases borrow one at a time, so that each case reads a log that holds its own run only. */
class WorldPool {
  private readonly waiting: ((world: World) => void)[] = [];
  constructor(private readonly free: World[]) {}

  async use<T>(fn: (world: World) => Promise<T>): Promise<T> {
    const world = this.free.pop() ?? (await new Promise<World>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(world);
    } finally {
      const next = this.waiting.shift();
      if (next) next(world);
      else this.free.push(world);
    }
  }
}

let worlds: World[] = [];
let pool: WorldPool;
let ran = 0;

// Concurrent tests start once the file's top-level beforeAll is done (jest-circus), so the pool is made here.
beforeAll(async () => {
  worlds = await Promise.all(
    Array.from({ length: POOL_SIZE }, async () => {
      const world = await World.start();
      await world.provision(adminKey, serviceKey);
      // The setup and verify cases run as ACCOUNTADMIN, so that a refusal is never about privileges.
      await world.sf.sql(`GRANT ROLE ACCOUNTADMIN TO USER ${ADMIN}`);
      Object.assign(world.secrets, KEY_SECRETS);
      return world;
    }),
  );
  pool = new WorldPool([...worlds]);
});

afterAll(async () => {
  await Promise.all(worlds.map((world) => world.close()));
  console.log(`hostile-input: ${ran} of ${cases.length} cases ran`);
});

function inputsFor(world: World, c: Case): Record<string, string | undefined> {
  const mode = c.mode ?? 'rotate';
  const base = mode === 'rotate' ? world.rotateInputs(adminKey) : world.specInputs(adminKey, mode, SPEC_PATH);
  return { ...base, ...c.inputs };
}

interface ErrorCommand {
  properties: string;
  message: string;
}

/** Every `::error` command in the raw output, with its properties (`title=...,file=...,line=...`). */
function errorCommands(run: ActionRun): ErrorCommand[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::error'))
    .map((line) => {
      const end = line.indexOf('::', 2);
      return {
        properties: line.slice('::error'.length, end).trim(),
        message: line
          .slice(end + 2)
          .replace(/%0A/g, '\n')
          .replace(/%0D/g, '\r')
          .replace(/%25/g, '%'),
      };
    });
}

const READ = /^(DESC|DESCRIBE|SHOW|SELECT)\b|^ALTER SESSION SET TIMEZONE = 'UTC'$/i;

test.concurrent.each(cases.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
  await pool.use(async (world) => {
    await world.sf.clearLog();
    await world.gh.clearLog();
    const files = (c.mode ?? 'rotate') === 'rotate' ? undefined : { [SPEC_PATH]: c.spec ?? VALID_SPEC };
    const run = await world.run(inputsFor(world, c), { files, secrets: c.secrets });
    ran++;

    // (a) the step fails.
    expect(run.exitCode).toBe(1);

    // (b) one message, naming the input or the spec's line and field, saying what is wrong.
    // The failure is the one error on no file, titled by what failed; annotations point at the spec's lines.
    const commands = errorCommands(run);
    const failures = commands.filter((command) => !command.properties.includes('file='));
    expect(failures).toHaveLength(1);
    const message = failures[0]?.message ?? '';
    for (const fragment of c.error) expect(message).toContain(fragment);
    // Titled by what failed: refused before any request, an input (or the spec); later, the mode.
    const modeTitle = {
      rotate: 'Snowflake key rotation failed',
      setup: 'Snowflake setup failed',
      verify: 'Snowflake verify failed',
    }[c.mode ?? 'rotate'];
    const expectedTitles = c.annotation
      ? ['Invalid access spec']
      : message.startsWith('Input ')
        ? ['Invalid input']
        : (c.snowflake ?? 'nothing') === 'nothing'
          ? ['Invalid input', 'Invalid access spec']
          : [modeTitle];
    expect(expectedTitles.map((title) => `title=${title}`)).toContain(failures[0]?.properties);
    const annotations = commands.filter((command) => command.properties.includes('file='));
    if (c.annotation) {
      const { line, path } = c.annotation;
      expect(message.startsWith(`${SPEC_PATH}:${line}: ${path}: `)).toBe(true);
      expect(annotations).toHaveLength(1);
      expect(annotations[0]?.properties).toBe(
        `title=Invalid access spec,file=${SPEC_PATH.replace(/:/g, '%3A')},line=${line}`,
      );
      expect(annotations[0]?.message).toBe(message.slice(`${SPEC_PATH}:${line}: `.length));
    } else {
      expect(annotations).toEqual([]);
    }
    // No line of the log is a workflow command the input forged.
    expect(run.stdout).not.toMatch(/^::error::forged/m);

    // (c) what Snowflake saw.
    const sdk = (await world.sf.log()).filter((entry) => entry.via === 'sdk');
    const logins = sdk.filter((entry) => entry.kind === 'login');
    const statements = sdk.filter((entry) => entry.kind === 'query').map((entry) => entry.sql ?? '');
    switch (c.snowflake ?? 'nothing') {
      case 'nothing':
        expect(sdk).toEqual([]);
        break;
      case 'refused-login':
        expect(logins.map((entry) => entry.ok)).toEqual([false]);
        expect(statements).toEqual([]);
        break;
      case 'reads':
        expect(logins.length).toBeGreaterThan(0);
        expect(statements.filter((sql) => !READ.test(sql))).toEqual([]);
        break;
    }
    expect(await world.changes()).toEqual([]);

    // GitHub: no request at all before Snowflake is reached; reads at most after.
    const requests = await world.gh.log();
    if ((c.snowflake ?? 'nothing') === 'nothing') expect(requests).toEqual([]);
    else expect(requests.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(await world.gh.secrets()).toEqual([]);
    expect(await world.gh.variables()).toEqual([]);
    expect(run.outputs.changed ?? 'false').toBe('false');

    // (d) nothing secret anywhere the run wrote.
    expectNoLeaks(run, { ...world.secrets, ...c.secrets });
  });
});

test('the table has the cases the issue asks for', () => {
  expect(cases.length).toBeGreaterThanOrEqual(60);
  expect(new Set(cases.map((c) => c.title)).size).toBe(cases.length);
});
