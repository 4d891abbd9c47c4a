import { isGrpcServiceError, type Connection } from '@temporalio/client';
// A CommonJS package: its namespaces are reachable from ESM through the default export only.
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../contract/face-similarity.js';

const GRPC_ALREADY_EXISTS = 6;
const INDEXED_TYPES = { Keyword: proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD } as const;

/**
 * Registers the workflow's custom search attributes on the namespace; already-registered ones are
 * fine. Clusters that forbid this (e.g. Temporal Cloud) need them created once by an operator:
 * `temporal operator search-attribute create --name KycStatus --type Keyword`.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !(name in (existing.customAttributes ?? {})));
    if (missing.length === 0) return;
    await connection.operatorService
      .addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, INDEXED_TYPES[type]])) })
      .catch((err: unknown) => {
        if (!(isGrpcServiceError(err) && Number(err.code) === GRPC_ALREADY_EXISTS)) throw err;
      });
  }
}
