// What the request log may say about a request. The links of every mail carry
// a signed token in their path (/confirm/…, /unsubscribe/…, /preferences/…)
// that acts for a subscriber without any other proof: whoever reads the logs
// must not be able to follow them. So the logged URL keeps the route but not
// the token, and query parameters that look like credentials lose their value.
import type { FastifyRequest } from 'fastify';
import pino from 'pino';

export const REDACTED = '[redacted]';

// Routes whose next path segment is a signed token (src/web/routes/audience.ts).
// Matched anywhere in the path and in any case, so that a mistyped or doubled
// prefix (`//Unsubscribe/…`, a 404) does not leak the token either.
const TOKEN_SEGMENT = /(\/(?:confirm|unsubscribe|preferences)\/)[^/?#]+/gi;
// Defence in depth: a token's own shape (tokens.ts), wherever it was pasted.
const TOKEN_SHAPE = /\b[cup][0-9a-z]{1,11}\.[0-9a-z]{1,11}\.[0-9a-z]{1,9}\.[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])/g;
const SECRET_PARAM = /token|csrf|secret|sig|key|password|code/i;

/** The URL as the log may show it: token path segments and credential-like query values replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(TOKEN_SEGMENT, `$1${REDACTED}`).replace(TOKEN_SHAPE, REDACTED);
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // a malformed name is logged as sent
      }
      if (eq >= 0 && SECRET_PARAM.test(decoded)) return `${name}=${REDACTED}`;
      return pair.replace(TOKEN_SHAPE, REDACTED);
    })
    .join('&');
  return `${path}?${query}`;
}

/** Free text (an error's message or stack) without the tokens it may quote. */
export function redactText(text: string): string {
  return text.replace(TOKEN_SEGMENT, `$1${REDACTED}`).replace(TOKEN_SHAPE, REDACTED);
}

/** Fastify's request serializer (same fields as its default) with the URL redacted. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    version: [request.headers['accept-version']].flat()[0],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Pino's error serializer, with tokens taken out of the message and stack (Fastify quotes the URL in some errors). */
export function serializeError(err: Error): { type: string; message: string; stack: string; [key: string]: unknown } {
  const out = pino.stdSerializers.err(err);
  return { ...out, message: redactText(String(out.message ?? '')), stack: redactText(String(out.stack ?? '')) };
}
