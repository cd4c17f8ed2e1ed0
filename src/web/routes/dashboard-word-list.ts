// The publication's word list: the page (members), a word added (members: the
// author who writes a name knows it best, and every addition is in the audit
// log with who made it), a word removed (editors: taking back what someone
// taught is the editor's call). The editor's « add to the word list » posts to
// the API twin, then refreshes its preview.
import type { FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import type { DeskPublication } from '../desk.ts';
import { allows, csrfToken, requireAccount, requireRole, verifyCsrf } from '../auth/guard.ts';
import type { Account } from '../auth/accounts.ts';
import { WebError } from '../errors.ts';
import { newsroomPage } from '../pages/newsroom-layout.ts';
import { wordListPage, wordListPath } from '../pages/word-list-pages.ts';
import { checkLearnedWord } from '../../edition/learned-words.ts';

type SlugParams = { Params: { slug: string } };
type WordBody = { Body: { word?: unknown; back?: unknown } };

const NOTICES: Record<string, string> = {
  added: 'The word was added: the spelling check accepts it from now on.',
  known: 'The word list held that word already.',
  removed: 'The word was removed: the spelling check flags it again.',
};

/** GET/POST /newsroom/publications/:slug/words, POST …/words/remove, POST /api/publications/:slug/words */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);

  // Signed in first (401), then the form's token, then the role in the publication the slug names.
  async function publicationFor(
    request: FastifyRequest<SlugParams>,
    role: 'author' | 'editor',
    what: string,
    options: { write?: boolean } = {},
  ): Promise<{ account: Account; publication: DeskPublication }> {
    const account = await requireAccount(request, deps);
    if (options.write) verifyCsrf(request, deps.config);
    const publication = await desk.publicationBySlug(request.params.slug);
    if (!publication) throw new WebError('not-found');
    requireRole(account, publication.id, role, what);
    return { account, publication };
  }

  app.get<SlugParams & { Querystring: { done?: string } }>('/newsroom/publications/:slug/words', async (request, reply) => {
    const { account, publication } = await publicationFor(request, 'author', 'see its word list');
    const csrf = csrfToken(request, reply, deps.config);
    const notice = request.query.done ? NOTICES[request.query.done] : undefined;
    const body = wordListPage({
      publication,
      words: await desk.learnedWords(publication.id),
      csrf,
      mayRemove: allows(account, publication.id, 'editor'),
      ...(notice ? { notice } : {}),
    });
    return reply.type('text/html; charset=utf-8').send(newsroomPage({ title: `${publication.name}: word list`, account, csrf, current: 'publications', body }));
  });

  app.post<SlugParams & WordBody>('/newsroom/publications/:slug/words', async (request, reply) => {
    const { added } = await add(request);
    // Back to the editor the button was in, or to the list; never off the newsroom.
    const back = typeof request.body?.back === 'string' && /^\/newsroom\/editions\/\d+$/.test(request.body.back) ? request.body.back : undefined;
    return reply.redirect(back ?? `${wordListPath(request.params.slug)}?done=${added ? 'added' : 'known'}`, 303);
  });

  app.post<SlugParams & WordBody>('/api/publications/:slug/words', async (request) => {
    const { word, added } = await add(request);
    return { word, added };
  });

  app.post<SlugParams & WordBody>('/newsroom/publications/:slug/words/remove', async (request, reply) => {
    const { account, publication } = await publicationFor(request, 'editor', 'remove a word from its word list', { write: true });
    if (typeof request.body?.word !== 'string' || request.body.word.trim() === '') throw new WebError('invalid-input', 'Which word? The form names none');
    const removed = await desk.forgetWord(publication.id, request.body.word, account.email);
    if (!removed) throw new WebError('not-found', `The word list of ${publication.name} has no « ${request.body.word} »`);
    return reply.redirect(`${wordListPath(publication.slug)}?done=removed`, 303);
  });

  async function add(request: FastifyRequest<SlugParams & WordBody>): Promise<{ word: string; added: boolean }> {
    const { account, publication } = await publicationFor(request, 'author', 'add to its word list', { write: true });
    let word: string;
    try {
      word = checkLearnedWord(request.body?.word);
    } catch (err) {
      throw new WebError('invalid-input', `Not added to the word list: ${(err as Error).message}`);
    }
    return { word, added: await desk.learnWord(publication.id, word, account.email) };
  }
};
