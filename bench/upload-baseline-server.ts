// The baselines of bench/upload: the least a Fastify server can do with a multipart upload,
// streaming the file part to disk; with HASHING=1, also the integrity work our endpoint must do
// (a sha256 of the bytes on the way, and an fsync before answering). Listens on PORT, writes into DIR.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';

const hashing = process.env.HASHING === '1';
const app = Fastify();
await app.register(multipart, { limits: { fileSize: 300 * 1024 * 1024, files: 1 } });
app.post('/upload', async (request, reply) => {
  const part = await request.file();
  if (!part) return reply.code(400).send();
  const file = path.join(process.env.DIR!, randomUUID());
  if (!hashing) {
    await pipeline(part.file, createWriteStream(file));
    return reply.code(201).send({ ok: true });
  }
  const hash = createHash('sha256');
  const digest = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(part.file, digest, createWriteStream(file));
  const handle = await open(file, 'r+');
  await handle.sync();
  await handle.close();
  return reply.code(201).send({ sha256: hash.digest('hex') });
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
console.log('ready');
