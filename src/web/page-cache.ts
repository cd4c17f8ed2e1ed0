// Rendered public pages kept in memory, so that the « view in browser » page
// opened by thousands of readers right after a send is rendered once, not per
// request. An entry is found by a key the route builds from the stamps of
// store/archive-stamps.ts (edition id, current version, the public editions'
// versions…) and is taken only when its guard (the publication's settings as
// stored, compared whole) is the same as now: whatever the page was built from
// is in one or the other, so a changed edition or publication never gets an
// old page. Least recently used entries go first once the count or the bytes
// pass their bounds. Each entry carries a strong ETag (a hash of its bytes) for
// conditional requests.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface CachedPage {
  body: Buffer;
  type: string;
  /** `"…"`: a hash of the body, so equal bytes always get the same tag (across processes too). */
  etag: string;
}

interface Entry {
  guard: string;
  page: CachedPage;
}

export interface PageCacheLimits {
  /** Pages kept at most. */
  entries: number;
  /** Bytes of bodies kept at most. */
  bytes: number;
}

/** Enough for every edition page of a busy archive, and bounded whatever the traffic asks for. */
export const DEFAULT_PAGE_CACHE_LIMITS: PageCacheLimits = { entries: 1_000, bytes: 64 * 1024 * 1024 };

/** A page ready to serve: the bytes and their ETag. */
export function cachedPage(body: string, type: string): CachedPage {
  const bytes = Buffer.from(body, 'utf8');
  return { body: bytes, type, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"` };
}

/** A bounded LRU of rendered pages. */
export class PageCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly building = new Map<string, Promise<CachedPage | undefined>>();

  constructor(private readonly limits: PageCacheLimits = DEFAULT_PAGE_CACHE_LIMITS) {}

  /** The page kept under `key` if it was built under the same `guard`. */
  get(key: string, guard: string): CachedPage | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.guard !== guard) {
      this.remove(key, entry);
      return undefined;
    }
    // Map order is insertion order: re-inserting makes it the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.page;
  }

  /** Keeps a page; a page bigger than the whole byte bound is not kept. */
  set(key: string, guard: string, page: CachedPage): void {
    const old = this.entries.get(key);
    if (old) this.remove(key, old);
    if (page.body.length > this.limits.bytes) return;
    this.entries.set(key, { guard, page });
    this.bytes += page.body.length;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.limits.entries && this.bytes <= this.limits.bytes) break;
      this.remove(oldest, entry);
    }
  }

  /**
   * The kept page, or the one `build` makes, kept for next time (nothing is
   * kept when it makes none). Requests that miss the same page while it is
   * being built wait for that one build: right after a send, thousands of
   * readers open the page at once, and one rendering is enough.
   */
  async fill(key: string, guard: string, build: () => Promise<CachedPage | undefined>): Promise<CachedPage | undefined> {
    const hit = this.get(key, guard);
    if (hit) return hit;
    const id = `${key}\u0000${guard}`;
    const pending = this.building.get(id);
    if (pending) return pending;
    const made = (async () => {
      try {
        const page = await build();
        if (page) this.set(key, guard, page);
        return page;
      } finally {
        this.building.delete(id);
      }
    })();
    this.building.set(id, made);
    return made;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.page.body.length;
  }
}

/** True when the request's If-None-Match names this ETag (or `*`). */
function matches(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (typeof header !== 'string') return false;
  // Weak comparison (RFC 9110 13.1.2): a `W/` prefix a proxy added still matches.
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/** Sends a kept page, or 304 when the client holds it already. */
export function sendPage(request: FastifyRequest, reply: FastifyReply, page: CachedPage, cacheControl: string): FastifyReply {
  reply.header('ETag', page.etag).header('Cache-Control', cacheControl);
  if (matches(request, page.etag)) return reply.code(304).send();
  return reply.type(page.type).send(page.body);
}
