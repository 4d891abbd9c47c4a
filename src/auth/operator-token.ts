import { randomBytes } from 'node:crypto';
import { apiKeyMatches, hashApiKey } from './api-key.js';

/**
 * Operator tokens (`kop_<prefix>_<secret>`), one per person who may look into Temporal payloads
 * through the codec endpoint, each with scopes. Stored as a sha256, like API keys.
 */
const TOKEN_PATTERN = /^kop_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/;

export const OPERATOR_SCOPES = ['codec:decode', 'codec:encode'] as const;
export type OperatorScope = (typeof OPERATOR_SCOPES)[number];

export function generateOperatorToken(): { token: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString('hex');
  const token = `kop_${prefix}_${randomBytes(24).toString('base64url')}`;
  return { token, prefix, hash: hashApiKey(token) };
}

export function operatorTokenPrefix(token: string): string | undefined {
  return TOKEN_PATTERN.exec(token)?.[1];
}

export const operatorTokenMatches = apiKeyMatches;
