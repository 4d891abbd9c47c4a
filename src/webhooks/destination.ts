import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Where webhooks may go; both exceptions are for local development and tests only. */
export interface DestinationPolicy {
  /** Plain http:// endpoints (WEBHOOK_ALLOW_HTTP). */
  allowHttp: boolean;
  /** Private, loopback, link-local and metadata addresses (WEBHOOK_ALLOW_PRIVATE_NETWORKS). */
  allowPrivateNetworks: boolean;
}

export class WebhookDestinationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookDestinationError';
  }
}

/**
 * Addresses a webhook must never reach: they are our own side of the network (loopback, the
 * private ranges a cluster runs in, link-local with the cloud metadata endpoints, carrier NAT,
 * unique-local IPv6), or no real destination at all (unspecified, multicast, reserved).
 */
const FORBIDDEN = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) FORBIDDEN.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv6');
}

export function isForbiddenAddress(address: string): boolean {
  // ::ffff:10.0.0.1 is 10.0.0.1.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return FORBIDDEN.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The URL, if the policy lets a webhook go there at all (scheme, no credentials); else throws. */
export function checkWebhookUrl(raw: string, policy: DestinationPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookDestinationError('the webhook URL is not a valid URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw new WebhookDestinationError(`webhooks must use https (got ${url.protocol.replace(':', '')})`);
  }
  if (url.username || url.password) throw new WebhookDestinationError('the webhook URL must not carry credentials');
  return url;
}

/**
 * Resolves a webhook host and returns the one address the connection will use, refusing the
 * host when any of its addresses is forbidden (a name that also resolves inward is not trusted
 * on its other records). The caller connects to exactly this address: no second lookup that a
 * short-TTL DNS answer could point elsewhere.
 */
export async function resolveDestination(host: string, policy: DestinationPolicy): Promise<{ address: string; family: 4 | 6 }> {
  const literal = host.replace(/^\[|\]$/g, '');
  const addresses = isIP(literal)
    ? [{ address: literal, family: isIP(literal) as 4 | 6 }]
    : ((await lookup(literal, { all: true, verbatim: true })) as { address: string; family: 4 | 6 }[]);
  if (addresses.length === 0) throw new WebhookDestinationError(`${host} does not resolve`);
  if (!policy.allowPrivateNetworks) {
    const forbidden = addresses.find((a) => isForbiddenAddress(a.address));
    if (forbidden) throw new WebhookDestinationError(`${host} resolves to ${forbidden.address}, a private, loopback, link-local or reserved address`);
  }
  return addresses[0]!;
}
