// Jest globalTeardown: reads the leak ledger every run of the suite wrote to (leak-ledger-setup.cjs,
// run-action.ts), prints the count, and fails the Jest run when any run leaked. A test that leaked has already
// failed on its own; this makes the count over the whole suite a result of its own, which cannot be lost among
// other failures or skipped by a test that caught the error. Runs that leak on purpose (the leak scan's own
// tests) are counted apart, as planted.
// CommonJS, so that Jest loads it as is, outside the TypeScript transform.
/* eslint-disable @typescript-eslint/no-require-imports */
const { readFileSync, rmSync } = require('node:fs');
const { dirname } = require('node:path');

const ACTION = 'dist/index.js';

module.exports = function teardownLeakLedger() {
  const ledger = process.env.LEAK_LEDGER;
  if (!ledger) return;
  let text;
  try {
    text = readFileSync(ledger, 'utf8');
  } finally {
    rmSync(dirname(ledger), { recursive: true, force: true });
    delete process.env.LEAK_LEDGER;
  }
  const records = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
  // A Jest run without any run of the action (unit tests only) has nothing to report.
  if (records.length === 0) return;
  const real = records.filter((r) => !r.planted);
  const planted = records.filter((r) => r.planted);
  const action = real.filter((r) => r.entry === ACTION);
  const scripts = real.filter((r) => r.entry !== ACTION);
  const count = (runs) => runs.reduce((n, r) => n + r.leaks.length, 0);
  const places = (runs) => runs.reduce((n, r) => n + r.places, 0);
  const leaks = count(real);
  const lines = [
    `Leak scan: ${action.length} runs of ${ACTION} scanned, ${count(action)} leaks`,
    `  (${places(action)} places: log with debug lines, stderr, outputs, summary, workspace, RUNNER_TEMP, HOME and TMPDIR files;` +
      ` also ${scripts.length} runs of test scripts, ${count(scripts)} leaks;` +
      ` ${planted.length} planted-leak runs, ${count(planted)} planted leaks found)`,
  ];
  process.stderr.write(`\n${lines.join('\n')}\n`);
  if (leaks === 0) return;
  const leaking = real.filter((r) => r.leaks.length > 0);
  const where = leaking.map((r) => {
    // The same kind of leak in the same place (each line of a key) is listed once, with its count.
    const kinds = new Map();
    for (const l of r.leaks)
      kinds.set(`${l.what} in ${l.where}`, (kinds.get(`${l.what} in ${l.where}`) ?? 0) + 1);
    const list = [...kinds].map(([kind, n]) => `    ${kind}${n > 1 ? ` (x${n})` : ''}`);
    return `- ${r.file}${r.test ? ` > ${r.test}` : ''} (${r.entry}):\n${list.join('\n')}`;
  });
  throw new Error(`${leaks} leaks in ${leaking.length} runs:\n${where.join('\n')}`);
};
