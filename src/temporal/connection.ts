import { readFile } from 'node:fs/promises';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

/** How to reach the Temporal frontend: plain (development), TLS, mTLS, or an API key (Temporal Cloud). */
export interface TemporalEndpoint {
  address: string;
  tls: { enabled: boolean; caFile?: string; certFile?: string; keyFile?: string; serverName?: string };
  apiKey?: string;
}

/**
 * The connection options of every client and worker here, from the endpoint's settings: the CA
 * and the client certificate pair are read from their files (mTLS), an API key rides as a bearer
 * token (and implies TLS, as Temporal Cloud requires).
 */
export async function connectionOptions(endpoint: TemporalEndpoint): Promise<Pick<ConnectionOptions, 'address' | 'tls' | 'apiKey'>> {
  const { tls } = endpoint;
  if (!tls.enabled) return { address: endpoint.address };
  const read = (file: string | undefined) => (file ? readFile(file) : Promise.resolve(undefined));
  const [ca, crt, key] = await Promise.all([read(tls.caFile), read(tls.certFile), read(tls.keyFile)]);
  return {
    address: endpoint.address,
    tls: {
      ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
      ...(ca ? { serverRootCACertificate: ca } : {}),
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
    },
    ...(endpoint.apiKey ? { apiKey: endpoint.apiKey } : {}),
  };
}

/** A client connection (the API, scripts, schedules). */
export async function connectClient(endpoint: TemporalEndpoint, extra: { connectTimeout?: number } = {}): Promise<Connection> {
  return Connection.connect({ ...(await connectionOptions(endpoint)), ...extra });
}

/** A worker connection. */
export async function connectWorker(endpoint: TemporalEndpoint): Promise<NativeConnection> {
  const { apiKey, ...options } = await connectionOptions(endpoint);
  return NativeConnection.connect({ ...options, ...(typeof apiKey === 'string' ? { apiKey } : {}) });
}
