import { readFile } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest } from 'node:http';
import path from 'node:path';
import type { SessionView } from '../src/api/views.js';

/** Where and as whom a test talks to the API: plain HTTP and multipart, as a phone would. */
export interface ApiTarget {
  baseUrl: string;
  /** The bearer credential: a tenant's API key, or a session's client token. */
  apiKey: string;
}

export type CreatedSession = SessionView & { clientToken: string; clientTokenExpiresAt: string };

const auth = (target: ApiTarget, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${target.apiKey}`, ...extra });

export async function createSession(target: ApiTarget): Promise<CreatedSession> {
  const res = await fetch(`${target.baseUrl}/v1/sessions`, { method: 'POST', headers: auth(target) });
  if (res.status !== 201) throw new Error(`create session: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as CreatedSession;
}

export async function upload(
  target: ApiTarget,
  sessionId: string,
  kind: string,
  file: string | { name: string; bytes: Uint8Array },
  headers: Record<string, string> = {},
) {
  const { name, bytes } = typeof file === 'string' ? { name: path.basename(file), bytes: await readFile(file) } : file;
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const res = await fetch(`${target.baseUrl}/v1/sessions/${sessionId}/files?kind=${kind}`, { method: 'POST', body: form, headers: auth(target, headers) });
  return { status: res.status, headers: res.headers, contentType: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
}

export async function getSession(target: ApiTarget, sessionId: string): Promise<{ status: number; body: SessionView }> {
  const res = await fetch(`${target.baseUrl}/v1/sessions/${sessionId}`, { headers: auth(target) });
  return { status: res.status, body: (await res.json()) as SessionView };
}

/** The bytes that open a multipart body's one file part; the file's bytes follow. */
export function multipartFileHead(boundary: string, filename: string, contentType?: string): Buffer {
  return Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      (contentType ? `Content-Type: ${contentType}\r\n` : '') +
      '\r\n',
  );
}

/** The bytes that close a multipart body. */
export function multipartEnd(boundary: string): Buffer {
  return Buffer.from(`\r\n--${boundary}--\r\n`);
}

/**
 * A multipart upload written by hand on a raw request, for tests that control the timing of the
 * body (a slow client, a shutdown mid-upload): `send` writes the parts and ends the request.
 */
export function handWrittenUpload(
  target: ApiTarget,
  sessionId: string,
  kind: string,
  boundary: string,
  send: (req: ClientRequest) => void,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${target.baseUrl}/v1/sessions/${sessionId}/files?kind=${kind}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.apiKey}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    send(req);
  });
}
