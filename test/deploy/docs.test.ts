// The docs stay a short front door plus pages that are in step with the code: every relative
// link and anchor resolves, the README stays short, and the configuration table names exactly
// the variables the service reads.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config/env-schema.js';
import { REPO_ROOT } from '../../src/runtime/app-root.js';

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return markdownFiles(full);
    return name.endsWith('.md') ? [full] : [];
  });
}

const DOCS = [path.join(REPO_ROOT, 'README.md'), path.join(REPO_ROOT, 'clients', 'typescript', 'README.md'), ...markdownFiles(path.join(REPO_ROOT, 'docs'))];

/** Text outside fenced code blocks, where links are links. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = heading!.trim().toLowerCase().replace(/[^\p{L}\p{N}\- ]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

describe('documentation', () => {
  it('has a README of at most 150 lines that links to the integrate, operate and develop pages', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(150);
    for (const page of ['docs/integrate.md', 'docs/operate.md', 'docs/develop.md', 'docs/evaluation.md', 'docs/decisions/README.md']) expect(readme).toContain(`](${page}`);
  });

  it('has no broken relative link or anchor', () => {
    const broken: string[] = [];
    for (const file of DOCS) {
      for (const [, target] of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue;
        const [link, anchor] = target!.split('#', 2) as [string, string | undefined];
        const resolved = link === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(link));
        const where = `${path.relative(REPO_ROOT, file)} → ${target}`;
        if (!existsSync(resolved)) broken.push(`${where} (no such file)`);
        else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) broken.push(`${where} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('documents every environment variable the service reads, and no other, in the configuration table', () => {
    const operate = readFileSync(path.join(REPO_ROOT, 'docs', 'operate.md'), 'utf8');
    const table = operate.slice(operate.indexOf('## Configuration'), operate.indexOf('\n## ', operate.indexOf('## Configuration') + 1));
    const documented = new Set([...table.matchAll(/^\| ([^|]+)\|/gm)].flatMap(([, cell]) => [...cell!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map(([, name]) => name!)));
    const read = Object.keys(envSchema.shape);
    expect(read.filter((name) => !documented.has(name)), 'read by the code, missing from docs/operate.md').toEqual([]);
    expect([...documented].filter((name) => !read.includes(name)), 'in docs/operate.md, read by nothing').toEqual([]);
  });
});
