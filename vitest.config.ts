import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        // Recorded workflow histories against the current code; no server needed.
        test: { name: 'replay', include: ['test/replay/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
      },
      {
        // The workflow's branches on Temporal's time-skipping test server, activities replaced.
        test: { name: 'workflow', include: ['test/workflow/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 180_000, fileParallelism: false },
      },
      {
        // The deployment files through docker-compose's parser and hadolint.
        test: { name: 'deploy', include: ['test/deploy/**/*.test.ts'], testTimeout: 60_000 },
      },
      {
        // The face pipeline on the real models and ffmpeg; no servers.
        test: { name: 'pipeline', include: ['test/pipeline/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        // Our face pipeline against OpenCV's reference implementation (Python, test oracle only).
        test: { name: 'parity', include: ['test/parity/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000 },
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
        },
      },
      {
        // The stack as separate processes under injected faults (dev/chaos); after every other
        // project, so its timings are not those of a machine also running the rest of the suite.
        test: { name: 'chaos', include: ['test/chaos/**/*.test.ts'], testTimeout: 900_000, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
