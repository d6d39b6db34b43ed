// Jest globalTeardown of the live suite. CommonJS, so that Jest loads it as is.
// 1. scripts/live-teardown.ts: drops everything with the run's prefix (whatever the tests' own clean-up left,
//    e.g. after a crash), checks that nothing with the prefix remains, writes the fidelity report and prints
//    each difference. It fails the Jest run on a leftover or, unless LIVE_FIDELITY_FAIL=0, on a difference.
// 2. Stops the emulators started by the global setup.
// 3. The leak ledger's count (leak-ledger-teardown.cjs), which fails the run when any run of the action leaked.
/* eslint-disable @typescript-eslint/no-require-imports */
const { spawnSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const { dirname, join } = require('node:path');
const teardownLeakLedger = require('../harness/leak-ledger-teardown.cjs');

const ROOT = join(__dirname, '..', '..');

module.exports = async function teardownLive() {
  let failure;
  try {
    if (process.env.LIVE_RUN_PREFIX && process.env.LIVE_DISABLED !== '1') {
      const result = spawnSync(
        join(ROOT, 'node_modules', '.bin', 'tsx'),
        [join(ROOT, 'scripts', 'live-teardown.ts')],
        {
          cwd: ROOT,
          env: { ...process.env, NODE_NO_WARNINGS: '1' },
          stdio: 'inherit',
          timeout: 300_000,
        },
      );
      if (result.status !== 0)
        failure = new Error(`The live suite's teardown failed (exit ${result.status}): see above`);
    }
  } finally {
    if (process.env.LIVE_OBSERVATIONS)
      rmSync(dirname(process.env.LIVE_OBSERVATIONS), { recursive: true, force: true });
    const emulators = globalThis.__liveEmulators;
    if (emulators) {
      await new Promise((resolve) => {
        emulators.once('exit', resolve);
        emulators.kill('SIGTERM');
        setTimeout(resolve, 5000).unref();
      });
    }
  }
  teardownLeakLedger();
  if (failure) throw failure;
};
