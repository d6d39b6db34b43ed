/**
 * `npm run test:live`: without the LIVE_* variables (and without LIVE_USE_EMULATORS=1) prints one line saying
 * what to set and exits 0 (1 with LIVE_REQUIRED=1, as the live workflow sets); otherwise runs Jest with
 * jest.live.config.js, passing on any arguments.
 */
import { spawnSync } from 'node:child_process';
import { missingVariables, notConfiguredLine } from '../__tests__/live/env.js';

const missing = missingVariables();
if (process.env.LIVE_USE_EMULATORS !== '1' && missing.length > 0) {
  console.log(notConfiguredLine(missing));
  process.exit(process.env.LIVE_REQUIRED === '1' ? 1 : 0);
}
const result = spawnSync(
  process.execPath,
  ['node_modules/jest/bin/jest.js', '--config', 'jest.live.config.js', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_OPTIONS: [process.env.NODE_OPTIONS, '--experimental-vm-modules'].filter(Boolean).join(' '),
    },
  },
);
process.exit(result.status ?? 1);
