import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { Problem } from '../problem.js';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Origins of the Temporal UI allowed to call (CORS). */
  allowedOrigins: readonly string[];
  /** Bearer token the caller must present; undefined only where the API listens on loopback. */
  token?: string;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const toPayload = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/**
 * Temporal's remote codec protocol (POST /codec/encode and /codec/decode with
 * `{"payloads": [...]}`), so an operator's Temporal UI or CLI can show decrypted payloads while
 * Temporal itself stores only ciphertext. CORS admits the configured UI origins only.
 */
export const codecServer: FastifyPluginAsync<CodecServerOptions> = async (app, options) => {
  const allowed = new Set(options.allowedOrigins);
  const cors = (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin && allowed.has(origin)) {
      reply.header('access-control-allow-origin', origin).header('vary', 'origin');
      reply.header('access-control-allow-headers', 'content-type, x-namespace, authorization').header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-credentials', 'true');
    }
  };
  const authorized = (request: FastifyRequest) => {
    if (options.token === undefined) return true;
    const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '');
    const expected = Buffer.from(options.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  for (const operation of ['encode', 'decode'] as const) {
    app.options(`/codec/${operation}`, { schema: { hide: true } }, async (request, reply) => {
      cors(request, reply);
      return reply.code(204).send();
    });
    app.post(`/codec/${operation}`, { schema: { hide: true } }, async (request, reply) => {
      cors(request, reply);
      if (!authorized(request)) throw new Problem('unauthorized', 'send `Authorization: Bearer <CODEC_SERVER_TOKEN>`');
      const body = request.body as { payloads?: JsonPayload[] } | undefined;
      if (!Array.isArray(body?.payloads)) throw new Problem('validation-error', 'expected {"payloads": [...]}');
      const payloads = body.payloads.map(toPayload);
      // A payload that is not ours (tampered, truncated, another key) is the caller's problem, not a 500.
      const result = await (operation === 'encode' ? options.codec.encode(payloads) : options.codec.decode(payloads)).catch((err: unknown) => {
        throw new Problem('validation-error', `the payloads cannot be ${operation}d with the configured keys: ${(err as Error).message}`);
      });
      return reply.send({ payloads: result.map(toJson) });
    });
  }
};
