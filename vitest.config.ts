import { defineConfig } from 'vitest/config';

/**
 * Every project runs in its own turn (sequence.groupOrder), one after another: on two cores a
 * timed or memory assertion must never share the machine with another project's heavy files.
 * Cheap projects first, so a broken build fails in seconds.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        // Recorded workflow histories against the current code; no server needed.
        test: { name: 'replay', include: ['test/replay/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000, sequence: { groupOrder: 1 } },
      },
      {
        // The workflow's branches on Temporal's time-skipping test server, activities replaced.
        test: { name: 'workflow', include: ['test/workflow/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 180_000, fileParallelism: false, sequence: { groupOrder: 2 } },
      },
      {
        // The deployment files through docker-compose's parser and hadolint.
        test: { name: 'deploy', include: ['test/deploy/**/*.test.ts'], testTimeout: 60_000, sequence: { groupOrder: 3 } },
      },
      {
        // The face pipeline on the real models and ffmpeg; no servers.
        test: { name: 'pipeline', include: ['test/pipeline/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, sequence: { groupOrder: 4 } },
      },
      {
        // Our face pipeline against OpenCV's reference implementation (Python, test oracle only).
        test: { name: 'parity', include: ['test/parity/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000, sequence: { groupOrder: 5 } },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          // One Temporal server, one database and two cores: files run one after another.
          fileParallelism: false,
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 6 },
        },
      },
      {
        // The stack as separate processes under injected faults (dev/chaos); last.
        test: { name: 'chaos', include: ['test/chaos/**/*.test.ts'], testTimeout: 900_000, sequence: { groupOrder: 7 } },
      },
    ],
  },
});
