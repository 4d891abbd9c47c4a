import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SessionView } from '../../src/api/views.js';

/** A mobile app's view of the API: plain HTTP and multipart, as a phone would send them. */
export async function createSession(baseUrl: string): Promise<SessionView> {
  const res = await fetch(`${baseUrl}/v1/sessions`, { method: 'POST' });
  if (res.status !== 201) throw new Error(`create session: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as SessionView;
}

export async function upload(baseUrl: string, sessionId: string, kind: string, file: string | { name: string; bytes: Uint8Array }) {
  const { name, bytes } = typeof file === 'string' ? { name: path.basename(file), bytes: await readFile(file) } : file;
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const res = await fetch(`${baseUrl}/v1/sessions/${sessionId}/files?kind=${kind}`, { method: 'POST', body: form });
  return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
}

export async function getSession(baseUrl: string, sessionId: string): Promise<{ status: number; body: SessionView }> {
  const res = await fetch(`${baseUrl}/v1/sessions/${sessionId}`);
  return { status: res.status, body: (await res.json()) as SessionView };
}
