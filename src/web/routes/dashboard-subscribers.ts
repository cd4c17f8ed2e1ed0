// Dashboard: a publication's subscribers, over the audience's services (the
// same the CLI's `subscribers` commands use): the list with search, status
// filter and keyset pages; one subscriber's page; adding one by hand,
// unsubscribing, erasing, the person's data and the whole list as files.
// Editors of the publication see and change its list; erasure, which acts in
// every publication, is for its admins.
import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { allows, csrfToken, requireAccount, requireRole, verifyCsrf } from '../auth/guard.ts';
import type { Account } from '../auth/accounts.ts';
import { newsroomPage } from '../pages/newsroom-layout.ts';
import { subscriberPage, subscribersPage, type AddForm, type ListFilter } from '../pages/subscriber-pages.ts';
import { WebError } from '../errors.ts';
import type { DeskPublication } from '../desk.ts';
import { audienceDeps } from '../../audience/deps.ts';
import { addByHand, unsubscribeByHand } from '../../audience/by-hand.ts';
import { subscriberRecord } from '../../audience/subscriber-record.ts';
import { eraseSubscriber, exportSubscriber } from '../../audience/data-rights.ts';
import { exportSubscribers } from '../../audience/export.ts';
import { parseAddress } from '../../audience/address.ts';
import { outboxCopies } from '../../delivery/outbox-erasure.ts';
import { countByStatus } from '../../store/subscriptions.ts';
import { subscriberListPage } from '../../store/subscriber-search.ts';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../../store/schema.ts';

const PAGE_SIZE = 50;

type SlugParams = { Params: { slug: string } };
type SubscriberParams = { Params: { slug: string; id: string } };
type ListQuery = { q?: string; status?: string; older?: string; newer?: string; notice?: string };

const NOTICES: Record<string, string> = {
  erased: 'The person was erased: nothing left names them, in the database or in the outbox.',
  unsubscribed: 'Unsubscribed: the address is suppressed for this publication.',
  added: 'Added: the subscription is active.',
  'already-active': 'This person was already an active subscriber.',
};

const idOf = (text: string | undefined): number | undefined => (text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined);

function send(reply: FastifyReply, title: string, account: Account, csrf: string, body: Parameters<typeof newsroomPage>[0]['body'], status = 200) {
  return reply.code(status).type('text/html; charset=utf-8').send(newsroomPage({ title, account, csrf, current: 'publications', body }));
}

/** GET/POST /newsroom/publications/:slug/subscribers, …/subscribers.csv, …/subscribers/:id, …/unsubscribe, …/erase, …/data.json */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const audience = audienceDeps(deps.config, deps.store, { clock: deps.clock });

  /** The publication of the URL, for an account that holds `role` in it. */
  async function publicationFor(request: FastifyRequest<SlugParams>, role: 'editor' | 'admin', what: string) {
    const account = await requireAccount(request, deps);
    const publication = await desk.publicationBySlug(request.params.slug);
    if (!publication) throw new WebError('not-found');
    requireRole(account, publication.id, role, what);
    return { account, publication };
  }

  /** The subscriber of the URL, when they have a subscription to the publication (else: not found, as for none). */
  async function subscriberFor(request: FastifyRequest<SubscriberParams>, role: 'editor' | 'admin', what: string) {
    const found = await publicationFor(request, role, what);
    const id = idOf(request.params.id);
    const record = id === undefined ? undefined : await subscriberRecord(deps.store, id);
    if (!record || !record.publicationIds.includes(found.publication.id)) throw new WebError('not-found');
    return { ...found, record };
  }

  async function listPage(request: FastifyRequest, reply: FastifyReply, account: Account, publication: DeskPublication, query: ListQuery, add: AddForm, status = 200) {
    const q = (query.q ?? '').trim().slice(0, 200);
    const statusFilter = (SUBSCRIPTION_STATUSES as readonly string[]).includes(query.status ?? '') ? (query.status as SubscriptionStatus) : '';
    const filter: ListFilter = { q, status: statusFilter };
    // A whole address is looked up by its keyed hash (the unique index); a part of one is searched.
    const whole = q.includes('@') ? parseAddress(q) : undefined;
    const older = idOf(query.older);
    const newer = idOf(query.newer);
    const page = await subscriberListPage(deps.store, {
      publicationId: publication.id,
      ...(whole?.ok ? { emailHash: audience.keys.addressHash(whole.address) } : q ? { text: q } : {}),
      ...(statusFilter ? { status: statusFilter } : {}),
      ...(older !== undefined ? { older } : {}),
      ...(newer !== undefined ? { newer } : {}),
      limit: PAGE_SIZE,
    });
    const csrf = csrfToken(request, reply, deps.config);
    const notice = query.notice ? NOTICES[query.notice] : undefined;
    const counts = await countByStatus(deps.store, publication.id);
    return send(reply, `Subscribers of ${publication.name}`, account, csrf, subscribersPage({ publication, counts, filter, page, csrf, add, ...(notice ? { notice } : {}) }), status);
  }

  app.get<SlugParams & { Querystring: ListQuery }>('/newsroom/publications/:slug/subscribers', async (request, reply) => {
    const { account, publication } = await publicationFor(request, 'editor', 'see its subscribers');
    return listPage(request, reply, account, publication, request.query, { email: '', name: '', consentSource: '' });
  });

  app.post<SlugParams & { Body: { email?: string; name?: string; consentSource?: string } }>('/newsroom/publications/:slug/subscribers', async (request, reply) => {
    const { account, publication } = await publicationFor(request, 'editor', 'add subscribers');
    verifyCsrf(request, deps.config);
    const form = { email: String(request.body?.email ?? ''), name: String(request.body?.name ?? ''), consentSource: String(request.body?.consentSource ?? '') };
    const result = await addByHand(audience, { publicationId: publication.id, ...form, by: account.email });
    if (result.status === 'refused') return listPage(request, reply, account, publication, {}, { ...form, problem: { field: result.field, reason: result.reason } }, 400);
    return reply.redirect(`/newsroom/publications/${publication.slug}/subscribers/${result.subscriberId}?notice=${result.status}`, 303);
  });

  app.get<SlugParams>('/newsroom/publications/:slug/subscribers.csv', async (request, reply) => {
    const { publication } = await publicationFor(request, 'editor', 'export its subscribers');
    const out = new PassThrough();
    // Streamed page by page as the client reads it: constant memory whatever the list's size.
    exportSubscribers(deps.store, publication.slug, out).catch((err: unknown) => {
      request.log.error({ err }, 'subscribers export failed');
      out.destroy(err as Error);
    });
    return reply
      .type('text/csv; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="${publication.slug}-subscribers.csv"`)
      .send(out);
  });

  app.get<SubscriberParams & { Querystring: { notice?: string } }>('/newsroom/publications/:slug/subscribers/:id', async (request, reply) => {
    const { account, publication, record } = await subscriberFor(request, 'editor', 'see its subscribers');
    const csrf = csrfToken(request, reply, deps.config);
    const notice = request.query.notice ? NOTICES[request.query.notice] : undefined;
    const mayErase = allows(account, publication.id, 'admin');
    return send(reply, record.email, account, csrf, subscriberPage({ publication, record, csrf, mayErase, ...(notice ? { notice } : {}) }));
  });

  app.post<SubscriberParams>('/newsroom/publications/:slug/subscribers/:id/unsubscribe', async (request, reply) => {
    const { account, publication, record } = await subscriberFor(request, 'editor', 'unsubscribe its subscribers');
    verifyCsrf(request, deps.config);
    await unsubscribeByHand(audience, record.id, publication.id, account.email);
    return reply.redirect(`/newsroom/publications/${publication.slug}/subscribers/${record.id}?notice=unsubscribed`, 303);
  });

  app.post<SubscriberParams & { Body: { confirm?: string } }>('/newsroom/publications/:slug/subscribers/:id/erase', async (request, reply) => {
    const { publication, record } = await subscriberFor(request, 'admin', 'erase a subscriber');
    verifyCsrf(request, deps.config);
    if (request.body?.confirm !== 'yes') throw new WebError('invalid-input', 'Tick the box that says whom you erase: erasure cannot be undone');
    await eraseSubscriber(audience, record.email, outboxCopies(deps.config.dataDir));
    return reply.redirect(`/newsroom/publications/${publication.slug}/subscribers?notice=erased`, 303);
  });

  app.get<SubscriberParams>('/newsroom/publications/:slug/subscribers/:id/data.json', async (request, reply) => {
    const { record } = await subscriberFor(request, 'editor', 'export a subscriber’s data');
    const data = await exportSubscriber(audience, record.email);
    if (!data) throw new WebError('not-found');
    return reply
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="subscriber-${record.id}.json"`)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(data, null, 2));
  });
};
