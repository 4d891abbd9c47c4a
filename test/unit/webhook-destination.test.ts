import { describe, expect, it } from 'vitest';
import { WebhookDestinationError, checkWebhookUrl, isForbiddenAddress, resolveDestination } from '../../src/webhooks/destination.js';

const strict = { allowHttp: false, allowPrivateNetworks: false };

describe('webhook destinations', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '::1', '::', 'fe80::1', 'fd00::1', 'fc00::abcd', '::ffff:10.0.0.1', '::ffff:127.0.0.1', '224.0.0.1', 'not-an-ip',
  ])('refuses %s (private, loopback, link-local, metadata or reserved)', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each(['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111', '172.32.0.1'])('allows the public address %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });

  it('wants https, and no credentials in the URL', () => {
    expect(() => checkWebhookUrl('http://example.com/hook', strict)).toThrow(WebhookDestinationError);
    expect(() => checkWebhookUrl('ftp://example.com/hook', { ...strict, allowHttp: true })).toThrow(/https/);
    expect(() => checkWebhookUrl('https://user:pw@example.com/hook', strict)).toThrow(/credentials/);
    expect(checkWebhookUrl('https://example.com/hook', strict).hostname).toBe('example.com');
    expect(checkWebhookUrl('http://example.com/hook', { ...strict, allowHttp: true }).protocol).toBe('http:');
  });

  it('resolves names and refuses one that points inward; literals are checked without a lookup', async () => {
    await expect(resolveDestination('localhost', strict)).rejects.toThrow(/127\.0\.0\.1|::1/);
    await expect(resolveDestination('169.254.169.254', strict)).rejects.toThrow(WebhookDestinationError);
    await expect(resolveDestination('[::1]', strict)).rejects.toThrow(WebhookDestinationError);
    expect(await resolveDestination('localhost', { ...strict, allowPrivateNetworks: true })).toMatchObject({ address: expect.stringMatching(/127\.0\.0\.1|::1/) });
    expect(await resolveDestination('93.184.215.14', strict)).toEqual({ address: '93.184.215.14', family: 4 });
  });
});
