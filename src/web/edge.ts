// Everything at the app's edge that is not a route: security headers, metrics,
// the refusal of bad input, and the one place where errors become HTTP
// statuses (JSON for /api, pages for people; a sign-in redirect for a
// dashboard page without a session).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { securityHeaders } from './security-headers.ts';
import { instrument } from './metrics.ts';
import { refuseBadInput } from './bad-input.ts';
import { toWebError, type WebError } from './errors.ts';
import { errorPage, notFoundPage } from './pages/error-page.ts';
import type { Desk } from './desk.ts';
import type { Diagnostic } from '../edition/diagnostic.ts';
import { signedInAs } from './auth/guard.ts';

function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || /\.json(\?|$)/.test(request.url) || request.url === '/api';
}

function send(request: FastifyRequest, reply: FastifyReply, error: WebError): FastifyReply {
  if (wantsJson(request)) {
    return reply.code(error.status).type('application/json').send({ error: { code: error.code, message: error.message, ...error.data } });
  }
  if (error.code === 'unauthenticated' && request.method === 'GET' && request.url.startsWith('/newsroom')) {
    return reply.redirect(`/newsroom/sign-in?next=${encodeURIComponent(request.url)}`, 303);
  }
  const diagnostics = Array.isArray(error.data?.diagnostics) ? (error.data.diagnostics as Diagnostic[]) : [];
  const member = signedInAs(request, reply);
  const newsroom = member && { ...member, back: backFor(request, error) };
  return reply.code(error.status).type('text/html; charset=utf-8').send(errorPage(error.status, error.message, diagnostics, newsroom));
}

/**
 * Where a refused member goes back to: the newsroom page they came from, else
 * the edition the refused address names, else the editions. Never the edition
 * for a 404: its answer must not differ from that for an id that does not exist.
 */
function backFor(request: FastifyRequest, error: WebError): string {
  const referer = request.headers.referer;
  if (typeof referer === 'string') {
    try {
      const from = new URL(referer);
      const here = request.url.split('?')[0];
      if (from.host === request.headers.host && from.pathname.startsWith('/newsroom') && !(request.method === 'GET' && from.pathname === here)) {
        return from.pathname + from.search;
      }
    } catch {
      // not an address: the fallbacks below
    }
  }
  const edition = /^\/newsroom\/editions\/(\d+)\//.exec(request.url);
  return edition && error.code !== 'not-found' ? `/newsroom/editions/${edition[1]}` : '/newsroom';
}

/** Installs headers, metrics, the refusal of bad input, the error handler and the 404 handler. */
export function installEdge(app: FastifyInstance, desk: Desk, options: { https: boolean }): void {
  securityHeaders(app, options);
  instrument(app);
  refuseBadInput(app);
  app.setErrorHandler((err, request, reply) => {
    const error = toWebError(err);
    if (error.status >= 500) request.log.error({ err }, 'request failed');
    // A member who asked for newsroom data that is not theirs (or not there) stays in the newsroom.
    if (error.code === 'not-found' && !wantsJson(request) && !(request.url.startsWith('/newsroom') && signedInAs(request, reply))) {
      return publicNotFound(request, reply, desk);
    }
    return send(request, reply, error);
  });
  app.setNotFoundHandler(async (request, reply) => {
    if (wantsJson(request)) return send(request, reply, toWebError({ code: 'not-found' }));
    return publicNotFound(request, reply, desk);
  });
}

/** A 404 page in the language of the publication the path names, if any. */
export async function publicNotFound(request: FastifyRequest, reply: FastifyReply, desk: Desk): Promise<FastifyReply> {
  const slug = /^\/([a-z0-9-]+)(?:[/?.]|$)/.exec(request.url)?.[1];
  const publication = slug ? await desk.publicationBySlug(slug).catch(() => undefined) : undefined;
  return reply.code(404).type('text/html; charset=utf-8').send(notFoundPage(publication));
}
