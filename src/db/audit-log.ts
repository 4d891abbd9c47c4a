import type { DbClient } from './prisma.js';

export const AUDIT_ACTIONS = [
  'SESSION_CREATED',
  'FILE_UPLOADED',
  'RESULT_READ',
  'SESSION_DELETED',
  'SESSION_ABANDONED',
  'VERDICT_REFUSED',
  'REVIEW_REQUESTED',
  'REVIEW_SUBMITTED',
  'REVIEW_DECIDED',
  'MEDIA_READ',
  'SESSION_COMPLETED',
  'SESSION_REJECTED',
  'SESSION_FAILED',
  'SESSION_EXPIRED',
  'MEDIA_PURGED',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  tenantId: string;
  sessionId: string;
  action: AuditAction;
  /** An API key id, `session:<id>` for a session token, `workflow` or `retention`. */
  actor: string;
  requestId?: string;
  /** A kind, a digest prefix, a reason code: never media, scores or personal data. */
  detail?: string;
}

/**
 * The append-only audit trail of sessions, its only writer. Whoever changes a session records the
 * line with the same transaction client, so the line exists exactly when the change does.
 */
export class AuditLog {
  constructor(private readonly db: Pick<DbClient, 'auditEvent'>) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.auditEvent.create({
      data: { tenantId: entry.tenantId, sessionId: entry.sessionId, action: entry.action, actor: entry.actor, requestId: entry.requestId ?? null, detail: entry.detail ?? null },
    });
  }

  async forSession(sessionId: string) {
    const rows = await this.db.auditEvent.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
    return rows.map((r) => ({ action: r.action as AuditAction, actor: r.actor, requestId: r.requestId, detail: r.detail, at: r.at.toISOString() }));
  }
}
