// Jest runs TypeScript as ESM (@actions/core 3 and @actions/github 9 are ESM-only):
// `npm test` sets NODE_OPTIONS=--experimental-vm-modules.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }],
  },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  // The fault campaign runs on its own: `npm run test:faults` (jest.faults.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/faults/', '<rootDir>/__tests__/live/'],
  setupFiles: ['<rootDir>/__tests__/harness/jest-env.cjs'],
  // The suite's leak ledger: every run of the action is scanned (run-action.ts); the teardown prints the
  // count and fails the Jest run if any run leaked.
  globalSetup: '<rootDir>/__tests__/harness/leak-ledger-setup.cjs',
  globalTeardown: '<rootDir>/__tests__/harness/leak-ledger-teardown.cjs',
  testTimeout: 60000,
};
