// Security headers on every answer. Scripts only from our own origin (the
// dashboard's one vanilla file); inline styles are allowed because the
// rendered edition page carries its own <style>, which is static markup.
import type { FastifyInstance } from 'fastify';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' https: data:",
  "frame-src 'self'",
  "frame-ancestors 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** Adds the headers to every response of the app; HSTS when the public address is https. */
export function securityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (options.https) reply.header('Strict-Transport-Security', 'max-age=31536000');
    // Dashboard and API answers hold private data and CSRF tokens: never cached, by the browser or on the way.
    if (request.url.startsWith('/newsroom') || request.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
    reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'strict-origin-when-cross-origin');
    reply.header('X-Frame-Options', 'SAMEORIGIN');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    return payload;
  });
}
