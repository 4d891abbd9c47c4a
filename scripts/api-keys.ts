// Tenants and API keys, from the command line (DATABASE_URL selects the database):
//   npm run keys -- tenant create <name> [--webhook <url>]   prints the webhook signing secret once
//   npm run keys -- tenant webhook-secret <tenant> rotate [--overlap 24h]  prints the new secret once; the old one keeps signing beside it for the overlap
//   npm run keys -- webhook-secrets reseal                     re-encrypts secrets with the first WEBHOOK_SECRET_KEYS key
//   npm run keys -- create <tenant name or id> [--label <text>] [--role integration|reviewer]  prints the key once; only its hash is stored
//   npm run keys -- tenant review <tenant> [off | band=0.05 livenessReport=on always=off timeout=72h onTimeout=reject sla=24h]  no pairs: show
//   npm run keys -- revoke <key prefix>
//   npm run keys -- list
//   npm run keys -- tenant threshold <tenant> [<0.4..0.7> | default]   the tenant's own similarity threshold; no value: show
//   npm run keys -- tenant liveness <tenant> [check=mode ...]    e.g. antiSpoof=report challenge=enforce; no pairs: show
//   npm run keys -- tenant quota <tenant> [<bytes>|default]      the tenant's storage quota; no value: show
//   npm run keys -- tenant retention <tenant> [media=24h frameDetails=30d decision=1827d ...]  no pairs: show
//   npm run keys -- operator create <name> --scope codec:decode[,codec:encode]   a codec-endpoint token, printed once
//   npm run keys -- operator revoke <prefix> | operator list
//   npm run keys -- verdict-keys [<id>]                       a new Ed25519 pair: VERDICT_SIGNING_KEY and VERDICT_PUBLIC_KEYS
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { parseDuration } from '../src/config/duration.js';
import { LIVENESS_CHECKS, LIVENESS_MODES, REVIEW_DECISIONS, type LivenessCheckName, type LivenessMode, type LivenessPolicy, type ReviewDecision, type ReviewPolicy } from '../src/contract/face-similarity.js';
import { OPERATOR_SCOPES, type OperatorScope } from '../src/auth/operator-token.js';
import { generateVerdictKeys } from '../src/crypto/verdict-signature.js';
import { OperatorTokenStore } from '../src/db/operator-token-store.js';
import { effectiveLivenessPolicy } from '../src/sessions/liveness-policy.js';
import { webhookSecrets } from '../src/runtime/compose.js';
import { createDb } from '../src/db/prisma.js';
import { API_KEY_ROLES, TenantStore, type ApiKeyRole } from '../src/db/tenant-store.js';
import { checkWebhookUrl } from '../src/webhooks/destination.js';
import { runMain } from '../src/runtime/main.js';

const USAGE =
  'usage: keys tenant create <name> [--webhook <url>] | keys tenant webhook-secret <tenant> rotate [--overlap <duration>] | keys tenant liveness <tenant> [check=mode ...] | keys tenant quota <tenant> [<bytes>|default] | keys tenant threshold <tenant> [<0.4..0.7>|default] | keys tenant retention <tenant> [class=duration ...] | keys webhook-secrets reseal | ' +
  'keys tenant review <tenant> [off | name=value ...] | keys create <tenant> [--label <text>] [--role integration|reviewer] | keys revoke <prefix> | keys list | keys operator create <name> --scope <scopes> | keys operator revoke <prefix> | keys operator list | keys verdict-keys [<id>]';

/** `check=mode` pairs, each check and mode checked against the contract's lists. */
function parseModes(pairs: string[]): Partial<LivenessPolicy> {
  const modes: Partial<LivenessPolicy> = {};
  for (const pair of pairs) {
    const [check, mode] = pair.split('=');
    if (!LIVENESS_CHECKS.includes(check as LivenessCheckName) || !LIVENESS_MODES.includes(mode as LivenessMode)) {
      throw new Error(`"${pair}": expected check=mode with check one of ${LIVENESS_CHECKS.join(', ')} and mode one of ${LIVENESS_MODES.join(', ')}`);
    }
    modes[check as LivenessCheckName] = mode as LivenessMode;
  }
  return modes;
}

function parseRetention(pairs: string[]): Partial<Record<'mediaMs' | 'frameDetailsMs' | 'decisionMs', number>> {
  const keys = { media: 'mediaMs', frameDetails: 'frameDetailsMs', decision: 'decisionMs' } as const;
  const out: Partial<Record<'mediaMs' | 'frameDetailsMs' | 'decisionMs', number>> = {};
  for (const pair of pairs) {
    const [name, value] = pair.split('=');
    const key = keys[name as keyof typeof keys];
    const ms = value ? parseDuration(value) : undefined;
    if (!key || ms === undefined) throw new Error(`"${pair}": expected media|frameDetails|decision=<duration such as 24h or 30d>`);
    out[key] = ms;
  }
  return out;
}

/** `name=value` pairs of a review policy (contract/review.ts), merged over `current`. */
function parseReview(pairs: string[], current: Partial<ReviewPolicy>): Partial<ReviewPolicy> {
  const out: Partial<ReviewPolicy> = { ...current };
  const flag = (pair: string, v: string | undefined) => {
    if (v !== 'on' && v !== 'off') throw new Error(`"${pair}": expected on or off`);
    return v === 'on';
  };
  const duration = (pair: string, v: string | undefined) => {
    const ms = v ? parseDuration(v) : undefined;
    if (ms === undefined) throw new Error(`"${pair}": expected a duration such as 72h`);
    return ms;
  };
  for (const pair of pairs) {
    const [name, v] = pair.split('=');
    if (name === 'band') out.similarityBand = Number(v);
    else if (name === 'livenessReport') out.livenessReportFailures = flag(pair, v);
    else if (name === 'always') out.always = flag(pair, v);
    else if (name === 'timeout') out.timeoutMs = duration(pair, v);
    else if (name === 'sla') out.serviceLevelMs = duration(pair, v);
    else if (name === 'onTimeout' && REVIEW_DECISIONS.includes(v?.toUpperCase() as ReviewDecision)) out.onTimeout = v!.toUpperCase() as ReviewDecision;
    else throw new Error(`"${pair}": expected band=<0..0.3>, livenessReport=on|off, always=on|off, timeout=<duration>, onTimeout=approve|reject or sla=<duration>`);
  }
  return out;
}

runMain('keys', async () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { webhook: { type: 'string' }, overlap: { type: 'string' }, label: { type: 'string' }, scope: { type: 'string' }, role: { type: 'string' } },
  });
  if (positionals[0] === 'verdict-keys') {
    // Needs no database: a pair for a new deployment, or the next one of a rotation.
    const { signingKey, publicKey } = generateVerdictKeys(positionals[1] ?? `v${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`);
    console.log(`VERDICT_SIGNING_KEY=${signingKey}   # GPU workers only; a secret`);
    console.log(`VERDICT_PUBLIC_KEYS=${publicKey}   # the API and the orchestration worker (append to the old one while rotating)`);
    return;
  }
  const config = loadConfig(process.env, 'keys');
  const db = createDb(config.database.url);
  const tenants = new TenantStore(db, webhookSecrets(config));
  try {
    const [command, ...rest] = positionals;
    if (command === 'tenant' && rest[0] === 'create' && rest[1]) {
      // Refused now rather than at the first delivery: https only, no credentials in the URL.
      if (values.webhook) checkWebhookUrl(values.webhook, config.webhooks.policy);
      const tenant = await tenants.createTenant(rest[1], values.webhook);
      console.log(`tenant ${tenant.name} (${tenant.id}) created`);
      if (tenant.webhookSecret) console.log(`webhook signing secret (shown once): ${tenant.webhookSecret}`);
      if (tenant.webhookSecret && config.webhooks.secretKeys.length === 0) {
        console.warn('warning: WEBHOOK_SECRET_KEYS is not set, so the secret is stored unencrypted');
      }
    } else if (command === 'tenant' && rest[0] === 'webhook-secret' && rest[1] && rest[2] === 'rotate') {
      const tenant = await tenants.findTenant(rest[1]);
      if (!tenant) throw new Error(`no tenant "${rest[1]}"`);
      const overlapMs = parseDuration(values.overlap ?? '24h');
      if (overlapMs === undefined) throw new Error(`--overlap: not a duration: ${values.overlap}`);
      const { secret, previousUntil } = await tenants.rotateWebhookSecret(tenant.id, overlapMs);
      console.log(`new webhook signing secret of ${tenant.name} (shown once): ${secret}`);
      console.log(previousUntil ? `the previous secret keeps signing beside it until ${previousUntil.toISOString()}: deploy the new one before then` : 'the previous secret no longer signs');
    } else if (command === 'tenant' && rest[0] === 'quota' && rest[1]) {
      const tenant = await tenants.findTenant(rest[1]);
      if (!tenant) throw new Error(`no tenant "${rest[1]}"`);
      if (rest[2] !== undefined) {
        const bytes = rest[2] === 'default' ? null : Number(rest[2]);
        if (bytes !== null && (!Number.isSafeInteger(bytes) || bytes <= 0)) throw new Error(`"${rest[2]}": expected a number of bytes or "default"`);
        await tenants.setStorageQuota(tenant.id, bytes);
      }
      const own = await tenants.storageQuota(tenant.id);
      console.log(`storage quota of ${tenant.name}: ${own ?? config.api.tenantStorageQuotaBytes} bytes ${own === null ? '(service default)' : '(tenant)'}`);
    } else if (command === 'tenant' && rest[0] === 'threshold' && rest[1]) {
      const tenant = await tenants.findTenant(rest[1]);
      if (!tenant) throw new Error(`no tenant "${rest[1]}"`);
      if (rest[2] !== undefined) await tenants.setMatchThreshold(tenant.id, rest[2] === 'default' ? null : Number(rest[2]));
      const own = await tenants.matchThreshold(tenant.id);
      console.log(`similarity threshold of ${tenant.name}: ${own ?? config.face.matchThreshold} ${own === null ? '(service default)' : '(tenant)'}; new sessions decide with it`);
    } else if (command === 'tenant' && rest[0] === 'retention' && rest[1]) {
      const tenant = await tenants.findTenant(rest[1]);
      if (!tenant) throw new Error(`no tenant "${rest[1]}"`);
      const own = rest.length > 2 ? await tenants.setRetention(tenant.id, parseRetention(rest.slice(2))) : await tenants.retention(tenant.id);
      const defaults = config.retention.defaults;
      for (const [name, key] of [['media', 'mediaMs'], ['frameDetails', 'frameDetailsMs'], ['decision', 'decisionMs']] as const) {
        console.log(`${name.padEnd(13)} ${String((own[key] ?? defaults[key]) / 3_600_000).padStart(8)} h ${own[key] ? '(tenant)' : '(service default)'}`);
      }
    } else if (command === 'webhook-secrets' && rest[0] === 'reseal') {
      console.log(`${await tenants.resealWebhookSecrets()} webhook secrets sealed with key "${config.webhooks.secretKeys[0]?.id}"`);
    } else if (command === 'tenant' && rest[0] === 'liveness' && rest[1]) {
      const tenant = await tenants.findTenant(rest[1]);
      if (!tenant) throw new Error(`no tenant "${rest[1]}"`);
      const modes = rest.length > 2 ? await tenants.setLivenessModes(tenant.id, parseModes(rest.slice(2))) : await tenants.livenessModes(tenant.id);
      const policy = effectiveLivenessPolicy(config.face.liveness.defaultPolicy, modes);
      for (const check of LIVENESS_CHECKS) console.log(`${check.padEnd(15)} ${policy[check].padEnd(8)} ${modes[check] ? '(tenant)' : '(service default)'}`);
      console.log('new sessions of this tenant use these modes; sessions already created keep theirs');
    } else if (command === 'tenant' && rest[0] === 'review' && rest[1]) {
      const tenant = await tenants.findTenant(rest[1]);
      if (!tenant) throw new Error(`no tenant "${rest[1]}"`);
      const current = await tenants.reviewPolicy(tenant.id);
      const pairs = rest.slice(2);
      const policy = pairs.length === 0 ? current : await tenants.setReviewPolicy(tenant.id, pairs[0] === 'off' ? null : parseReview(pairs, current ?? {}));
      console.log(policy ? `review policy of ${tenant.name}: ${JSON.stringify(policy)}` : `${tenant.name}: no review; every decision is the machine's`);
      console.log('applies to decisions taken from now on');
    } else if (command === 'create' && rest[0]) {
      const tenant = await tenants.findTenant(rest[0]);
      if (!tenant) throw new Error(`no tenant "${rest[0]}"`);
      const role = (values.role ?? 'integration').toUpperCase();
      if (!API_KEY_ROLES.includes(role as ApiKeyRole)) throw new Error(`--role: expected ${API_KEY_ROLES.join(' or ').toLowerCase()}`);
      const created = await tenants.createKey(tenant.id, values.label, role as ApiKeyRole);
      console.log(`${role.toLowerCase()} API key for ${tenant.name} (shown once; store it now): ${created.key}`);
    } else if (command === 'revoke' && rest[0]) {
      if (!(await tenants.revokeKey(rest[0]))) throw new Error(`no live key with prefix ${rest[0]}`);
      console.log(`key ${rest[0]} revoked`);
    } else if (command === 'operator' && rest[0] === 'create' && rest[1]) {
      const scopes = (values.scope ?? 'codec:decode').split(',').map((x) => x.trim());
      const bad = scopes.filter((x) => !OPERATOR_SCOPES.includes(x as OperatorScope));
      if (bad.length > 0) throw new Error(`unknown scope ${bad.join(', ')}; expected ${OPERATOR_SCOPES.join(', ')}`);
      const created = await new OperatorTokenStore(db).create(rest[1], scopes as OperatorScope[]);
      console.log(`operator token for ${rest[1]} with ${scopes.join(', ')} (shown once; store it now): ${created.token}`);
    } else if (command === 'operator' && rest[0] === 'revoke' && rest[1]) {
      if (!(await new OperatorTokenStore(db).revoke(rest[1]))) throw new Error(`no live operator token with prefix ${rest[1]}`);
      console.log(`operator token ${rest[1]} revoked`);
    } else if (command === 'operator' && rest[0] === 'list') {
      for (const t of await new OperatorTokenStore(db).list()) console.log(`${t.prefix}  ${t.name.padEnd(20)} ${t.scopes.join(',').padEnd(26)} ${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'live'}`);
    } else if (command === 'list') {
      for (const k of await tenants.listKeys()) {
        console.log(`${k.prefix}  ${k.tenant.name.padEnd(20)} ${(k.label ?? '').padEnd(20)} ${k.role.toLowerCase().padEnd(12)} ${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'live'}`);
      }
    } else {
      throw new Error(USAGE);
    }
  } finally {
    await db.$disconnect();
  }
});
