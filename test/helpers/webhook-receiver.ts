import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local webhook endpoint that keeps every body it is sent and answers 204. */
export async function startWebhookReceiver() {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kyc`,
    bodies,
    /** The bodies about `sessionId`, parsed, once at least one has arrived (or the wait ran out). */
    async about(sessionId: string, timeoutMs = 15_000): Promise<Record<string, unknown>[]> {
      const deadline = Date.now() + timeoutMs;
      while (!bodies.some((b) => b.includes(sessionId)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      return bodies.filter((b) => b.includes(sessionId)).map((b) => JSON.parse(b) as Record<string, unknown>);
    },
    close: () => server.close(),
  };
}
