import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLeaks } from '../harness/leak-scan.js';
import { runAction } from '../harness/run-action.js';
import { newKey } from '../harness/world.js';

/**
 * The leak scan must catch a leak, or every "no leak" assertion in the suite proves nothing. A planted
 * script, run through the same runner harness as the action, prints a key in the ways a bug could.
 */

const key = newKey().pem;
const bodyLines = key.trim().split('\n').slice(1, -1);
let script: string;

beforeAll(async () => {
  script = join(await mkdtemp(join(tmpdir(), 'leak-')), 'leaky.mjs');
  await writeFile(
    script,
    `import { appendFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
const key = process.env.PLANTED_KEY;
// A secret made inside the run (as the action generates a key pair), masked the way @actions/core masks.
const escape = (v) => v.replace(/%/g, '%25').replace(/\\r/g, '%0D').replace(/\\n/g, '%0A');
const generated = 'generated-' + randomBytes(16).toString('hex') + '\\n100%-' + randomBytes(8).toString('hex');
const lines = key.trim().split('\\n');
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
  case 'masked-generated':
    console.log('::add-mask::' + escape(generated));
    console.log('rotated to ' + generated);
    break;
  case 'masked-generated-temp':
    console.log('::add-mask::' + escape(generated));
    writeFileSync(join(process.env.RUNNER_TEMP, 'report.json'), JSON.stringify({ generated: generated.split('\\n')[0] }));
    console.log('::add-mask::' + escape(generated.split('\\n')[0]));
    break;
}
`,
  );
});

test.each([
  ['log-line', 'log'],
  ['stderr-joined', 'stderr'],
  ['output', 'output key'],
  ['summary-json', 'summary'],
  ['workspace-file', 'workspace file snowflake.log'],
  ['jwt', 'log'],
  ['passphrase', 'log'],
])('a planted leak (%s) is caught in %s', async (leak, where) => {
  const run = await runAction({
    inputs: {},
    entry: script,
    env: { PLANTED_KEY: key, PLANTED_PASSPHRASE: 'hunter2-passphrase', LEAK: leak },
  });
  const leaks = findLeaks(run, { key, passphrase: 'hunter2-passphrase' });
  expect(leaks.map((l) => l.where)).toContain(where);
  // The report names the place and the secret, never the secret's text.
  for (const l of leaks) for (const line of bodyLines) expect(l.what).not.toContain(line);
});

test('a clean run, whose only mention of the key is the masking command, has no leak', async () => {
  const run = await runAction({ inputs: {}, entry: script, env: { PLANTED_KEY: key, LEAK: 'none' } });
  expect(run.stdout).toContain('::add-mask::');
  expect(run.masked).toEqual([bodyLines[0]]);
  expect(findLeaks(run, { key })).toEqual([]);
});

test.each([
  ['masked-generated', 'log'],
  ['masked-generated-temp', 'RUNNER_TEMP file report.json'],
])(
  'a value masked inside the run and then leaked (%s) is caught in %s though the test never saw it',
  async (leak, where) => {
    const run = await runAction({ inputs: {}, entry: script, env: { PLANTED_KEY: key, LEAK: leak } });
    // The masking command is unescaped: the value has its newline and its percent sign back.
    const generated = run.masked.find((value) => value.startsWith('generated-'));
    expect(generated).toMatch(/^generated-[0-9a-f]{32}\n100%-[0-9a-f]{16}$/);
    // No secrets passed in: only the run's own ::add-mask:: commands tell the scan what to look for.
    const leaks = findLeaks(run, {});
    expect(leaks).toEqual([
      { where, what: expect.stringMatching(/^a value the action masked \(\d+ characters\)$/) },
    ]);
    expect(leaks[0]?.what).not.toContain(generated);
  },
);
