// Input no route can mean is refused at the edge, before any route sees it.
// A NUL byte is one: PostgreSQL refuses it in text (the request became a 500
// with a stack in the log) where SQLite took it, so the same request answered
// differently by backend. Every parameter is checked: path, query, cookies,
// form and JSON bodies.
import type { FastifyInstance } from 'fastify';
import { WebError } from './errors.ts';

const NUL = /\0|%00/i;

/** True when a parsed body holds a NUL byte in any string, key or value, at any depth. */
function bodyHasNul(body: unknown): boolean {
  // A loop, not recursion: a deeply nested JSON body must not overflow the stack.
  const pending: unknown[] = [body];
  while (pending.length) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.includes('\0')) return true;
    } else if (Array.isArray(value)) {
      pending.push(...value);
    } else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\0')) return true;
        pending.push(item);
      }
    }
  }
  return false;
}

/** Where in the URL or cookies a NUL byte (raw or %00) is, if anywhere. */
function nulBeforeBody(url: string, cookie: string | undefined): string | undefined {
  const q = url.indexOf('?');
  if (NUL.test(q < 0 ? url : url.slice(0, q))) return 'the path';
  if (q >= 0 && NUL.test(url.slice(q + 1))) return 'the query string';
  if (cookie && NUL.test(cookie)) return 'a cookie';
  return undefined;
}

/** Refuses (400 invalid-input) any request with a NUL byte in a parameter, saying where. */
export function refuseBadInput(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const where = nulBeforeBody(request.url, request.headers.cookie);
    if (where) throw new WebError('invalid-input', `A NUL byte is not allowed in ${where}`);
  });
  app.addHook('preValidation', async (request) => {
    if (bodyHasNul(request.body)) throw new WebError('invalid-input', 'A NUL byte is not allowed in the request body');
  });
}
