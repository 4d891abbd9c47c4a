// The OpenAPI document an integrator generates from: current with the routes, clean under a real
// linter (Redocly's recommended rules), and complete where generators and readers need it.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLIENT_DIR, CLIENT_DOCUMENT, CLIENT_TYPES, clientFiles } from '../../dev/openapi-document.js';
import { PROBLEM_CODES } from '../../src/api/problem.js';
import { REPO_ROOT } from '../../src/runtime/app-root.js';

const run = promisify(execFile);

interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema?: Record<string, unknown>; example?: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { example?: unknown }> }>;
}

describe('OpenAPI document', () => {
  it('is what the routes produce, and so are the typed client\'s types (`npm run openapi`)', async () => {
    const { document, types } = await clientFiles();
    expect(await readFile(CLIENT_DOCUMENT, 'utf8'), 'clients/typescript/openapi.json is stale: npm run openapi').toBe(document);
    expect(await readFile(CLIENT_TYPES, 'utf8'), 'clients/typescript/src/schema.ts is stale: npm run openapi').toBe(types);
  });

  it('passes Redocly lint with no error and no warning', async () => {
    const { stdout, stderr } = await run(path.join(REPO_ROOT, 'node_modules', '.bin', 'redocly'), ['lint', CLIENT_DOCUMENT], { cwd: REPO_ROOT });
    expect(`${stdout}${stderr}`).toMatch(/Your API description is valid/);
    expect(`${stdout}${stderr}`).not.toMatch(/warning/i);
  });

  it('names, tags, secures and exemplifies every operation; every error is a problem with its codes', async () => {
    const doc = JSON.parse(await readFile(CLIENT_DOCUMENT, 'utf8')) as { paths: Record<string, Record<string, Operation>>; webhooks: Record<string, { post: Operation }>; tags: { name: string }[] };
    const operations = Object.entries(doc.paths).flatMap(([route, methods]) => Object.entries(methods).map(([method, op]) => ({ route, method, op })));
    expect(operations.length).toBeGreaterThanOrEqual(11);
    const ids = new Set<string>();
    for (const { route, method, op } of operations) {
      const where = `${method.toUpperCase()} ${route}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      ids.add(op.operationId!);
      expect(op.tags?.every((t) => doc.tags.some((tag) => tag.name === t)), where).toBe(true);
      expect(op.summary, where).toBeTruthy();
      expect(op.security, where).toBeDefined();
      for (const [status, response] of Object.entries(op.responses)) {
        expect(response.description, `${where} ${status}`).not.toBe('Default Response');
        if (Number(status) >= 400 && route !== '/readyz') {
          expect(Object.keys(response.content ?? {}), `${where} ${status}`).toEqual(['application/problem+json']);
          expect(response.content!['application/problem+json']!.example, `${where} ${status}`).toMatchObject({ status: Number(status) });
        }
        const json = response.content?.['application/json'];
        if (Number(status) < 300 && json) expect(json.example, `${where} ${status}`).toBeDefined();
      }
      if (op.requestBody?.content['application/json']) expect(op.requestBody.content['application/json'].example, where).toBeDefined();
    }
    expect(ids.size).toBe(operations.length);
    // The API key and the session token are two schemes; the app's routes take either.
    const byId = Object.fromEntries(operations.map(({ op }) => [op.operationId!, op]));
    expect(byId.createSession!.security).toEqual([{ apiKey: [] }]);
    expect(byId.uploadSessionFile!.security).toEqual([{ apiKey: [] }, { sessionToken: [] }]);
    expect(byId.listSessions!.security).toEqual([{ apiKey: [] }]);
    // The upload body: a binary `file` and its `kind`.
    const upload = byId.uploadSessionFile!.requestBody!.content['multipart/form-data']!.schema as { properties: Record<string, { contentMediaType?: string; enum?: string[] }>; required: string[] };
    expect(upload.properties.file!.contentMediaType).toBe('application/octet-stream');
    expect(upload.properties.kind!.enum).toEqual(['ID_IMAGE', 'SELFIE_VIDEO']);
    expect(upload.required).toEqual(['file']);
    // Every problem code is named somewhere an integrator reads the errors.
    const text = JSON.stringify(doc.paths);
    expect(PROBLEM_CODES.filter((code) => !text.includes(`\`${code}\``))).toEqual([]);
    // The webhook: its Standard Webhooks headers and body.
    const webhook = doc.webhooks['kyc.session.completed']!.post as Operation & { parameters: { name: string }[] };
    expect(webhook.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature']));
    expect(JSON.stringify(webhook.requestBody)).toContain('#/components/schemas/SessionCompletedEvent');
  });

  it('builds the client package (tsc, declarations included)', async () => {
    await run(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', CLIENT_DIR], { cwd: REPO_ROOT });
    const built = await import(path.join(CLIENT_DIR, 'dist', 'index.js')) as { createKycClient: unknown; KycApiError: unknown };
    expect(typeof built.createKycClient).toBe('function');
    expect(await readFile(path.join(CLIENT_DIR, 'dist', 'index.d.ts'), 'utf8')).toContain('createKycClient');
  });
});
