import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two test files at a time. Vitest's default is one fewer than the cores (1 on a 2-core
    // machine), but most files here wait on real time (prompts playing in Asterisk, SMSC
    // back-offs), not on the CPU: the suite took ~1,100 s one file at a time and ~610 s two at a time.
    maxWorkers: 2,
  },
});
