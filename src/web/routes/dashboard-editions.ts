// Dashboard: the editions list, the editor (save, restore, workflow moves,
// the person's unsaved text) and versions. Forms post back here and redirect
// (post/redirect/get) to the editor; a save refused because another version
// was saved meanwhile answers with both changes instead (409).
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { allows, csrfToken, requireAccount, verifyCsrf } from '../auth/guard.ts';
import { editionFor, editionsFor, isLocked, moveEdition, movesFor, restoreVersion, saveSource, startEdition, versionNumber } from '../edition-actions.ts';
import { previewEdition } from '../edition-preview.ts';
import { newsroomPage } from '../pages/newsroom-layout.ts';
import { editionExistsPage, editionsList, editorPage, versionsPage } from '../pages/edition-pages.ts';
import { conflictPage, previewView } from '../pages/editor-parts.ts';
import { publicRule } from '../../edition/published.ts';
import { changedSinceReady, WorkflowError } from '../../edition/workflow.ts';
import { WebError } from '../errors.ts';
import { sendPanel } from '../pages/send-panel.ts';
import { schedulesOf } from '../edition-schedule.ts';
import { wallTimeIn } from '../../delivery/send-time.ts';

const NOTICES: Record<string, string> = {
  saved: 'Saved as a new version.',
  restored: 'Restored: the earlier text is now the latest version.',
  discarded: 'Your unsaved text was discarded.',
  ready: 'Marked ready for review.',
  approved: 'Approved.',
  draft: 'Sent back to draft.',
  scheduled: 'Scheduled.',
  unscheduled: 'Unscheduled: it will not go out until it is sent or scheduled again.',
};

type IdParams = { Params: { id: string } };

/** GET /newsroom, POST /newsroom/editions, GET /newsroom/editions/:id, POST …/save, …/restore, …/unsaved/discard, …/transition, GET …/versions */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);

  app.get('/newsroom', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const editions = await editionsFor(desk, account);
    const writable = (await desk.publications()).filter((p) => allows(account, p.id, 'author'));
    const csrf = csrfToken(request, reply, deps.config);
    const today = new Date(deps.clock.now()).toISOString().slice(0, 10);
    const schedules = await schedulesOf(deps.store, deps.clock, editions);
    return reply
      .type('text/html; charset=utf-8')
      .send(newsroomPage({ title: 'Editions', account, csrf, current: 'editions', body: editionsList(editions, writable, csrf, today, schedules) }));
  });

  app.post<{ Body: { publication?: string; date?: string } }>('/newsroom/editions', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const { edition, created, publication } = await startEdition(desk, account, request.body?.publication, request.body?.date);
    if (created) return reply.redirect(`/newsroom/editions/${edition.id}`, 303);
    const csrf = csrfToken(request, reply, deps.config);
    return reply
      .code(409)
      .type('text/html; charset=utf-8')
      .send(newsroomPage({ title: `${publication.name} ${edition.date}`, account, csrf, current: 'editions', body: editionExistsPage(edition, publication) }));
  });

  app.get<IdParams & { Querystring: { done?: string; view?: string; unsaved?: string } }>('/newsroom/editions/:id', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const context = await editionFor(desk, account, Number(request.params.id));
    const { edition } = context;
    const version = await desk.version(edition.id, edition.currentVersion);
    const locked = isLocked(edition);
    const kept = locked ? undefined : await desk.unsavedText(edition.id, account.email);
    const unsaved = kept && kept.source !== version?.source ? kept : undefined;
    const editing = unsaved && request.query.unsaved === '1' ? { source: unsaved.source, baseVersion: unsaved.baseVersion } : undefined;
    const words = (await desk.learnedWords(context.publication.id)).map((w) => w.word);
    const preview = await previewEdition(editing?.source ?? version?.source ?? '', context.publication.settings, deps.config.publicUrl, { words });
    // Moves are judged on the saved version: an approval is of that one.
    const saved = editing ? await previewEdition(version?.source ?? '', context.publication.settings, deps.config.publicUrl, { words }) : preview;
    const readyVersion = await desk.readyVersion(edition.id);
    const csrf = csrfToken(request, reply, deps.config);
    const notice = request.query.done ? NOTICES[request.query.done] : undefined;
    const schedule = (await schedulesOf(deps.store, deps.clock, [context])).get(context.edition.id)!;
    const body = editorPage({
      context,
      version,
      preview,
      moves: movesFor(account, context, { hasErrors: saved.hasErrors }),
      csrf,
      isPublic: publicRule(deps.config, deps.clock).isPublic(edition, context.publication),
      view: previewView(request.query.view),
      locked,
      ...(unsaved ? { unsaved } : {}),
      ...(editing ? { editing } : {}),
      readyVersion,
      changedSinceReady: edition.status === 'ready' && changedSinceReady(readyVersion, edition.currentVersion),
      savedHasErrors: saved.hasErrors,
      sendPanel: sendPanel({
        ...context,
        csrf,
        testAddress: account.email,
        isEditor: allows(account, context.publication.id, 'editor'),
        ...(schedule.at !== undefined ? { goesOutAt: schedule.at } : {}),
        ...(schedule.listSend ? { listSendId: schedule.listSend.id } : {}),
        localNow: wallTimeIn(deps.clock.now(), context.publication.settings.timezone),
      }),
      ...(notice ? { notice } : {}),
    });
    return reply
      .type('text/html; charset=utf-8')
      .send(newsroomPage({ title: `${context.publication.name} ${edition.date}`, account, csrf, current: 'editions', body, script: '/assets/editor.js' }));
  });

  app.post<IdParams & { Body: { source?: string; base?: string } }>('/newsroom/editions/:id/save', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const id = Number(request.params.id);
    await editionFor(desk, account, id);
    // The form always says which version its text started from: without it a save could land on a version never seen.
    const base = versionNumber(request.body?.base, 'The base version');
    if (base === undefined) throw new WebError('invalid-input', 'The form does not say which version your text started from: reload the editor');
    try {
      const edition = await saveSource(desk, account, id, request.body?.source, base);
      return reply.redirect(`/newsroom/editions/${edition.id}?done=saved`, 303);
    } catch (err) {
      if (!(err instanceof WorkflowError && err.code === 'version-conflict')) throw err;
      const context = await editionFor(desk, account, id);
      const mine = String(request.body?.source ?? '');
      // Kept as the person's unsaved text too, so that leaving this page loses nothing.
      await desk.keepUnsavedText(context.edition.id, account.email, base, mine);
      const [latest, from] = await Promise.all([desk.version(context.edition.id, context.edition.currentVersion), desk.version(context.edition.id, base)]);
      const csrf = csrfToken(request, reply, deps.config);
      const body = conflictPage({ context, latest: latest!, mine, csrf, ...(from ? { base: from } : {}) });
      return reply
        .code(409)
        .type('text/html; charset=utf-8')
        .send(newsroomPage({ title: 'Not saved', account, csrf, current: 'editions', body, script: '/assets/editor.js' }));
    }
  });

  app.post<IdParams & { Body: { version?: string; base?: string } }>('/newsroom/editions/:id/restore', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const number = versionNumber(request.body?.version, 'The version to restore');
    const base = versionNumber(request.body?.base, 'The base version');
    const edition = await restoreVersion(desk, account, Number(request.params.id), number, base);
    return reply.redirect(`/newsroom/editions/${edition.id}?done=restored`, 303);
  });

  app.post<IdParams>('/newsroom/editions/:id/unsaved/discard', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const { edition } = await editionFor(desk, account, Number(request.params.id));
    await desk.discardUnsavedText(edition.id, account.email);
    return reply.redirect(`/newsroom/editions/${edition.id}?done=discarded`, 303);
  });

  app.post<IdParams & { Body: { to?: string; version?: string } }>('/newsroom/editions/:id/transition', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const id = Number(request.params.id);
    await editionFor(desk, account, id);
    const version = versionNumber(request.body?.version, 'The version reviewed');
    // An approval from the dashboard is of the version the editor looked at: the form names it.
    if (request.body?.to === 'approved' && version === undefined) {
      throw new WebError('invalid-input', 'The approval does not say which version you reviewed: reload the editor');
    }
    const edition = await moveEdition(desk, account, id, request.body?.to, version);
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
    const restore = !isLocked(context.edition);
    // Approving from here (after a look at the changes) is offered as in the editor: only without errors.
    const approve =
      movesFor(account, context).includes('approved') &&
      !(await previewEdition(last?.source ?? '', context.publication.settings, deps.config.publicUrl)).hasErrors;
    return reply.type('text/html; charset=utf-8').send(
      newsroomPage({ title: 'Versions', account, csrf, current: 'editions', body: versionsPage(context, versions, moves, a, b, { restore, approve, csrf }) }),
    );
  });
};
