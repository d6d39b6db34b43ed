// Jest globalSetup of the live suite (jest.live.config.js). CommonJS, so that Jest loads it as is.
// 1. The suite's leak ledger, as in every Jest run of this repository (leak-ledger-setup.cjs).
// 2. With LIVE_USE_EMULATORS=1: starts both emulators, seeded with an admin user and a scratch repository
//    (scripts/live-emulators.ts, a child process that lives until the teardown), and points the LIVE_*
//    variables at them.
// 3. Without the LIVE_* variables: prints one line saying what to set; every live test then skips.
// 4. Picks the run's prefix (SKA_LIVE_<6 random>_), the observations file and the report path. Workers inherit
//    process.env, as they are started after this runs.
/* eslint-disable @typescript-eslint/no-require-imports */
const { spawn } = require('node:child_process');
const { randomInt } = require('node:crypto');
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const setupLeakLedger = require('../harness/leak-ledger-setup.cjs');

const ROOT = join(__dirname, '..', '..');
// The same list as env.ts's REQUIRED_VARIABLES.
const REQUIRED = require('./required-variables.json');

function missing() {
  return REQUIRED.filter((name) =>
    name === 'LIVE_SNOWFLAKE_ADMIN_PRIVATE_KEY'
      ? !process.env[name] && !process.env[`${name}_PATH`]
      : !process.env[name],
  );
}

function startEmulators() {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'scripts', 'live-emulators.ts'), '--json'],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      try {
        resolve({ child, variables: JSON.parse(buffer.slice(0, newline)) });
      } catch (error) {
        reject(error);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      reject(new Error(`scripts/live-emulators.ts exited with ${code} before it was ready`)),
    );
  });
}

module.exports = async function setupLive() {
  setupLeakLedger();
  if (process.env.LIVE_USE_EMULATORS === '1') {
    const { child, variables } = await startEmulators();
    child.removeAllListeners('exit');
    globalThis.__liveEmulators = child;
    Object.assign(process.env, variables);
  }
  const absent = missing();
  if (absent.length > 0) {
    process.env.LIVE_DISABLED = '1';
    process.stderr.write(
      `\nLive suite skipped: set ${absent.join(', ')} (or LIVE_USE_EMULATORS=1 to run it against local emulators); see __tests__/live/README.md\n`,
    );
    return;
  }
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let random = '';
  for (let i = 0; i < 6; i++) random += alphabet[randomInt(alphabet.length)];
  process.env.LIVE_RUN_PREFIX = `SKA_LIVE_${random}_`;
  const observations = join(mkdtempSync(join(tmpdir(), 'live-observations-')), 'observations.jsonl');
  writeFileSync(observations, '');
  process.env.LIVE_OBSERVATIONS = observations;
  if (!process.env.LIVE_FIDELITY_REPORT) {
    process.env.LIVE_FIDELITY_REPORT = join(ROOT, 'reports', 'live-fidelity.json');
  }
  process.stderr.write(
    `\nLive suite: prefix ${process.env.LIVE_RUN_PREFIX}, report ${process.env.LIVE_FIDELITY_REPORT}\n`,
  );
};
