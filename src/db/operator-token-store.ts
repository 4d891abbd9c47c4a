import { randomUUID } from 'node:crypto';
import { generateOperatorToken, operatorTokenMatches, operatorTokenPrefix, type OperatorScope } from '../auth/operator-token.js';
import type { DbClient } from './prisma.js';

export interface Operator {
  id: string;
  name: string;
  scopes: OperatorScope[];
}

/** Operators and their tokens (`operator_tokens`): the codec endpoint's only credential in production. */
export class OperatorTokenStore {
  constructor(private readonly db: DbClient) {}

  /** Creates a token and returns it in full: the only time it is ever visible. */
  async create(name: string, scopes: OperatorScope[]): Promise<{ id: string; token: string; prefix: string }> {
    const { token, prefix, hash } = generateOperatorToken();
    const row = await this.db.operatorToken.create({ data: { id: randomUUID(), name, prefix, tokenHash: hash, scopes } });
    return { id: row.id, token, prefix };
  }

  async revoke(prefix: string): Promise<boolean> {
    const { count } = await this.db.operatorToken.updateMany({ where: { prefix, revokedAt: null }, data: { revokedAt: new Date() } });
    return count === 1;
  }

  list() {
    return this.db.operatorToken.findMany({ select: { name: true, prefix: true, scopes: true, createdAt: true, revokedAt: true }, orderBy: { createdAt: 'asc' } });
  }

  /** The operator of a live token, or null for a malformed, unknown, wrong or revoked one. */
  async authenticate(token: string): Promise<Operator | null> {
    const prefix = operatorTokenPrefix(token);
    if (!prefix) return null;
    const row = await this.db.operatorToken.findUnique({ where: { prefix } });
    if (!row || row.revokedAt || !operatorTokenMatches(token, row.tokenHash)) return null;
    return { id: row.id, name: row.name, scopes: row.scopes as OperatorScope[] };
  }
}
