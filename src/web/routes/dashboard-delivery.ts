// Dashboard: the sends with their progress, and the local outbox; the same
// progress figures as JSON for scripts at /api/sends.
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { allows, csrfToken, requireAccount, requireRole, verifyCsrf } from '../auth/guard.ts';
import { editionFor, editionsFor } from '../edition-actions.ts';
import { requestSend } from '../../delivery/sends.ts';
import { mailDomainOf } from '../../delivery/send-message.ts';
import type { Account } from '../auth/accounts.ts';
import { newsroomPage } from '../pages/newsroom-layout.ts';
import { outboxList, outboxMessagePage } from '../pages/outbox-pages.ts';
import { sendsList, type GoingOut, type SendRow } from '../pages/sends-pages.ts';
import { schedulesOf } from '../edition-schedule.ts';
import { listOutbox, outboxMessage, type OutboxReader } from '../outbox-reader.ts';
import { recentProgress } from '../../delivery/progress.ts';
import { WebError } from '../errors.ts';
import { verifyConfirmation } from '../send-confirm-token.ts';
import type { Desk } from '../desk.ts';
import type { Clock } from '../../clock.ts';
import type { Store } from '../../store/db.ts';

/** The recent sends of the publications the account is on. */
async function visibleSends(desk: Desk, store: Store, clock: Clock, account: Account): Promise<SendRow[]> {
  const rows: SendRow[] = [];
  for (const progress of await recentProgress(store, clock.now(), 50)) {
    const edition = await desk.edition(progress.editionId);
    if (!edition || !allows(account, edition.publicationId, 'author')) continue;
    const publication = await desk.publicationById(edition.publicationId);
    rows.push({ progress, edition, ...(publication ? { publication } : {}) });
  }
  return rows;
}

/**
 * Whose outbox messages the account may read: those of the publications it is
 * an editor of (they hold readers' addresses and working links). A message of
 * no known publication (an audience mail written without a send) may belong to
 * any: only an editor of every publication reads it.
 */
async function outboxReader(desk: Desk, account: Account): Promise<OutboxReader> {
  const publications = await desk.publications();
  const everywhere = publications.every((p) => allows(account, p.id, 'editor'));
  return (publicationId) => (publicationId === undefined ? everywhere : allows(account, publicationId, 'editor'));
}

/** GET /newsroom/sends, POST /newsroom/editions/:id/send, GET /api/sends, /newsroom/outbox, /newsroom/outbox/:file */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);

  app.get('/newsroom/sends', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const rows = await visibleSends(desk, deps.store, deps.clock, account);
    const csrf = csrfToken(request, reply, deps.config);
    const waiting = (await editionsFor(desk, account)).filter((c) => c.edition.status === 'approved' || c.edition.status === 'scheduled');
    const schedules = await schedulesOf(deps.store, deps.clock, waiting);
    const goingOut: GoingOut[] = waiting.flatMap((c) => {
      const at = schedules.get(c.edition.id)?.at;
      if (at === undefined) return [];
      return [{ ...c, at, ...(allows(account, c.publication.id, 'editor') ? { unscheduleCsrf: csrf } : {}) }];
    }).sort((a, b) => a.at - b.at);
    // While a send runs, the list refreshes itself; each send's own page follows it live with a script.
    const running = rows.some((r) => r.progress.status === 'running');
    return reply
      .type('text/html; charset=utf-8')
      .send(newsroomPage({ title: 'Sends', account, csrf, current: 'sends', body: sendsList(rows, goingOut), ...(running ? { refreshSeconds: 5 } : {}) }));
  });

  app.post<{ Params: { id: string }; Body: { kind?: string; to?: string; confirmation?: string } }>('/newsroom/editions/:id/send', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const { edition, publication } = await editionFor(desk, account, Number(request.params.id));
    const kind = request.body?.kind;
    let test: string[] | undefined;
    let at: number | undefined;
    if (kind === 'list') {
      requireRole(account, publication.id, 'editor', 'send an edition to its list');
      // Only what the person confirmed (routes/dashboard-sends.ts): this version, at that time.
      const confirmed = verifyConfirmation(deps.config.secret, request.body?.confirmation, {
        editionId: edition.id,
        by: account.email,
        currentVersion: edition.currentVersion,
        now: deps.clock.now(),
      });
      if (confirmed.at !== null && confirmed.at <= deps.clock.now()) {
        throw new WebError('invalid-input', 'The time confirmed for the send has passed: open the confirmation again, or send now');
      }
      if (confirmed.at !== null) at = confirmed.at;
    } else if (kind === 'test') {
      // Checked by delivery (test-send-rules.ts): each address, the team for authors, the hourly limit.
      test = String(request.body?.to ?? '').split(/[\s,;]+/).filter(Boolean);
    } else {
      throw new WebError('invalid-input', 'Choose a test send or a send to the list');
    }
    const mailDomain = mailDomainOf({ dkimDomain: deps.config.dkim?.domain, publicUrl: deps.config.publicUrl });
    const send = await requestSend({ store: deps.store, clock: deps.clock, publicUrl: deps.config.publicUrl, mailDomain }, {
      editionId: edition.id,
      createdBy: account.email,
      ...(at !== undefined ? { at } : {}),
      ...(test
        ? {
            test,
            tester: { email: account.email, mayMailOutsideTeam: allows(account, publication.id, 'editor') },
            ...(deps.config.delivery?.testSendsPerHour ? { testsPerHour: deps.config.delivery.testSendsPerHour } : {}),
          }
        : {}),
    });
    // A scheduled send shows on its edition (« goes out … »); a started one, or a test, on its own page.
    if (send.status === 'scheduled') return reply.redirect(`/newsroom/editions/${edition.id}?done=scheduled`, 303);
    return reply.redirect(`/newsroom/sends/${send.id}?done=${test ? 'sent' : 'started'}`, 303);
  });

  app.get('/api/sends', async (request) => {
    const account = await requireAccount(request, deps);
    const rows = await visibleSends(desk, deps.store, deps.clock, account);
    return { sends: rows.map((r) => ({ ...r.progress, publication: r.publication?.slug ?? null, date: r.edition?.date ?? null })) };
  });

  app.get('/newsroom/outbox', async (request, reply) => {
    const account = await requireAccount(request, deps);
    // Each publication's messages for its own editors (outboxReader); a member who edits none has no outbox at all.
    const editorOf = (await desk.publications()).filter((p) => allows(account, p.id, 'editor'));
    if (editorOf.length === 0) throw new WebError('forbidden', 'Only an editor of a publication can read its outbox');
    const { items, total } = await listOutbox(deps.config.dataDir, deps.store, await outboxReader(desk, account));
    const csrf = csrfToken(request, reply, deps.config);
    return reply
      .type('text/html; charset=utf-8')
      .send(newsroomPage({ title: 'Outbox', account, csrf, current: 'outbox', body: outboxList(items, total, deps.config.smtpUrls.length) }));
  });

  app.get<{ Params: { file: string } }>('/newsroom/outbox/:file', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const found = await outboxMessage(deps.config.dataDir, deps.store, request.params.file);
    if (!found) throw new WebError('not-found');
    if (found.publicationId !== undefined) requireRole(account, found.publicationId, 'editor', 'read its messages in the outbox');
    else if (!(await outboxReader(desk, account))(undefined)) throw new WebError('not-found');
    const csrf = csrfToken(request, reply, deps.config);
    return reply.type('text/html; charset=utf-8').send(
      newsroomPage({ title: 'Outbox message', account, csrf, current: 'outbox', body: outboxMessagePage(request.params.file, found.raw, found.message) }),
    );
  });
};
