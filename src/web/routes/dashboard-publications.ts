// Dashboard: the member's publications with their team and audience figures.
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { allows, csrfToken, isNewsroomAdmin, requireAccount } from '../auth/guard.ts';
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
      // Each publication's figures for its own team only.
      if (!allows(account, publication.id, 'author')) continue;
      rows.push({
        publication,
        role: account.roles.get(publication.id)!,
        subscribers: await countByStatus(deps.store, publication.id),
        mayOpenSubscribers: allows(account, publication.id, 'editor'),
        canEdit: allows(account, publication.id, 'admin'),
      });
    }
    const csrf = csrfToken(request, reply, deps.config);
    return reply
      .type('text/html; charset=utf-8')
      .send(newsroomPage({ title: 'Publications', account, csrf, current: 'publications', body: publicationsPage(rows, { canCreate: isNewsroomAdmin(account) }) }));
  });
};
