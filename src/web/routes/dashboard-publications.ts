// Dashboard: the member's publications with their team and audience figures.
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { csrfToken, requireAccount } from '../auth/guard.ts';
import { roleIn } from '../auth/accounts.ts';
import { newsroomPage } from '../pages/newsroom-layout.ts';
import { publicationsPage, type PublicationSummary } from '../pages/publication-pages.ts';
import { countByStatus } from '../../store/subscriptions.ts';

/** GET /newsroom/publications */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  app.get('/newsroom/publications', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const rows: PublicationSummary[] = [];
    for (const publication of await desk.publications()) {
      const role = roleIn(account, publication.id);
      if (!role) continue;
      rows.push({ publication, role, subscribers: await countByStatus(deps.store, publication.id) });
    }
    const csrf = csrfToken(request, reply, deps.config);
    return reply
      .type('text/html; charset=utf-8')
      .send(newsroomPage({ title: 'Publications', account, csrf, current: 'publications', body: publicationsPage(rows) }));
  });
};
