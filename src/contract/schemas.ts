import { z } from 'zod';
import { LIVENESS_VERDICTS } from './liveness.js';
import { FILE_KINDS } from './media.js';

/**
 * The shapes every message of the workflow must have, checked inside the workflow itself: a
 * history can be signalled, started or answered by anyone with access to the Temporal frontend,
 * so an unknown kind, a `__proto__` key or an extra field is dropped and logged, never trusted.
 * Pure zod, deterministic: it runs in the workflow sandbox.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuid = z.string().regex(UUID, 'expected a UUID');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 in hex');
const queue = z.string().min(1).max(200);

export const fileRefSchema = z.object({
  fileId: uuid,
  kind: z.enum(FILE_KINDS),
  storageKey: z.string().min(1).max(400),
  sha256,
  bytes: z.number().int().nonnegative(),
  mediaType: z.string().min(1).max(100),
  requestId: z.string().max(64).optional(),
});

export const faceSimilarityInputSchema = z.object({
  sessionId: uuid,
  // At most a week: a session is a phone's capture, not a mailbox.
  uploadTimeoutMs: z.number().int().positive().max(7 * 24 * 3_600_000),
  gpuTaskQueue: queue,
  webhookTaskQueue: queue.optional(),
  tenantId: uuid.optional(),
});

/** What compareFaces answers; histories before v4 carry the whole result, with `idempotencyKey` before the rename. */
export const faceMatchVerdictSchema = z
  .object({
    comparisonKey: z.string().min(1).max(200).optional(),
    idempotencyKey: z.string().min(1).max(200).optional(),
    similarity: z.number(),
    match: z.boolean(),
    threshold: z.number(),
    livenessVerdict: z.enum(LIVENESS_VERDICTS).optional(),
  })
  .refine((v) => v.comparisonKey !== undefined || v.idempotencyKey !== undefined, 'a verdict names its comparison');

export type Checked<T> = { ok: true; value: T; dropped: string[] } | { ok: false; issues: string[] };

/**
 * `value` as `schema` reads it. `dropped` names the keys of an object that the schema does not
 * know (stripped), so the caller can log them; a value that does not parse is refused whole.
 */
export function check<T>(schema: z.ZodType<T>, value: unknown): Checked<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`) };
  const known = typeof parsed.data === 'object' && parsed.data !== null ? new Set(Object.keys(parsed.data)) : new Set<string>();
  const dropped = typeof value === 'object' && value !== null ? Object.keys(value).filter((k) => !known.has(k)) : [];
  return { ok: true, value: parsed.data, dropped };
}
