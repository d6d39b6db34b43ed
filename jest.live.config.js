// The live suite (`npm run test:live`): the end-to-end scenarios against a real Snowflake account and GitHub
// repository named by LIVE_* variables, or against local emulators with LIVE_USE_EMULATORS=1. See
// __tests__/live/README.md. The same setup as jest.config.js, its own tests, one file at a time (they share
// one account), and a global setup and teardown that add the run's prefix, the clean-up sweep and the
// fidelity report around the leak ledger.
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  testMatch: ['<rootDir>/__tests__/live/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/__tests__/live/global-setup.cjs',
  globalTeardown: '<rootDir>/__tests__/live/global-teardown.cjs',
  maxWorkers: 1,
  testTimeout: 300000,
};
