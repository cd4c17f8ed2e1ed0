// What the request log may say about a request. The links of every mail carry
// a signed token in their path (/confirm/…, /unsubscribe/…, /preferences/…)
// that acts for a subscriber without any other proof: whoever reads the logs
// must not be able to follow them. So the logged URL is rebuilt from the route
// the request matched, with that route's token parameter left out, rather than
// from the string the client sent: an encoded path (`/%75nsubscribe/…`) reaches
// the same route and is logged the same way. Query values are never logged
// (only their names), and a request no route matched shows its first segment.
import type { FastifyRequest } from 'fastify';
import pino from 'pino';

export const REDACTED = '[redacted]';

// Route parameters that carry a signed token (routes/audience.ts names them so).
const TOKEN_PARAMS = new Set(['token']);
// Defence in depth, for free text and for a token pasted where no route
// expects one (`/Unsubscribe/…` reaches `/:slug/:file`): the token routes'
// prefixes in any case, and a token's own shapes (tokens.ts: 43 base64url
// characters, 52 of base32 in any case; legacy-tokens.ts: four dotted parts).
const TOKEN_SEGMENT = /(\/(?:confirm|unsubscribe|preferences)\/)[^/?#]+/gi;
const TOKEN_SHAPE =
  /(?<![A-Za-z0-9_-])(?:[A-Za-z0-9_-]{43}|[a-z2-7]{52}|[cup][0-9a-z]{1,11}\.[0-9a-z]{1,11}\.[0-9a-z]{1,9}\.[A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])/gi;
const PLAIN_NAME = /^[A-Za-z0-9_.-]{1,40}$/;

/** The query as the log may show it: parameter names, never values. */
function queryNames(query: string): string {
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return PLAIN_NAME.test(name) ? `${name}=${REDACTED}` : REDACTED;
    })
    .join('&');
}

/**
 * The URL as the log may show it: the matched route with its parameters
 * filled in but its token parameter `[redacted]`, and query values
 * `[redacted]`; for a request no route matched, its first path segment only.
 */
export function loggedUrl(request: Pick<FastifyRequest, 'url' | 'params'> & { routeOptions?: { url?: string } }): string {
  const q = request.url.indexOf('?');
  const raw = q < 0 ? request.url : request.url.slice(0, q);
  const route = request.routeOptions?.url;
  const params = (request.params ?? {}) as Record<string, unknown>;
  let path: string;
  if (route) {
    path = route.replace(/:([A-Za-z0-9_]+)|\*$/g, (whole, name: string | undefined) => {
      const key = name ?? '*';
      if (TOKEN_PARAMS.has(key)) return REDACTED;
      const value = params[key];
      return typeof value === 'string' ? encodeURIComponent(value) : whole;
    });
  } else {
    const first = /^\/*[^/]*/.exec(raw)?.[0] ?? '';
    path = first.length < raw.length ? `${first}/${REDACTED}` : first;
  }
  path = path.replace(TOKEN_SEGMENT, `$1${REDACTED}`).replace(TOKEN_SHAPE, REDACTED);
  return q < 0 ? path : `${path}?${queryNames(request.url.slice(q + 1))}`;
}

/** Free text (an error's message or stack) without the tokens it may quote. */
export function redactText(text: string): string {
  return text.replace(TOKEN_SEGMENT, `$1${REDACTED}`).replace(TOKEN_SHAPE, REDACTED);
}

/** Fastify's request serializer (same fields as its default) with the URL redacted. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: loggedUrl(request),
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
