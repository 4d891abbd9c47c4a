// `npm run dev` and `npm test` from a private folder (a clone under /root, mode 700), as root:
// PostgreSQL runs as its own user, which cannot enter such a folder; the cluster goes elsewhere.
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../../dev/stack/ephemeral-infra.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../dev/stack/embedded-postgres.js';

let privateDir: string;
let db: EmbeddedDatabase | undefined;

afterAll(async () => {
  await db?.stop();
  await rm(privateDir, { recursive: true, force: true });
  if (db && db.dataDir !== path.join(privateDir, 'postgres')) await rm(db.dataDir, { recursive: true, force: true });
});

it('starts from a folder only its owner may enter, and puts the cluster where the database user can reach it', async () => {
  privateDir = await mkdtemp(path.join(tmpdir(), 'kyc-private-'));
  await chmod(privateDir, 0o700);
  db = await startEmbeddedPostgres({ dataDir: path.join(privateDir, 'postgres'), port: await freePort(), database: 'kyc_private' });
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
  await client.end();
  if (process.getuid?.() === 0) {
    // As root the server runs as `postgres`, which cannot enter privateDir.
    expect(db.dataDir.startsWith(privateDir)).toBe(false);
  } else {
    // As anyone else the server runs as that user, who owns privateDir.
    expect(db.dataDir).toBe(path.join(privateDir, 'postgres'));
  }
});
