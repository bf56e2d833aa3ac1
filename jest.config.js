const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  // Test files run in parallel workers, each with a local cloud of its own (test/support/global-setup.ts). Much
  // of a file's time is spent waiting on the emulators, so even a 2-core machine runs two at once.
  maxWorkers: Math.min(4, Math.max(2, availableParallelism())),
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // @middy/core and a few other dependencies ship ESM only: let swc turn them into CommonJS too.
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|fauxqs)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  setupFiles: ['<rootDir>/test/support/env.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
};
