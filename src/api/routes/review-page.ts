import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { REVIEW_CSS, REVIEW_HTML, REVIEW_JS } from '../review-page/assets.js';

/**
 * The reviewer's screen (docs/operate.md "Human review"). Public like /docs: it holds no data; everything
 * it shows comes from the reviewer API with the key the reviewer types in. A strict CSP: its own
 * script and style only, media from blob: URLs, nothing framed, nothing sent elsewhere.
 */
export const reviewPageRoutes: FastifyPluginAsync = async (app) => {
  const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; media-src 'self' blob:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
  const asset = (type: string, body: string) => async (_request: unknown, reply: FastifyReply) =>
    reply.header('content-type', type).header('content-security-policy', CSP).header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').send(body);
  const hidden = { schema: { hide: true } };
  app.get('/review', hidden, asset('text/html; charset=utf-8', REVIEW_HTML));
  app.get('/review/app.js', hidden, asset('text/javascript; charset=utf-8', REVIEW_JS));
  app.get('/review/app.css', hidden, asset('text/css; charset=utf-8', REVIEW_CSS));
};
