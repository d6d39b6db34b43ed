// The fault campaign (`npm run test:faults`): the same setup as jest.config.js, its own test files. It takes
// minutes, so `npm test` leaves it out and CI runs it as a step of its own.
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  testMatch: ['<rootDir>/__tests__/faults/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
