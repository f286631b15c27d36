/**
 * Two projects: `unit` (synth-level specifications, no servers; fast) and `integration` (real redis-server, TLS,
 * Docker, the engine with the real providers). `npm run test:unit`, `npm run test:integration`; `npm test` runs both.
 * Type-checking is `tsc --noEmit` in `npm test`; jest only transpiles.
 * @type {import('jest').Config}
 */
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup.ts'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/__tests__/unit'], testMatch: ['**/*.test.ts'] },
    { ...common, displayName: 'integration', roots: ['<rootDir>/__tests__/integration'], testMatch: ['**/*.test.ts'] },
  ],
  testTimeout: 180000,
  // four workers on a 2-core machine (jest's default would be one): the integration tests spend much of their time
  // waiting on processes they start (the engine, dockerd, redis-server, moto), so four of them keep both cores busy
  maxWorkers: 4,
};
