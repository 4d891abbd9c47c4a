// The baseline of bench/upload: the least a Fastify server can do with a multipart upload,
// streaming the file part to disk. Listens on PORT, writes into DIR.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';

const app = Fastify();
await app.register(multipart, { limits: { fileSize: 300 * 1024 * 1024, files: 1 } });
app.post('/upload', async (request, reply) => {
  const part = await request.file();
  if (!part) return reply.code(400).send();
  await pipeline(part.file, createWriteStream(path.join(process.env.DIR!, randomUUID())));
  return reply.code(201).send({ ok: true });
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
console.log('ready');
