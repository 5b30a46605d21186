/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking runs once as `npm run typecheck`; with isolatedModules in
  // tsconfig.json ts-jest only transpiles each file, which keeps the suite fast
  // (the provider bindings are huge).
  transform: { '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30000,
};
