// Temporal clients and workers speak TLS and mTLS from configuration (TEMPORAL_TLS_*), as
// Temporal Cloud and a hardened self-hosted cluster require. The suite's dev server speaks plain
// gRPC, so a TLS terminator that demands a client certificate stands in front of it here, with a
// CA and certificates made by openssl for the test.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer as createTlsServer, type Server } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { connectClient, connectionOptions, connectWorker } from '../../src/temporal/connection.js';

const run = promisify(execFile);
let dir: string;
let proxy: Server;
let address: string;
const file = (name: string) => path.join(dir, name);

/** A CA, a server certificate for localhost and a client certificate, all signed by the CA. */
async function makeCertificates(): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=kyc-test-ca']);
  for (const [name, san] of [['server', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth'], ['client', 'extendedKeyUsage=clientAuth']] as const) {
    await writeFile(file(`${name}.ext`), `${san}\nbasicConstraints=CA:FALSE\n`);
    await run('openssl', ['req', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${name === 'server' ? 'localhost' : 'kyc-worker'}`]);
    await run('openssl', ['x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '1', '-extfile', file(`${name}.ext`)]);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kyc-tls-'));
  await makeCertificates();
  const [host, port] = inject('temporalAddress').split(':');
  proxy = createTlsServer(
    { key: await readFile(file('server.key')), cert: await readFile(file('server.crt')), ca: await readFile(file('ca.crt')), requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'] },
    (socket) => {
      const upstream = netConnect(Number(port), host);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    },
  );
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
}, 60_000);

afterAll(async () => {
  proxy?.close();
  await rm(dir, { recursive: true, force: true });
});

const endpoint = (tls: Record<string, string | boolean>) => loadConfig({ KYC_ENV: 'development', TEMPORAL_ADDRESS: address, ...Object.fromEntries(Object.entries(tls).map(([k, v]) => [k, String(v)])) }).temporal;

describe('TLS to Temporal', () => {
  it('connects a client and a worker with mTLS, from TEMPORAL_TLS_CA_FILE, _CERT_FILE, _KEY_FILE and _SERVER_NAME', async () => {
    const settings = endpoint({ TEMPORAL_TLS_CA_FILE: file('ca.crt'), TEMPORAL_TLS_CERT_FILE: file('client.crt'), TEMPORAL_TLS_KEY_FILE: file('client.key'), TEMPORAL_TLS_SERVER_NAME: 'localhost' });
    expect(settings.tls.enabled).toBe(true);
    const client = await connectClient(settings);
    try {
      expect((await client.workflowService.getSystemInfo({})).serverVersion).toBeTruthy();
    } finally {
      await client.close();
    }
    const worker = await connectWorker(settings);
    await worker.close();
  });

  it('is refused without the client certificate, and without TLS', async () => {
    const serverOnly = endpoint({ TEMPORAL_TLS_CA_FILE: file('ca.crt'), TEMPORAL_TLS_SERVER_NAME: 'localhost' });
    await expect(connectClient(serverOnly, { connectTimeout: 3000 }).then((c) => c.workflowService.getSystemInfo({}))).rejects.toThrow();
    await expect(connectClient(endpoint({}), { connectTimeout: 3000 }).then((c) => c.workflowService.getSystemInfo({}))).rejects.toThrow();
  });

  it('sends an API key as Temporal Cloud expects, which implies TLS', async () => {
    const options = await connectionOptions(endpoint({ TEMPORAL_API_KEY: 'cloud-api-key' }));
    expect(options).toMatchObject({ apiKey: 'cloud-api-key', tls: {} });
    // A key pair without the other half is a configuration error, named.
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_FILE: file('client.crt') })).toThrow(/TEMPORAL_TLS_KEY_FILE/);
  });
});
