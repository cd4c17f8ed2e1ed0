// The feeds of a publication (feeds.ts), kept rendered (page-cache.ts): keyed
// by the public editions' ids, versions and update times, guarded by the
// publication's settings, with an ETag for conditional requests.
import type { RoutePlugin } from '../app.ts';
import { deskPublication, storeDesk } from '../store-desk.ts';
import { publicArchive } from '../public-site.ts';
import { publicRule } from '../../edition/published.ts';
import { publicNotFound } from '../edge.ts';
import { archiveStamp } from '../../store/archive-stamps.ts';
import { readPerTurn } from '../read-per-turn.ts';
import { FEED_FORMATS, FEED_LENGTH, feedDocument, type FeedFile } from '../feeds.ts';
import { cachedPage, PageCache, sendPage } from '../page-cache.ts';

/** Feed readers poll: a few minutes, then a conditional request. */
const FEED_CACHE_CONTROL = 'public, max-age=300';

/** GET /:slug/feed.xml, /:slug/atom.xml, /:slug/feed.json */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const rule = publicRule(deps.config, deps.clock);
  const cache = new PageCache({ entries: 300, bytes: 32 * 1024 * 1024 });
  // Requests for the same archive in one turn share one read of its stamps.
  const stampOf = readPerTurn((slug: string) => archiveStamp(deps.store, slug, rule.statuses));
  for (const file of Object.keys(FEED_FORMATS) as FeedFile[]) {
    app.get<{ Params: { slug: string } }>(`/:slug/${file}`, async (request, reply) => {
      const stamp = await stampOf(request.params.slug);
      if (!stamp) return publicNotFound(request, reply, desk);
      const shown = stamp.editions.filter((e) => rule.isPublic(e, { settings: { timezone: stamp.publication.timezone } })).slice(0, FEED_LENGTH);
      // Update times are in the key too: the feed dates each item by its edition's last change.
      const key = `${stamp.publication.slug}/${file}:${shown.map((e) => `${e.editionId}.${e.currentVersion}.${e.updatedAt}`).join(',')}`;
      const page = await cache.fill(key, stamp.publication.settings, async () => {
        const publication = deskPublication(stamp.publication.publicationId, stamp.publication.settings);
        const editions = await publicArchive(desk, publication, shown.map((e) => ({ ...e, id: e.editionId })));
        return cachedPage(feedDocument(file, publication, editions, deps.config.publicUrl, deps.clock.now()), FEED_FORMATS[file].type);
      });
      return sendPage(request, reply, page!, FEED_CACHE_CONTROL);
    });
  }
};
