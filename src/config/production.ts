import type { Env } from './env-schema.js';

/** The processes that load configuration, each needing its own secrets. */
export type ProcessRole = 'api' | 'orchestration-worker' | 'gpu-worker' | 'keys';

/**
 * What each process refuses to start without outside development: no silent default secret, no
 * silent "encryption off". Each entry names the variable and what it protects.
 */
const REQUIRED: Record<ProcessRole, [keyof Env, string][]> = {
  api: [
    ['DATABASE_URL', 'the database (the local default is for development)'],
    ['CLIENT_TOKEN_SECRET', 'signs session tokens; the same on every API replica'],
    ['TEMPORAL_PAYLOAD_KEYS', 'encrypts what the API sends to Temporal'],
  ],
  'orchestration-worker': [
    ['DATABASE_URL', 'the database (the local default is for development)'],
    ['TEMPORAL_PAYLOAD_KEYS', 'encrypts workflow payloads'],
    ['WEBHOOK_SECRET_KEYS', 'opens the webhook signing secrets stored sealed'],
  ],
  'gpu-worker': [
    ['DATABASE_URL', 'the database (the local default is for development)'],
    ['TEMPORAL_PAYLOAD_KEYS', 'encrypts activity payloads'],
  ],
  keys: [
    ['DATABASE_URL', 'the database (the local default is for development)'],
    ['WEBHOOK_SECRET_KEYS', 'seals the webhook signing secrets it creates'],
  ],
};

/** Needed in every environment: without them no decision can be signed or believed (`npm run dev` makes a pair). */
const ALWAYS: Partial<Record<ProcessRole, [keyof Env, string][]>> = {
  api: [['VERDICT_PUBLIC_KEYS', 'verifies that a decision was signed by a GPU worker']],
  'orchestration-worker': [['VERDICT_PUBLIC_KEYS', 'verifies a decision before it is recorded and sent']],
  'gpu-worker': [['VERDICT_SIGNING_KEY', 'signs each stored decision']],
};

const unset = (value: unknown) => value === undefined || value === '' || (Array.isArray(value) && value.length === 0);

export function missingFor(e: Env, role: ProcessRole): string[] {
  const always = (ALWAYS[role] ?? []).filter(([name]) => unset(e[name])).map(([name, why]) => `${name}: required (${why}); \`npm run keys -- verdict-keys\` makes a pair`);
  if (e.KYC_ENV !== 'production') return always;
  const missing = REQUIRED[role].filter(([name]) => unset(e[name]));
  return [...always, ...missing.map(([name, why]) => `${name}: required when KYC_ENV=production (${why}); set KYC_ENV=development only on a developer's machine`)];
}
