import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  at: number;
  deliveryId: string;
  sessionId: string;
  status: string;
  signatureValid: boolean;
  /** What the receiver answered: a share of first attempts get 503, so retries happen. */
  answered: number;
}

/**
 * A tenant's webhook endpoint on loopback: records every delivery, checks its signature, and
 * answers 503 to the first attempt of about one delivery in `flakyOneIn`, as a real endpoint
 * having a bad moment would, so the run also exercises delivery retries.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server: Server | undefined;
  private secret: string | undefined;
  private readonly seen = new Set<string>();

  constructor(private readonly flakyOneIn = 10) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let parsed: { deliveryId?: string; sessionId?: string; status?: string } = {};
        try {
          parsed = JSON.parse(body) as typeof parsed;
        } catch {
          // recorded below with what it has
        }
        const deliveryId = String(req.headers['webhook-id'] ?? parsed.deliveryId ?? '');
        const signatureValid = this.secret !== undefined && verifiedByStandardWebhooks(this.secret, body, req.headers);
        const first = !this.seen.has(deliveryId);
        this.seen.add(deliveryId);
        const flaky = first && Number.parseInt(createHash('sha256').update(deliveryId).digest('hex').slice(0, 8), 16) % this.flakyOneIn === 0;
        const answered = flaky ? 503 : 204;
        this.received.push({ at: Date.now(), deliveryId, sessionId: String(parsed.sessionId ?? ''), status: String(parsed.status ?? ''), signatureValid, answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('webhook receiver has no port');
    return `http://127.0.0.1:${address.port}/kyc-webhook`;
  }

  /** The tenant's signing secret, known once the tenant exists. */
  useSecret(secret: string): void {
    this.secret = secret;
  }

  /** Deliveries the receiver accepted (2xx), by session. */
  acceptedBySession(): Map<string, ReceivedWebhook[]> {
    const out = new Map<string, ReceivedWebhook[]>();
    for (const r of this.received) {
      const list = out.get(r.sessionId) ?? [];
      list.push(r);
      out.set(r.sessionId, list);
    }
    return out;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** What a tenant's receiver would run: the Standard Webhooks reference library, not our own code. */
export function verifiedByStandardWebhooks(secret: string, body: string, headers: Record<string, string | string[] | undefined>): boolean {
  try {
    new Webhook(secret).verify(body, { 'webhook-id': String(headers['webhook-id']), 'webhook-timestamp': String(headers['webhook-timestamp']), 'webhook-signature': String(headers['webhook-signature']) });
    return true;
  } catch {
    return false;
  }
}
