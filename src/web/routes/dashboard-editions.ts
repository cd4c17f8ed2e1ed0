// Dashboard: the editions list, the editor (save, workflow moves) and versions.
// Forms post back here and redirect (post/redirect/get) to the editor.
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { allows, csrfToken, requireAccount, verifyCsrf } from '../auth/guard.ts';
import { editionFor, editionsFor, moveEdition, movesFor, saveSource, startEdition } from '../edition-actions.ts';
import { previewEdition } from '../edition-preview.ts';
import { newsroomPage } from '../pages/newsroom-layout.ts';
import { editionsList, editorPage, versionsPage } from '../pages/edition-pages.ts';
import { publicRule } from '../../edition/published.ts';

const NOTICES: Record<string, string> = {
  saved: 'Saved as a new version.',
  ready: 'Marked ready for review.',
  approved: 'Approved.',
  draft: 'Sent back to draft.',
};

type IdParams = { Params: { id: string } };

/** GET /newsroom, POST /newsroom/editions, GET /newsroom/editions/:id, POST …/save, POST …/transition, GET …/versions */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);

  app.get('/newsroom', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const editions = await editionsFor(desk, account);
    const writable = (await desk.publications()).filter((p) => allows(account, p.id, 'author'));
    const csrf = csrfToken(request, reply, deps.config);
    const today = new Date(deps.clock.now()).toISOString().slice(0, 10);
    return reply
      .type('text/html; charset=utf-8')
      .send(newsroomPage({ title: 'Editions', account, csrf, current: 'editions', body: editionsList(editions, writable, csrf, today) }));
  });

  app.post<{ Body: { publication?: string; date?: string } }>('/newsroom/editions', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const edition = await startEdition(desk, account, request.body?.publication, request.body?.date);
    return reply.redirect(`/newsroom/editions/${edition.id}`, 303);
  });

  app.get<IdParams & { Querystring: { done?: string } }>('/newsroom/editions/:id', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const context = await editionFor(desk, account, Number(request.params.id));
    const version = await desk.version(context.edition.id, context.edition.currentVersion);
    const preview = await previewEdition(version?.source ?? '', context.publication.settings, deps.config.publicUrl);
    const csrf = csrfToken(request, reply, deps.config);
    const notice = request.query.done ? NOTICES[request.query.done] : undefined;
    const body = editorPage({
      context,
      version,
      preview,
      moves: movesFor(account, context),
      csrf,
      isPublic: publicRule(deps.config, deps.clock).isPublic(context.edition, context.publication),
      canSendList: context.edition.status === 'approved' && allows(account, context.publication.id, 'editor'),
      testAddress: account.email,
      ...(notice ? { notice } : {}),
    });
    return reply
      .type('text/html; charset=utf-8')
      .send(newsroomPage({ title: `${context.publication.name} ${context.edition.date}`, account, csrf, current: 'editions', body, script: '/assets/editor.js' }));
  });

  app.post<IdParams & { Body: { source?: string } }>('/newsroom/editions/:id/save', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const edition = await saveSource(desk, account, Number(request.params.id), request.body?.source);
    return reply.redirect(`/newsroom/editions/${edition.id}?done=saved`, 303);
  });

  app.post<IdParams & { Body: { to?: string } }>('/newsroom/editions/:id/transition', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const edition = await moveEdition(desk, account, Number(request.params.id), request.body?.to);
    return reply.redirect(`/newsroom/editions/${edition.id}?done=${edition.status}`, 303);
  });

  app.get<IdParams & { Querystring: { a?: string; b?: string } }>('/newsroom/editions/:id/versions', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const context = await editionFor(desk, account, Number(request.params.id));
    const versions = await desk.versions(context.edition.id);
    const moves = await desk.transitions(context.edition.id);
    const last = versions.at(-1);
    const pick = (n: string | undefined, fallback: number | undefined) => versions.find((v) => v.number === (n ? Number(n) : fallback));
    const b = pick(request.query.b, last?.number);
    const a = pick(request.query.a, versions.length > 1 ? versions.at(-2)?.number : last?.number);
    const csrf = csrfToken(request, reply, deps.config);
    return reply.type('text/html; charset=utf-8').send(
      newsroomPage({ title: 'Versions', account, csrf, current: 'editions', body: versionsPage(context, versions, moves, a, b) }),
    );
  });
};
