// Runs `prisma generate` at install time, offline.
// The Prisma CLI insists on a schema-engine binary even for `generate`, which never uses it; its
// download host is unreachable on offline machines, so point it at any existing file unless the
// caller (e.g. the Docker images, which have the real engine) set one.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const cli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
