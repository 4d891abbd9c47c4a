import type { Payload, PayloadCodec } from '@temporalio/common';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Operator } from '../db/operator-token-store.js';
import type { OperatorScope } from '../auth/operator-token.js';
import { Problem, problemBody } from './problem.js';

export interface CodecAppOptions {
  codec: PayloadCodec;
  /** Origins of the Temporal UI allowed to call (CORS). */
  allowedOrigins: readonly string[];
  /**
   * Who may call: the operator of a bearer token, checked for the operation's scope; `open` only
   * in development (the local UI cannot send a token), never in production.
   */
  operators: ((token: string) => Promise<Operator | null>) | 'open';
  logger: Logger;
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
 * `{"payloads": [...]}`) on a listener of its own (CODEC_HOST:CODEC_PORT, kept on an internal
 * network), so an operator's Temporal UI or CLI shows decrypted payloads while Temporal itself
 * stores only ciphertext. Each operator has a token with scopes; every decode is logged with the
 * operator's name and the namespace. CORS admits the configured UI origins only.
 */
export async function buildCodecApp(options: CodecAppOptions) {
  const app = Fastify({ loggerInstance: options.logger, bodyLimit: 8 * 1024 * 1024 });
  const allowed = new Set(options.allowedOrigins);
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin && allowed.has(origin)) {
      reply.header('access-control-allow-origin', origin).header('vary', 'origin');
      reply.header('access-control-allow-headers', 'content-type, x-namespace, authorization').header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-credentials', 'true');
    }
  });
  app.setErrorHandler((err, request, reply) => {
    const problem = err instanceof Problem ? err : new Problem('internal-error');
    if (problem.status >= 500) request.log.error({ err }, 'codec request failed');
    reply.code(problem.status).type('application/problem+json').send(problemBody(problem, request.url));
  });
  const authorized = async (authorization: string | undefined, scope: OperatorScope): Promise<string> => {
    if (options.operators === 'open') return 'development';
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const operator = token ? await options.operators(token) : null;
    if (!operator) throw new Problem('unauthorized', 'send `Authorization: Bearer <operator token>` (`npm run keys -- operator create`)');
    if (!operator.scopes.includes(scope)) throw new Problem('insufficient-scope', `this operator token lacks ${scope}`);
    return operator.name;
  };
  for (const operation of ['encode', 'decode'] as const) {
    app.options(`/codec/${operation}`, async (_request, reply) => reply.code(204).send());
    app.post(`/codec/${operation}`, async (request, reply) => {
      const operator = await authorized(request.headers.authorization, `codec:${operation}`);
      const body = request.body as { payloads?: JsonPayload[] } | undefined;
      if (!Array.isArray(body?.payloads)) throw new Problem('validation-error', 'expected {"payloads": [...]}');
      const payloads = body.payloads.map(toPayload);
      // A payload that is not ours (tampered, truncated, another key) is the caller's problem, not a 500.
      const result = await (operation === 'encode' ? options.codec.encode(payloads) : options.codec.decode(payloads)).catch((err: unknown) => {
        throw new Problem('validation-error', `the payloads cannot be ${operation}d with the configured keys: ${(err as Error).message}`);
      });
      request.log.info({ operator, operation, payloads: payloads.length, namespace: request.headers['x-namespace'] }, 'codec request');
      return reply.send({ payloads: result.map(toJson) });
    });
  }
  return app;
}
