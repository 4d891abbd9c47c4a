import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { REPO_ROOT } from '../../runtime/app-root.js';
import { Problem } from '../problem.js';

/** Where `npm run build` (Vite, web/capture) puts the page; the production image carries it in dist/. */
export const CAPTURE_DIR = path.join(REPO_ROOT, 'dist', 'capture');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ASSET = /^[A-Za-z0-9_-]+\.(js|css)$/;
const TYPES = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' } as const;

/**
 * The capture page an app opens for a session (`/capture/<id>#token=<clientToken>`): camera,
 * recording and uploads, with the session token only (docs/integrate.md). Public like /docs: it
 * holds no data. Its own script and style only, the camera for this origin only, nothing framed.
 */
export const capturePageRoutes: FastifyPluginAsync = async (app) => {
  const CSP =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; media-src 'self' blob: mediastream:; " +
    "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
  const cache = new Map<string, string>();
  const load = async (file: string): Promise<string> => {
    const cached = cache.get(file);
    if (cached !== undefined) return cached;
    const text = await readFile(path.join(CAPTURE_DIR, file), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (text === undefined) {
      if (file === 'index.html') throw new Problem('dependency-unavailable', 'the capture page is not built: run `npm run build:capture`');
      throw new Problem('route-not-found', `no capture asset ${file}`);
    }
    cache.set(file, text);
    return text;
  };
  const headers = (reply: FastifyReply, type: string, caching: string) =>
    reply
      .header('content-type', type)
      .header('content-security-policy', CSP)
      .header('permissions-policy', 'camera=(self), microphone=(), geolocation=()')
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', caching);
  const hidden = { schema: { hide: true } };

  app.get<{ Params: { sessionId: string } }>('/capture/:sessionId', hidden, async (request, reply) => {
    if (!UUID.test(request.params.sessionId)) throw new Problem('route-not-found', 'a capture link names a session id');
    return headers(reply, 'text/html; charset=utf-8', 'no-store').send(await load('index.html'));
  });
  app.get<{ Params: { file: string } }>('/capture/assets/:file', hidden, async (request, reply) => {
    const match = ASSET.exec(request.params.file);
    if (!match) throw new Problem('route-not-found', `no capture asset ${request.params.file}`);
    // Vite names assets by their content hash: a name never changes meaning.
    return headers(reply, TYPES[match[1] as keyof typeof TYPES], 'public, max-age=31536000, immutable').send(await load(path.join('assets', request.params.file)));
  });
};
