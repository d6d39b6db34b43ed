// Jest globalSetup: a fresh leak ledger for this Jest run. Every runAction (run-action.ts), in whichever
// worker, appends one JSON line per run to the file LEAK_LEDGER names; workers inherit the variable because
// they are started after this runs. leak-ledger-teardown.cjs reads it at the end.
// CommonJS, so that Jest loads it as is, outside the TypeScript transform.
/* eslint-disable @typescript-eslint/no-require-imports */
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = function setupLeakLedger() {
  const ledger = join(mkdtempSync(join(tmpdir(), 'leak-ledger-')), 'ledger.jsonl');
  writeFileSync(ledger, '');
  process.env.LEAK_LEDGER = ledger;
};
