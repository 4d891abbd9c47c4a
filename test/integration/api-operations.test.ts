// Operational behaviour of the API on the real stack: per-key rate limits, and a shutdown that
// lets an upload already in flight finish.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { TenantStore } from '../../src/db/tenant-store.js';
import { createSession, handWrittenUpload, multipartEnd, multipartFileHead } from '../../dev/api-client.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack } from '../helpers/stack.js';

describe('API operations', () => {
  it('limits requests per API key, with a problem+json 429, without affecting other keys', async () => {
    const stack = await startTestStack({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      const get = (key: string) =>
        fetch(`${stack.baseUrl}/v1/sessions/00000000-0000-4000-8000-000000000000`, { headers: { authorization: `Bearer ${key}` } });
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await get(stack.apiKey)).status);
      expect(statuses).toEqual([404, 404, 404, 404, 404, 429]);
      const limited = await get(stack.apiKey);
      expect(limited.headers.get('content-type')).toContain('application/problem+json');
      expect(await limited.json()).toMatchObject({ status: 429, code: 'rate-limited' });
      expect(limited.headers.get('retry-after')).toBeTruthy();

      const tenants = new TenantStore(stack.db);
      const { key } = await tenants.createKey(stack.tenantId, 'second key');
      expect((await get(key)).status).toBe(404);
    } finally {
      await stack.stop();
    }
  });

  it('finishes an upload in flight when the server shuts down', async () => {
    const stack = await startTestStack();
    const session = await createSession(stack);
    const bytes = await readFile(fixture('obama.jpg'));
    const boundary = 'shutdownboundary';
    const head = multipartFileHead(boundary, 'id.jpg');
    const tail = multipartEnd(boundary);
    let stopped = false;
    let stopping: Promise<unknown> = Promise.resolve();
    const response = handWrittenUpload(stack, session.id, 'ID_IMAGE', boundary, (req) => {
      req.write(head);
      req.write(bytes.subarray(0, 1000));
      req.on('socket', (socket) =>
        socket.on('connect', () => {
          // Shut down while the body is still arriving (the handler is reading it), then send the rest.
          setTimeout(() => (stopping = stack.stop().then(() => (stopped = true))), 200);
          setTimeout(() => {
            expect(stopped).toBe(false);
            req.end(Buffer.concat([bytes.subarray(1000), tail]));
          }, 500);
        }),
      );
    });
    const { status, body } = await response;
    await stopping;
    expect(stopped).toBe(true);
    expect(status).toBe(201);
    expect(JSON.parse(body)).toMatchObject({ kind: 'ID_IMAGE', bytes: bytes.length });
  });
});
