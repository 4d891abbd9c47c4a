import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkWebhookUrl, resolveDestination, type DestinationPolicy } from './destination.js';

export interface WebhookResponse {
  status: number;
}

/**
 * POSTs `body` to a tenant's endpoint over a connection to the address resolveDestination
 * checked (the socket's lookup returns it; TLS still verifies the certificate for the host
 * name). Redirects are never followed: a 3xx is just the answer.
 */
export async function postWebhook(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: { policy: DestinationPolicy; timeoutMs: number; signal?: AbortSignal },
): Promise<WebhookResponse> {
  const url = checkWebhookUrl(rawUrl, options.policy);
  const destination = await resolveDestination(url.hostname, options.policy);
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) callback(null, [destination]);
    else callback(null, destination.address, destination.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<WebhookResponse>((resolve, reject) => {
    const req = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: pinned,
      timeout: options.timeoutMs,
      signal: options.signal,
    });
    req.on('timeout', () => req.destroy(new Error(`webhook did not answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.end(body);
  });
}
