import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findLeaks } from '../harness/leak-scan.js';
import { LEAK_LEDGER_VARIABLE, type LedgerRecord, runAction } from '../harness/run-action.js';
import { newKey } from '../harness/world.js';

/**
 * The leak scan must catch a leak, or every "no leak" assertion in the suite proves nothing. A planted
 * script, run through the same runner harness as the action, prints a key in the ways a bug could. These
 * runs are `plantedLeaks`: the ledger counts them apart, and runAction fails them if the scan finds nothing.
 * From `json-twice` on, each prints a secret only in an escaped or encoded form, or split, so that no plain
 * form of it (the value or a whole line) is there to find: only the forms and readings of mask.ts catch it.
 */

const key = newKey().pem;
const bodyLines = key.trim().split('\n').slice(1, -1);
/** A signed JWT the scan is not told about, like the one the Snowflake driver signs for a key-pair login. */
const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJBQ0NULlUuU0hBMjU2OngifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln';
let script: string;
let scriptDir: string;

beforeAll(async () => {
  scriptDir = await mkdtemp(join(tmpdir(), 'leak-'));
  script = join(scriptDir, 'leaky.mjs');
  await writeFile(
    script,
    `import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
const put = (path, text) => { mkdirSync(dirname(path), { recursive: true }); writeFileSync(path, text); };
const key = process.env.PLANTED_KEY;
// A secret made inside the run (as the action generates a key pair), masked the way @actions/core masks.
const escape = (v) => v.replace(/%/g, '%25').replace(/\\r/g, '%0D').replace(/\\n/g, '%0A');
const generated = 'generated-' + randomBytes(16).toString('hex') + '\\n100%-' + randomBytes(8).toString('hex');
const lines = key.trim().split('\\n');
// A body line with a character that URL encoding changes (+ or /), so that its encoded form differs.
const encodable = lines.slice(1, -1).find((line) => /[+/]/.test(line)) ?? lines[2];
// The runner's masking command carries the secret on purpose: not a leak.
console.log('::add-mask::' + lines[1]);
switch (process.env.LEAK) {
  case 'log-line': console.log('debug: ' + lines[5]); break;
  case 'stderr-joined': console.error(lines.slice(1, -1).join('')); break;
  case 'output': appendFileSync(process.env.GITHUB_OUTPUT, 'key<<EOF\\n' + key + 'EOF\\n'); break;
  case 'summary-json': appendFileSync(process.env.GITHUB_STEP_SUMMARY, JSON.stringify({ key })); break;
  case 'workspace-file': writeFileSync('snowflake.log', 'key=' + lines[3]); break;
  case 'jwt': console.log('token eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJBQ0NULlUuU0hBMjU2OngifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln'); break;
  case 'passphrase': console.log('using passphrase ' + process.env.PLANTED_PASSPHRASE); break;
  case 'debug-line': console.log('::debug::request body {"privateKey":"' + lines[4] + '"}'); break;
  // What a library could cache: in HOME (~/.snowflake), in the process's temp dir, deep in RUNNER_TEMP.
  case 'home-file': put(join(homedir(), '.snowflake', 'cache', 'credential_cache.json'), key); break;
  case 'tmpdir-file': put(join(tmpdir(), 'sf-jwt', 'token'), 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJBQ0NULlUuU0hBMjU2OngifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln'); break;
  case 'temp-nested': put(join(process.env.RUNNER_TEMP, 'a', 'b', 'key.p8'), key); break;
  case 'workspace-changed': appendFileSync('spec.yml', '# ' + lines[2] + '\\n'); break;
  case 'masked-generated':
    console.log('::add-mask::' + escape(generated));
    console.log('rotated to ' + generated);
    break;
  case 'masked-generated-temp':
    console.log('::add-mask::' + escape(generated));
    writeFileSync(join(process.env.RUNNER_TEMP, 'report.json'), JSON.stringify({ generated: generated.split('\\n')[0] }));
    console.log('::add-mask::' + escape(generated.split('\\n')[0]));
    break;
  // The escaped and encoded forms (mask.ts secretForms) and the readings (mask.ts readingsOf).
  case 'json-twice': console.log('error: ' + JSON.stringify(JSON.stringify({ q: process.env.PLANTED_QUOTED }))); break;
  case 'url-encoded': appendFileSync(process.env.GITHUB_STEP_SUMMARY, 'https://x.invalid/?k=' + encodeURIComponent(encodable)); break;
  case 'form-encoded': console.log('body: ' + new URLSearchParams({ q: process.env.PLANTED_QUOTED }).toString()); break;
  case 'base64-in-blob': writeFileSync('trace.txt', Buffer.from('{"request":{"key":' + JSON.stringify(key) + '}}').toString('base64')); break;
  case 'base64url-shifted': console.error('x-trace: ' + Buffer.from('ab:' + lines[3]).toString('base64url')); break;
  case 'wrapped': console.log('request: ' + lines[4].slice(0, 30)); console.log(lines[4].slice(30)); break;
  case 'escaped-break': console.log('"' + lines[4].slice(0, 30) + '\\\\n' + lines[4].slice(30) + '"'); break;
  case 'sql-quoted': console.log("syntax error unexpected '" + process.env.PLANTED_QUOTED.replace(/'/g, "''") + "'."); break;
  case 'command-url-encoded': console.log('::error::request ' + encodeURIComponent(encodable).replace(/%/g, '%25')); break;
  case 'snowflake-token': console.log('headers {"authorization":"Snowflake Token=\\\\"ver:1-hint:123-' + randomBytes(24).toString('hex') + '\\\\""}'); break;
  case 'jwt-base64': appendFileSync(process.env.GITHUB_OUTPUT, 'trace<<EOF\\n' + Buffer.from('{"TOKEN":"' + process.env.PLANTED_JWT + '"}').toString('base64') + '\\nEOF\\n'); break;
  case 'pem-url-encoded': writeFileSync(join(process.env.RUNNER_TEMP, 'request.log'), 'body=' + encodeURIComponent(process.env.PLANTED_OTHER_KEY)); break;
}
`,
  );
});

afterAll(async () => {
  await rm(scriptDir, { recursive: true, force: true });
});

test.each([
  ['log-line', 'log'],
  ['stderr-joined', 'stderr'],
  ['output', 'output key'],
  ['summary-json', 'summary'],
  ['workspace-file', 'workspace file snowflake.log'],
  ['jwt', 'log'],
  ['passphrase', 'log'],
  ['debug-line', 'log'],
  ['home-file', 'HOME file .snowflake/cache/credential_cache.json'],
  ['tmpdir-file', 'TMPDIR file sf-jwt/token'],
  ['temp-nested', 'RUNNER_TEMP file a/b/key.p8'],
  ['workspace-changed', 'workspace file spec.yml'],
  ['json-twice', 'log'],
  ['url-encoded', 'summary'],
  ['form-encoded', 'log'],
  ['base64-in-blob', 'workspace file trace.txt'],
  ['base64url-shifted', 'stderr'],
  ['wrapped', 'log'],
  ['escaped-break', 'log'],
  ['sql-quoted', 'log'],
  ['command-url-encoded', 'log'],
  ['snowflake-token', 'log'],
  ['jwt-base64', 'output trace'],
  ['pem-url-encoded', 'RUNNER_TEMP file request.log'],
])('a planted leak (%s) is caught in %s', async (leak, where) => {
  // Quotes of both kinds: its JSON, SQL and form encodings differ from it.
  const secrets = { key, passphrase: 'hunter2-passphrase', quoted: `it's "a" planted secret` };
  const run = await runAction({
    inputs: {},
    entry: script,
    env: {
      PLANTED_KEY: key,
      PLANTED_PASSPHRASE: secrets.passphrase,
      PLANTED_QUOTED: secrets.quoted,
      PLANTED_JWT: jwt,
      // A key the scan is not told about: only its shape can give it away.
      PLANTED_OTHER_KEY: newKey().pem,
      LEAK: leak,
    },
    // The test placed this file; only a change the run made to it counts.
    files: { 'spec.yml': 'version: 1\n' },
    secrets,
    plantedLeaks: true,
  });
  const leaks = findLeaks(run, secrets);
  expect(leaks.map((l) => l.where)).toContain(where);
  // The scan every run gets, with the secrets the test named, found the same.
  expect(run.leaks).toEqual(leaks);
  // The report names the place and the secret, never the secret's text.
  for (const l of leaks) for (const line of bodyLines) expect(l.what).not.toContain(line);
});

test('a clean run, whose only mention of the key is the masking command, has no leak', async () => {
  const run = await runAction({
    inputs: {},
    entry: script,
    env: { PLANTED_KEY: key, LEAK: 'none' },
    secrets: { key },
  });
  expect(run.stdout).toContain('::add-mask::');
  expect(run.leaks).toEqual([]);
  expect(run.masked).toEqual([bodyLines[0]]);
  expect(findLeaks(run, { key })).toEqual([]);
});

test.each([
  ['masked-generated', 'log'],
  ['masked-generated-temp', 'RUNNER_TEMP file report.json'],
])(
  'a value masked inside the run and then leaked (%s) is caught in %s though the test never saw it',
  async (leak, where) => {
    const run = await runAction({
      inputs: {},
      entry: script,
      env: { PLANTED_KEY: key, LEAK: leak },
      plantedLeaks: true,
    });
    // The masking command is unescaped: the value has its newline and its percent sign back.
    const generated = run.masked.find((value) => value.startsWith('generated-'));
    expect(generated).toMatch(/^generated-[0-9a-f]{32}\n100%-[0-9a-f]{16}$/);
    // No secrets passed in: only the run's own ::add-mask:: commands tell the scan what to look for.
    const leaks = findLeaks(run, {});
    // The scan every run gets finds it too, and it is recorded in the ledger as planted.
    expect(run.leaks).toEqual(leaks);
    expect(leaks).toEqual([
      { where, what: expect.stringMatching(/^a value the action masked \(\d+ characters\)$/) },
    ]);
    expect(leaks[0]?.what).not.toContain(generated);
  },
);

describe('the suite leak ledger', () => {
  // These runs write to a ledger of their own, so that their leak (on purpose, but not declared planted)
  // does not count in the suite's.
  let suiteLedger: string | undefined;
  let ledger: string;
  const teardown = createRequire(import.meta.url)('../harness/leak-ledger-teardown.cjs') as () => void;

  beforeEach(async () => {
    suiteLedger = process.env[LEAK_LEDGER_VARIABLE];
    ledger = join(await mkdtemp(join(tmpdir(), 'ledger-test-')), 'ledger.jsonl');
    await writeFile(ledger, '');
    process.env[LEAK_LEDGER_VARIABLE] = ledger;
  });

  afterEach(async () => {
    if (suiteLedger === undefined) delete process.env[LEAK_LEDGER_VARIABLE];
    else process.env[LEAK_LEDGER_VARIABLE] = suiteLedger;
    await rm(dirname(ledger), { recursive: true, force: true });
  });

  /** Runs the teardown on this ledger; resolves to what it printed and the error it threw. */
  function runTeardown(): { printed: string; error?: Error } {
    let printed = '';
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stderr.write;
    try {
      teardown();
      return { printed };
    } catch (error) {
      return { printed, error: error as Error };
    } finally {
      process.stderr.write = write;
    }
  }

  test('a leak fails the run at once, is recorded without its value, and the teardown fails the Jest run', async () => {
    const leaking = runAction({
      inputs: {},
      entry: script,
      env: { PLANTED_KEY: key, LEAK: 'log-line' },
      secrets: { 'planted key': key },
    });
    await expect(leaking).rejects.toThrow(
      /^Secrets leaked by .*leaky\.mjs:\n- planted key \(a form of \d+ characters\) in log/,
    );
    const message = await leaking.catch((error: Error) => error.message);
    const text = await readFile(ledger, 'utf8');
    for (const line of bodyLines) {
      expect(message).not.toContain(line);
      expect(text).not.toContain(line);
    }
    const records = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LedgerRecord);
    expect(records).toEqual([
      {
        file: '__tests__/e2e/leak-scan.test.ts',
        test: expect.stringContaining('a leak fails the run at once'),
        entry: 'leaky.mjs',
        places: expect.any(Number),
        leaks: [{ where: 'log', what: expect.stringMatching(/^planted key \(a form of \d+ characters\)$/) }],
        planted: false,
      },
    ]);
    // log, stderr and summary at least.
    expect(records[0]?.places).toBeGreaterThanOrEqual(3);

    const { printed, error } = runTeardown();
    expect(printed).toContain('Leak scan: 0 runs of dist/index.js scanned, 0 leaks');
    expect(printed).toContain('also 1 runs of test scripts, 1 leaks');
    expect(error?.message).toMatch(
      /^1 leaks in 1 runs:\n- __tests__\/e2e\/leak-scan\.test\.ts > .*a leak fails the run at once.* \(leaky\.mjs\):\n {4}planted key \(a form of \d+ characters\) in log$/,
    );
  });

  test('planted leaks count apart; a planted run in which the scan finds nothing fails', async () => {
    await runAction({
      inputs: {},
      entry: script,
      env: { PLANTED_KEY: key, LEAK: 'jwt' },
      plantedLeaks: true,
    });
    await expect(
      runAction({ inputs: {}, entry: script, env: { PLANTED_KEY: key, LEAK: 'none' }, plantedLeaks: true }),
    ).rejects.toThrow('The leak planted by leaky.mjs was not found');
    const { printed, error } = runTeardown();
    expect(error).toBeUndefined();
    expect(printed).toContain('2 planted-leak runs, 1 planted leaks found');
  });
});
