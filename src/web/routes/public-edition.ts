// The « view in browser » page of an edition (`/{slug}/{YYYY-MM-DD}`) and its
// JSON (`/{slug}/{YYYY-MM-DD}.json`): the latest version of a published
// edition only, rendered by render/; drafts and editions under review are 404.
// Each request reads the edition's stamp (one query, shared by the requests
// for the same page that arrived in the same turn: read-per-turn.ts) and
// decides from it whether the edition is public now; only then is the page
// taken from the cache, keyed by edition and version and guarded by the
// publication's settings (page-cache.ts), so that a change anywhere shows on
// the next request.
import type { RoutePlugin } from '../app.ts';
import { deskPublication, storeDesk } from '../store-desk.ts';
import { publicRule } from '../../edition/published.ts';
import { publicNotFound } from '../edge.ts';
import { renderWeb } from '../../render/web.ts';
import { renderJson } from '../../render/json.ts';
import { WebError } from '../errors.ts';
import { editionPageStamp } from '../../store/archive-stamps.ts';
import { publishedVersion } from '../public-site.ts';
import { cachedPage, PageCache, sendPage } from '../page-cache.ts';
import { readPerTurn } from '../read-per-turn.ts';

const PAGE = /^(\d{4}-\d{2}-\d{2})(\.json)?$/;

/** Readers and CDNs may keep the page a minute, then ask again with its ETag (a 304 when nothing changed). */
export const EDITION_CACHE_CONTROL = 'public, max-age=60';

/** GET /:slug/:date and /:slug/:date.json */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const rule = publicRule(deps.config, deps.clock);
  const cache = new PageCache();
  const options = { publicUrl: deps.config.publicUrl };
  const stampOf = readPerTurn((slug: string, date: string) => editionPageStamp(deps.store, slug, date));
  app.get<{ Params: { slug: string; file: string } }>('/:slug/:file', async (request, reply) => {
    const match = PAGE.exec(request.params.file);
    const json = Boolean(match?.[2]);
    const stamp = match ? await stampOf(request.params.slug, match[1]!) : undefined;
    // Whether it is public is decided on every request, before the cache is looked at.
    if (stamp && rule.isPublic(stamp, { settings: { timezone: stamp.timezone } })) {
      const format = json ? 'json' : 'web';
      const page = await cache.fill(`${format}:${stamp.editionId}:${stamp.currentVersion}`, stamp.settings, async () => {
        const publication = deskPublication(stamp.publicationId, stamp.settings);
        const edition = await publishedVersion(desk, publication, stamp.editionId, stamp.currentVersion);
        if (!edition) return undefined;
        return json
          ? cachedPage(renderJson(edition, publication.settings, options), 'application/json; charset=utf-8')
          : cachedPage(renderWeb(edition, publication.settings, options), 'text/html; charset=utf-8');
      });
      if (page) return sendPage(request, reply, page, EDITION_CACHE_CONTROL);
    }
    if (json) throw new WebError('not-found', 'No published edition at this address');
    return publicNotFound(request, reply, desk);
  });
};
