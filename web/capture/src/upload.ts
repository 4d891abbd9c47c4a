import type { CaptureSession } from './session.js';

export type FileKind = 'ID_IMAGE' | 'SELFIE_VIDEO';

export class UploadRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(detail);
  }
}

interface Attempt {
  status: number;
  body: string;
}

/** One multipart POST through XMLHttpRequest: fetch cannot report upload progress. */
function send(session: CaptureSession, kind: FileKind, file: Blob, name: string, idempotencyKey: string, onProgress: (fraction: number) => void): Promise<Attempt> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/v1/sessions/${session.id}/files?kind=${kind}`);
    xhr.setRequestHeader('authorization', `Bearer ${session.token}`);
    xhr.setRequestHeader('idempotency-key', idempotencyKey);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    // Status 0: the connection dropped (or never opened): worth another try.
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText });
    xhr.onerror = () => resolve({ status: 0, body: '' });
    xhr.ontimeout = () => resolve({ status: 0, body: '' });
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', file, name);
    xhr.send(form);
  });
}

const RETRYABLE = new Set([0, 408, 429, 500, 502, 503, 504]);

/**
 * Uploads with retries on a dropped connection or a busy server (1 s, 2 s, 4 s, 8 s apart). The
 * same Idempotency-Key on every attempt: a retry whose first answer was lost is not a second file.
 */
export async function uploadWithRetry(
  session: CaptureSession,
  kind: FileKind,
  file: Blob,
  name: string,
  events: { onProgress: (fraction: number) => void; onRetry: (attempt: number, waitMs: number) => void },
): Promise<void> {
  const idempotencyKey = `capture-${kind}-${crypto.randomUUID()}`;
  for (let attempt = 1; ; attempt++) {
    const { status, body } = await send(session, kind, file, name, idempotencyKey, events.onProgress);
    if (status >= 200 && status < 300) return;
    if (!RETRYABLE.has(status) || attempt === 5) {
      const problem = parseProblem(body);
      throw new UploadRefused(status, problem?.code, problem?.detail ?? problem?.title ?? (status === 0 ? 'The connection dropped.' : `HTTP ${status}`));
    }
    const waitMs = 1000 * 2 ** (attempt - 1);
    events.onRetry(attempt, waitMs);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

function parseProblem(body: string): { code?: string; title?: string; detail?: string } | undefined {
  try {
    return JSON.parse(body) as { code?: string; title?: string; detail?: string };
  } catch {
    return undefined;
  }
}
