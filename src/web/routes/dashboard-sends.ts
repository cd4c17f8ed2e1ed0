// Dashboard: the confirmation of a send to the list, unscheduling, and the
// page of one send (with its JSON for the page's script, and its controls).
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { allows, csrfToken, requireAccount, requireRole, verifyCsrf } from '../auth/guard.ts';
import type { Account } from '../auth/accounts.ts';
import { editionFor } from '../edition-actions.ts';
import { newsroomPage } from '../pages/newsroom-layout.ts';
import { sendPage } from '../pages/send-page.ts';
import { sendConfirmPage } from '../pages/send-panel.ts';
import { signConfirmation } from '../send-confirm-token.ts';
import { WebError } from '../errors.ts';
import { listSendFacts } from '../../delivery/send-confirmation.ts';
import { controlSend, SEND_CONTROLS, unscheduleEdition, type SendControl } from '../../delivery/send-controls.ts';
import { sendReport } from '../../delivery/send-report.ts';
import { instantOfWallTime } from '../../delivery/send-time.ts';
import { dateIn } from '../../clock.ts';
import { getSend, sendRecipients } from '../../store/sends.ts';
import type { Store } from '../../store/db.ts';

type IdParams = { Params: { id: string } };

const DONE: Record<string, string> = {
  sent: 'The test send started.',
  started: 'The send to the list started.',
  pause: 'Paused: the workers stop within a second.',
  resume: 'Resumed.',
  cancel: 'Cancelled.',
};

/** The send and its publication, if the account holds `role` there (else the guard's refusal). */
async function sendFor(store: Store, account: Account, id: number, role: 'author' | 'editor', what: string) {
  const send = Number.isSafeInteger(id) ? await getSend(store, id) : undefined;
  if (!send) throw new WebError('not-found');
  requireRole(account, send.publication_id, role, what);
  return send;
}

/** GET /newsroom/editions/:id/send/confirm, POST …/unschedule, GET /newsroom/sends/:id, GET /api/sends/:id, POST /newsroom/sends/:id/control */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);

  app.get<IdParams & { Querystring: { when?: string; at?: string } }>('/newsroom/editions/:id/send/confirm', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const { edition, publication } = await editionFor(desk, account, Number(request.params.id));
    requireRole(account, publication.id, 'editor', 'send an edition to its list');
    if (edition.status !== 'approved') {
      throw new WebError('send-refused', `The edition is ${edition.status}: only an approved edition goes to the list`);
    }
    const now = deps.clock.now();
    const timezone = publication.settings.timezone;
    let at: number | null = null;
    if (request.query.when === 'at') {
      try {
        at = instantOfWallTime(String(request.query.at ?? ''), timezone);
      } catch (err) {
        throw new WebError('invalid-input', `The time of the send: ${(err as Error).message}`);
      }
      if (at <= now) throw new WebError('invalid-input', `The time of the send (${request.query.at} in ${timezone}) has passed: choose a later one, or send now`);
    }
    const facts = (await listSendFacts(deps.store, edition.id, now))!;
    const token = signConfirmation(deps.config.secret, { editionId: edition.id, version: facts.version, at, recipients: facts.recipients, by: account.email, issuedAt: now });
    const csrf = csrfToken(request, reply, deps.config);
    const body = sendConfirmPage({ facts, at, token, csrf, goingOutDay: dateIn(at ?? now, timezone) });
    return reply.type('text/html; charset=utf-8').send(newsroomPage({ title: 'Confirm the send', account, csrf, current: 'editions', body }));
  });

  app.post<IdParams>('/newsroom/editions/:id/unschedule', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const { edition, publication } = await editionFor(desk, account, Number(request.params.id));
    requireRole(account, publication.id, 'editor', 'unschedule an edition');
    await unscheduleEdition({ store: deps.store, clock: deps.clock }, edition.id, account.email);
    return reply.redirect(`/newsroom/editions/${edition.id}?done=unscheduled`, 303);
  });

  app.get<IdParams & { Querystring: { done?: string } }>('/newsroom/sends/:id', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const send = await sendFor(deps.store, account, Number(request.params.id), 'author', 'follow its sends');
    const report = (await sendReport(deps.store, send.id, deps.clock.now()))!;
    const edition = await desk.edition(send.edition_id);
    const publication = await desk.publicationById(send.publication_id);
    const testAddresses = send.kind === 'test' ? (await sendRecipients(deps.store, send.id)).map((r) => r.email) : undefined;
    const csrf = csrfToken(request, reply, deps.config);
    const notice = request.query.done ? DONE[request.query.done] : undefined;
    const body = sendPage({
      report,
      ...(edition ? { edition } : {}),
      ...(publication ? { publication } : {}),
      ...(testAddresses ? { testAddresses } : {}),
      mayControl: allows(account, send.publication_id, 'editor'),
      csrf,
      ...(notice ? { notice } : {}),
    });
    return reply
      .type('text/html; charset=utf-8')
      .send(newsroomPage({ title: `Send ${send.id}`, account, csrf, current: 'sends', body, script: '/assets/send-page.js' }));
  });

  app.get<IdParams>('/api/sends/:id', async (request) => {
    const account = await requireAccount(request, deps);
    const send = await sendFor(deps.store, account, Number(request.params.id), 'author', 'follow its sends');
    return (await sendReport(deps.store, send.id, deps.clock.now()))!;
  });

  app.post<IdParams & { Body: { action?: string } }>('/newsroom/sends/:id/control', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const send = await sendFor(deps.store, account, Number(request.params.id), 'editor', 'pause, resume or cancel a send');
    const action = request.body?.action;
    if (!(SEND_CONTROLS as readonly unknown[]).includes(action)) throw new WebError('invalid-input', `Unknown action; use one of ${SEND_CONTROLS.join(', ')}`);
    await controlSend({ store: deps.store, clock: deps.clock }, send.id, action as SendControl, account.email);
    return reply.redirect(`/newsroom/sends/${send.id}?done=${action}`, 303);
  });
};
