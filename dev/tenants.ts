import { randomUUID } from 'node:crypto';
import type { Db } from '../src/db/prisma.js';
import { TenantStore } from '../src/db/tenant-store.js';
import { Keyring } from '../src/crypto/keyring.js';
import { SecretBox } from '../src/crypto/secret-box.js';

/** A tenant of its own for one test or tool run (a unique name), optionally with a webhook. */
export async function newTenant(
  db: Db,
  label: string,
  webhookUrl?: string,
  secrets = new SecretBox(new Keyring([])),
): Promise<{ tenantId: string; webhookSecret: string | undefined }> {
  const tenant = await new TenantStore(db, secrets).createTenant(`${label}-${randomUUID().slice(0, 8)}`, webhookUrl);
  return { tenantId: tenant.id, webhookSecret: tenant.webhookSecret ?? undefined };
}

/** A new tenant and a live API key of it. */
export async function newTenantWithKey(db: Db, label: string, webhookUrl?: string, secrets?: SecretBox) {
  const tenant = await newTenant(db, label, webhookUrl, secrets);
  const { key, prefix } = await new TenantStore(db).createKey(tenant.tenantId, label);
  return { ...tenant, apiKey: key, prefix };
}
