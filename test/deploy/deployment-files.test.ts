// The deployment files, read by real tools: docker-compose's own parser (Debian's package) and
// hadolint, then checked for what a reviewer asks of them.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/runtime/app-root.js';

interface ComposeService {
  image?: string;
  security_opt?: string[];
  build?: unknown;
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  mem_limit?: number | string;
  restart?: string;
  ports?: ({ published?: string | number; host_ip?: string; target?: number } | string)[];
  environment?: Record<string, string>;
}

/** Every secret the compose file requires, as an operator's .env would give them (test values). */
const SECRETS = Object.fromEntries(
  ['KYC_DB_PASSWORD', 'KYC_API_DB_PASSWORD', 'KYC_WORKER_DB_PASSWORD', 'KYC_GPU_DB_PASSWORD', 'TEMPORAL_DB_PASSWORD', 'GRAFANA_ADMIN_PASSWORD', 'CLIENT_TOKEN_SECRET', 'TEMPORAL_PAYLOAD_KEYS', 'WEBHOOK_SECRET_KEYS', 'VERDICT_SIGNING_KEY', 'VERDICT_PUBLIC_KEYS'].map((name) => [name, `test-value-of-${name}`]),
);

/** `docker-compose config` with the environment given (and no other). */
function composeConfig(env: Record<string, string>) {
  return spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
}

/** The file as docker-compose resolves it (anchors, merges, defaults), as JSON. */
function resolvedCompose(): { services: Record<string, ComposeService> } {
  const run = composeConfig(SECRETS);
  if (run.status !== 0) throw new Error(run.stderr);
  const yaml = run.stdout;
  // docker-compose 1.x prints YAML; the test environment's Python has PyYAML (through moto).
  const json = execFileSync(path.join(REPO_ROOT, '.venv', 'bin', 'python'), ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], {
    input: yaml,
    encoding: 'utf8',
  });
  return JSON.parse(json) as { services: Record<string, ComposeService> };
}

const OURS = ['migrate', 'api', 'orchestration-worker', 'gpu-worker'];

describe('docker-compose.yml', () => {
  const { services } = resolvedCompose();

  it('parses, and defines the whole system', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api', 'gpu-worker', 'grafana', 'migrate', 'orchestration-worker', 'postgres', 'prometheus', 'temporal', 'temporal-setup', 'temporal-ui',
    ]);
  });

  it('publishes only the API on public interfaces; Temporal, its UI and PostgreSQL on loopback at most', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        const text = typeof port === 'string' ? port : `${port.host_ip ?? '0.0.0.0'}:${port.published}:${port.target}`;
        if (name === 'api') continue;
        expect(text, `${name} publishes ${text}`).toMatch(/^127\.0\.0\.1:/);
      }
    }
  });

  it('runs our services as non-root, read-only, without capabilities, with memory limits and restarts', () => {
    for (const name of OURS) {
      const service = services[name]!;
      expect(service.user, name).toBe('1000:1000');
      expect(service.read_only, name).toBe(true);
      expect(service.cap_drop, name).toEqual(['ALL']);
      expect(service.mem_limit, name).toBeTruthy();
      expect(service.restart, name).toMatch(/unless-stopped|on-failure/);
    }
    for (const name of ['postgres', 'temporal', 'temporal-ui', 'prometheus', 'grafana']) expect(services[name]!.mem_limit, name).toBeTruthy();
  });

  it('gives each service its own database role; only migrations use the owner', () => {
    const role = (name: string) => new URL(services[name]!.environment!.DATABASE_URL!).username;
    expect(role('migrate')).toBe('kyc');
    expect(role('api')).toBe('kyc_api');
    expect(role('orchestration-worker')).toBe('kyc_worker');
    expect(role('gpu-worker')).toBe('kyc_gpu');
    expect(services.temporal!.environment!.POSTGRES_USER).toBe('temporal');
  });

  it('ships no secret: each is a required variable, and a missing one stops `config`, naming it', () => {
    for (const name of Object.keys(SECRETS)) {
      const { [name]: _missing, ...rest } = SECRETS;
      const run = composeConfig(rest);
      expect(run.status, name).not.toBe(0);
      expect(run.stderr, name).toContain(`set ${name}`);
    }
    const text = readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    expect(text).not.toMatch(/:-[^}]*(password|secret|dev-only)/i);
  });

  it('runs our services in production mode, the decoders sandboxed, the codec on loopback', () => {
    for (const name of OURS) expect(services[name]!.environment!.KYC_ENV, name).toBe('production');
    for (const name of ['api', 'gpu-worker']) {
      expect(services[name]!.environment!.DECODER_SANDBOX, name).toBe('bwrap');
      expect(services[name]!.security_opt, name).toEqual(expect.arrayContaining(['no-new-privileges:true', 'seccomp=unconfined']));
    }
    for (const name of ['migrate', 'orchestration-worker']) expect(services[name]!.security_opt, name).toEqual(['no-new-privileges:true']);
    const published = (services.api!.ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.host_ip ?? '0.0.0.0'}:${p.published}:${p.target}`));
    expect(published).toContain('127.0.0.1:8234:8234/tcp');
  });
});

describe('Dockerfiles', () => {
  const hadolint = path.join(REPO_ROOT, '.venv', 'bin', 'hadolint');

  it.each(['Dockerfile.api', 'Dockerfile.gpu-worker'])('%s passes hadolint (.hadolint.yaml)', (file) => {
    const run = spawnSync(hadolint, ['--no-color', file], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it.each(['Dockerfile.api', 'Dockerfile.gpu-worker'])('%s runs Node 24 LTS as uid 1000, installs nothing by piping a script', (file) => {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    expect(text).toMatch(/FROM node:24-/);
    expect(text).not.toMatch(/curl[^\n]*\|\s*(ba)?sh/);
    const users = [...text.matchAll(/^USER (.+)$/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe('1000:1000');
  });

  it.each(['Dockerfile.api', 'Dockerfile.gpu-worker'])('%s runs in production mode, with ffprobe and bubblewrap for its decoders', (file) => {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    expect(text).toMatch(/apt-get install[^\n]*ffmpeg/);
    expect(text).toMatch(/apt-get install[^\n]*bubblewrap/);
    expect(text).toMatch(/KYC_ENV=production/);
  });
});

describe('metrics, alerts and the dashboard', () => {
  const promDir = path.join(REPO_ROOT, 'deploy', 'prometheus');

  it('the alert rules and the scrape config pass promtool', () => {
    const rules = spawnSync('promtool', ['check', 'rules', path.join(promDir, 'alerts.yml')], { encoding: 'utf8' });
    expect(rules.status, rules.stdout + rules.stderr).toBe(0);
    expect(rules.stdout).toMatch(/SUCCESS: [1-9]\d* rules found/);
    // The config names its rules by their path in the container: check it against ours.
    const dir = mkdtempSync(path.join(tmpdir(), 'kyc-prom-'));
    const config = readFileSync(path.join(promDir, 'prometheus.yml'), 'utf8').replace('/etc/prometheus/alerts.yml', path.join(promDir, 'alerts.yml'));
    writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const check = spawnSync('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });

  it('alerts and dashboard panels query only metrics the service exports', async () => {
    const { createMetrics } = await import('../../src/observability/metrics.js');
    const exported = new Set((await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const alerts = readFileSync(path.join(promDir, 'alerts.yml'), 'utf8');
    const dashboard = JSON.parse(readFileSync(path.join(REPO_ROOT, 'deploy', 'grafana', 'dashboards', 'kyc-face-match.json'), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const queries = [alerts, ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr))].join('\n');
    const used = new Set([...queries.matchAll(/\b(kyc_[a-z_]+?)(?:_bucket|_count|_sum)?\b/g)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });
});
