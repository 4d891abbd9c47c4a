/**
 * Examples for the OpenAPI document: one realistic body per operation, valid against its schema
 * (Redocly's `no-invalid-media-type-examples` checks them in CI). Ids and hashes are made up.
 */
const SESSION_ID = '0b7f6b1e-3f2c-4d1a-9a57-2f9c1c6f4e21';
const CREATED_AT = '2026-12-03T09:30:00.000Z';

const CREATED_EXAMPLE = {
  id: SESSION_ID,
  reference: 'user-4711',
  status: 'AWAITING_FILES',
  createdAt: CREATED_AT,
  updatedAt: CREATED_AT,
  completedAt: null,
  files: [],
  rejectionReason: null,
  challenge: { steps: ['TURN_LEFT', 'TURN_RIGHT'] },
  liveness: null,
  retake: null,
  result: null,
  review: null,
  erasure: null,
  clientToken: `kst_${SESSION_ID}_1796290200_q0Zx3m1cJx8d3o2gkR9bqk3jA6sQ0w3Qy1mV8y2sP0E`,
  clientTokenExpiresAt: '2026-12-03T10:30:00.000Z',
};

const UPLOADED_EXAMPLE = {
  fileId: '5d0c6f0e-8a43-4c1c-bb0e-6c2d9f1a7b30',
  kind: 'SELFIE_VIDEO',
  sha256: '9f2b5c1d0a7e4f3b8c6d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b',
  bytes: 2_431_877,
  mediaType: 'video/webm',
  duplicate: false,
};

const SUMMARY_EXAMPLE = {
  id: SESSION_ID,
  reference: 'user-4711',
  status: 'COMPLETED',
  rejectionReason: null,
  filesReceived: ['ID_IMAGE', 'SELFIE_VIDEO'],
  createdAt: CREATED_AT,
  updatedAt: '2026-12-03T09:31:12.406Z',
  completedAt: '2026-12-03T09:31:12.406Z',
};

const COMPLETED_AT = '2026-12-03T09:31:12.406Z';

/** A decided session as the tenant reads it (per-frame details cut to two frames). */
const { clientToken: _token, clientTokenExpiresAt: _expiry, ...NEW_SESSION } = CREATED_EXAMPLE;

const SESSION_EXAMPLE = {
  ...NEW_SESSION,
  status: 'COMPLETED',
  updatedAt: COMPLETED_AT,
  completedAt: COMPLETED_AT,
  files: [
    { kind: 'ID_IMAGE', sha256: '3c1f0e9d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e', bytes: 412_338, mediaType: 'image/jpeg', uploadedAt: '2026-12-03T09:30:21.113Z' },
    { kind: 'SELFIE_VIDEO', sha256: UPLOADED_EXAMPLE.sha256, bytes: UPLOADED_EXAMPLE.bytes, mediaType: 'video/webm', uploadedAt: '2026-12-03T09:31:02.870Z' },
  ],
  liveness: {
    verdict: 'PASS',
    failedCheck: null,
    checks: [
      { check: 'motion', mode: 'enforce', verdict: 'PASS', score: 0.031, threshold: 0.004, framesUsed: [0, 400, 800, 1200], detail: 'the face moved between frames' },
      { check: 'challenge', mode: 'enforce', verdict: 'PASS', score: 1, threshold: 1, framesUsed: [1600, 2800], detail: 'both head turns seen, in order' },
    ],
  },
  result: {
    match: true,
    similarity: 0.6712,
    threshold: 0.42,
    margin: 0.2512,
    detectorModel: 'yunet-2023mar',
    embedderModel: 'mobilefacenet-w600k',
    executionProvider: 'cuda',
    framesExamined: 12,
    framesWithFace: 12,
    frames: [
      { timestampMs: 0, faceFound: true, quality: 0.91, similarity: 0.664, excludedBy: null, used: true },
      { timestampMs: 400, faceFound: true, quality: 0.88, similarity: 0.679, excludedBy: null, used: true },
    ],
  },
};

const ERASURE_EXAMPLE = {
  sessionId: SESSION_ID,
  status: 'DELETED',
  erasedAt: '2026-12-04T08:00:00.000Z',
  erasedBy: '1f4e7a2c-9b3d-4c5e-8f6a-0b1c2d3e4f5a',
  deleted: { blobs: 2, fileRows: 2, frameDetails: 1, storedResponses: 1, temporalHistory: true, temporalRuns: 1, runTerminated: false },
};

const AUDIT_EXAMPLE = {
  sessionId: SESSION_ID,
  events: [
    { action: 'SESSION_CREATED', actor: ERASURE_EXAMPLE.erasedBy, requestId: 'req-7c1d', detail: null, at: CREATED_AT },
    { action: 'FILE_UPLOADED', actor: `session:${SESSION_ID}`, requestId: 'req-9a02', detail: 'SELFIE_VIDEO', at: '2026-12-03T09:31:02.870Z' },
  ],
};

const REVIEW_EXAMPLE = {
  triggers: ['SIMILARITY_NEAR_THRESHOLD'],
  machineMatch: true,
  requestedAt: COMPLETED_AT,
  dueAt: '2026-12-06T09:31:12.406Z',
  onTimeout: 'REJECT',
  decision: 'APPROVE',
  reasonCode: 'SAME_PERSON',
  decidedBy: '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  decidedAt: '2026-12-03T11:02:40.001Z',
};

const REVIEW_SUBMISSION_EXAMPLE = { decision: 'APPROVE', reasonCode: 'SAME_PERSON', note: 'ID photo ten years old; same ears and jaw' };

const CREATE_REQUEST_EXAMPLE = { reference: 'user-4711' };

/** Per operation id and status: what the response means and an example body (none for binary or empty ones). */
export const RESPONSE_EXAMPLES: Record<string, Record<string, { description: string; example?: unknown }>> = {
  healthz: { 200: { description: 'The process is up', example: { status: 'ok' } } },
  readyz: {
    200: { description: 'Postgres and Temporal answer', example: { status: 'ready', checks: { database: true, temporal: true } } },
    503: { description: 'A dependency does not answer', example: { status: 'unavailable', checks: { database: true, temporal: false } } },
  },
  createSession: { 201: { description: 'The session, waiting for its two files, and its client token', example: CREATED_EXAMPLE } },
  listSessions: { 200: { description: 'A page of sessions, newest first', example: { items: [SUMMARY_EXAMPLE], nextCursor: null } } },
  getSession: { 200: { description: 'The session (`Session` with an API key, `SessionForEndUser` with its session token)', example: SESSION_EXAMPLE } },
  eraseSession: { 200: { description: 'The erasure receipt (the same on every repeat)', example: ERASURE_EXAMPLE } },
  getSessionAudit: { 200: { description: 'Every audited action on the session, oldest first', example: AUDIT_EXAMPLE } },
  uploadSessionFile: {
    200: { description: 'These bytes were already uploaded for this kind: nothing changed', example: { ...UPLOADED_EXAMPLE, duplicate: true } },
    201: { description: 'The file is stored and the session told', example: UPLOADED_EXAMPLE },
  },
  listReviews: { 200: { description: 'A page of sessions awaiting review, oldest first', example: { reviews: [], nextCursor: null } } },
  decideReview: { 200: { description: 'The session as recorded after the decision', example: { ...SESSION_EXAMPLE, review: REVIEW_EXAMPLE } } },
};

/** Per operation id: an example JSON request body. */
export const REQUEST_EXAMPLES: Record<string, unknown> = {
  createSession: CREATE_REQUEST_EXAMPLE,
  decideReview: REVIEW_SUBMISSION_EXAMPLE,
};
