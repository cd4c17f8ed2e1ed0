// The JSON API for editions (session auth, CSRF header on writes): list, get,
// save, move, and the preview the editor calls as the author types.
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { requireAccount, requireRole, verifyCsrf } from '../auth/guard.ts';
import { editionFor, editionsFor, isLocked, moveEdition, movesFor, saveSource, versionNumber } from '../edition-actions.ts';
import { checkSourceLength, MAX_SOURCE_LENGTH, previewEdition } from '../edition-preview.ts';
import { WebError } from '../errors.ts';
import type { DeskEdition, DeskPublication } from '../desk.ts';

type IdParams = { Params: { id: string } };

function editionJson(edition: DeskEdition, publication: DeskPublication) {
  return {
    id: edition.id,
    publication: publication.slug,
    date: edition.date,
    status: edition.status,
    version: edition.currentVersion,
    subject: edition.subject,
    updatedAt: new Date(edition.updatedAt).toISOString(),
  };
}

/** /api/editions… */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);

  app.get('/api/editions', async (request) => {
    const account = await requireAccount(request, deps);
    const editions = await editionsFor(desk, account);
    return { editions: editions.map(({ edition, publication }) => editionJson(edition, publication)) };
  });

  app.get<IdParams>('/api/editions/:id', async (request) => {
    const account = await requireAccount(request, deps);
    const context = await editionFor(desk, account, Number(request.params.id));
    const version = await desk.version(context.edition.id, context.edition.currentVersion);
    return {
      edition: {
        ...editionJson(context.edition, context.publication),
        source: version?.source ?? '',
        moves: movesFor(account, context),
      },
    };
  });

  // `base`: the version the text started from; a save from an older one than the latest is refused (409 conflict).
  app.post<IdParams & { Body: { source?: unknown; base?: unknown } }>('/api/editions/:id', async (request) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const base = versionNumber(request.body?.base, '`base`');
    const edition = await saveSource(desk, account, Number(request.params.id), request.body?.source, base);
    const publication = (await desk.publicationById(edition.publicationId))!;
    return { edition: editionJson(edition, publication) };
  });

  // `version`: the version reviewed; the move is refused (409 conflict) once another was saved.
  app.post<IdParams & { Body: { to?: unknown; version?: unknown } }>('/api/editions/:id/transitions', async (request) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const version = versionNumber(request.body?.version, '`version`');
    const edition = await moveEdition(desk, account, Number(request.params.id), request.body?.to, version);
    const publication = (await desk.publicationById(edition.publicationId))!;
    return { edition: editionJson(edition, publication) };
  });

  // The editor's autosave: the person's unsaved text, kept until they save or discard it.
  app.post<IdParams & { Body: { source?: unknown; base?: unknown } }>('/api/editions/:id/unsaved', { bodyLimit: 4 * MAX_SOURCE_LENGTH + 4096 }, async (request) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const { source } = request.body ?? {};
    const base = versionNumber(request.body?.base, '`base`');
    if (typeof source !== 'string' || base === undefined) throw new WebError('invalid-input', 'Send {"source": TEXT, "base": VERSION}');
    checkSourceLength(source);
    const { edition } = await editionFor(desk, account, Number(request.params.id));
    if (isLocked(edition)) throw new WebError('transition-refused', `This edition is ${edition.status}: it can no longer change`);
    const kept = await desk.keepUnsavedText(edition.id, account.email, base, source);
    return { unsaved: { base: kept.baseVersion, savedAt: new Date(kept.savedAt).toISOString() } };
  });

  // The body may hold a source a little over the limit (up to 4 bytes a character): previewEdition says by how much.
  app.post<{ Body: { source?: unknown; publication?: unknown; edition?: unknown } }>('/api/editions/preview', { bodyLimit: 4 * MAX_SOURCE_LENGTH + 4096 }, async (request) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const { source, publication: slug, edition } = request.body ?? {};
    if (typeof source !== 'string' || typeof slug !== 'string' || (edition !== undefined && !Number.isSafeInteger(edition))) {
      throw new WebError('invalid-input', 'Send {"publication": SLUG, "source": TEXT, "edition": ID (optional)}');
    }
    const publication = await desk.publicationBySlug(slug);
    if (!publication) throw new WebError('not-found');
    requireRole(account, publication.id, 'author', 'preview editions of this publication');
    // One live preview per person and edition: a newer one (the author typed on) cancels this one.
    const key = `${account.userId}:${publication.id}:${edition ?? 'new'}`;
    const words = (await desk.learnedWords(publication.id)).map((w) => w.word);
    const preview = await previewEdition(source, publication.settings, deps.config.publicUrl, { key, words });
    return { diagnostics: preview.diagnostics, notes: preview.notes, hasErrors: preview.hasErrors, html: preview.html ?? null, email: preview.email ?? null, text: preview.text ?? null };
  });
};
