import { readFile } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest } from 'node:http';
import path from 'node:path';
import { createKycClient, type CreatedSession, type FileKind, type Session } from '../clients/typescript/src/index.js';

/**
 * Where and as whom dev tools and tests talk to the API. Requests go through the typed client
 * generated from the OpenAPI document (clients/typescript), so a route that drifts from the
 * document fails here too; only the hand-written multipart below steps around it on purpose.
 */
export interface ApiTarget {
  baseUrl: string;
  /** The bearer credential: a tenant's API key, or a session's client token. */
  apiKey: string;
}

export type { CreatedSession };

const clientOf = (target: ApiTarget) => createKycClient({ baseUrl: target.baseUrl, token: target.apiKey });

export async function createSession(target: ApiTarget, body: { reference?: string } = {}): Promise<CreatedSession> {
  return clientOf(target).createSession(body);
}

/** An upload whose answer, success or problem, is returned as it came (tests assert on both). */
export async function upload(
  target: ApiTarget,
  sessionId: string,
  kind: string,
  file: string | { name: string; bytes: Uint8Array },
  headers: Record<string, string> = {},
) {
  const { name, bytes } = typeof file === 'string' ? { name: path.basename(file), bytes: await readFile(file) } : file;
  const { data, error, response } = await clientOf(target).raw.POST('/v1/sessions/{id}/files', {
    // Tests also send kinds the API must refuse: the query goes out as given.
    params: { path: { id: sessionId }, query: { kind: kind as FileKind } },
    headers,
    body: { file: name },
    bodySerializer: () => {
      const form = new FormData();
      form.append('file', new Blob([bytes]), name);
      return form;
    },
  });
  return { status: response.status, headers: response.headers, contentType: response.headers.get('content-type'), body: (data ?? error) as Record<string, unknown> };
}

export async function getSession(target: ApiTarget, sessionId: string): Promise<{ status: number; body: Session }> {
  const { data, error, response } = await clientOf(target).raw.GET('/v1/sessions/{id}', { params: { path: { id: sessionId } } });
  // A problem body comes back as one too: tests read its `code`.
  return { status: response.status, body: (data ?? error) as Session };
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
