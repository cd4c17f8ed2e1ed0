// The « view in browser » page of an edition (`/{slug}/{YYYY-MM-DD}`) and its
// JSON (`/{slug}/{YYYY-MM-DD}.json`): the latest version of a published
// edition only, rendered by render/; drafts and editions under review are 404.
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { publicEditionByDate } from '../public-site.ts';
import { publicRule } from '../../edition/published.ts';
import { publicNotFound } from '../edge.ts';
import { renderWeb } from '../../render/web.ts';
import { renderJson } from '../../render/json.ts';
import { WebError } from '../errors.ts';
import { cachedRendering } from '../edition-view.ts';

const PAGE = /^(\d{4}-\d{2}-\d{2})(\.json)?$/;

/** GET /:slug/:date and /:slug/:date.json */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const rule = publicRule(deps.config, deps.clock);
  app.get<{ Params: { slug: string; file: string } }>('/:slug/:file', async (request, reply) => {
    const match = PAGE.exec(request.params.file);
    const json = Boolean(match?.[2]);
    const publication = await desk.publicationBySlug(request.params.slug);
    const found = match && publication ? await publicEditionByDate(desk, rule, publication, match[1]!) : undefined;
    if (!found || !publication) {
      if (json) throw new WebError('not-found', 'No published edition at this address');
      return publicNotFound(request, reply, desk);
    }
    const options = { publicUrl: deps.config.publicUrl };
    reply.header('Cache-Control', 'public, max-age=60');
    const key = { editionId: found.row.id, version: found.row.currentVersion, publication: publication.settings, publicUrl: options.publicUrl };
    if (json) {
      const body = cachedRendering({ ...key, format: 'json' }, () => renderJson(found.edition, publication.settings, options));
      return reply.type('application/json; charset=utf-8').send(body);
    }
    return reply.type('text/html; charset=utf-8').send(cachedRendering({ ...key, format: 'web' }, () => renderWeb(found.edition, publication.settings, options)));
  });
};
