// The site's home: every publication, with its latest published edition.
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { publishedEditions } from '../public-site.ts';
import { publicRule } from '../../edition/published.ts';
import { homePage } from '../pages/home-page.ts';

/** GET / */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const rule = publicRule(deps.config, deps.clock);
  app.get('/', async (_request, reply) => {
    const publications = [];
    for (const publication of await desk.publications()) {
      const [latest] = await publishedEditions(desk, rule, publication, 1);
      publications.push({ publication, latest });
    }
    return reply.type('text/html; charset=utf-8').send(homePage(publications, '/newsroom'));
  });
};
