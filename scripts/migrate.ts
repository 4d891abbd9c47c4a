// Applies prisma/migrations to DATABASE_URL, keeping Prisma's _prisma_migrations bookkeeping.
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { applyMigrations } from '../src/db/migrator.js';
import { REPO_ROOT } from '../src/runtime/app-root.js';
import { runMain } from '../src/runtime/main.js';

runMain('migrate', async () => {
  const config = loadConfig();
  const report = await applyMigrations(config.database.url, path.join(REPO_ROOT, 'prisma', 'migrations'));
  console.log(`migrations applied: ${report.applied.join(', ') || 'none'}; already applied: ${report.alreadyApplied.length}`);
});
