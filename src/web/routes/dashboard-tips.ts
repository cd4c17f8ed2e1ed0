// Dashboard: the tips of the publications the member edits (list, one tip,
// its parts as OpenPGP files, reply, delete) and the member's own key.
// Reading tips takes an editor of the tip's publication; every member sets
// their own key.
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { allows, csrfToken, requireAccount, requireRole, verifyCsrf } from '../auth/guard.ts';
import { newsroomPage } from '../pages/newsroom-layout.ts';
import { keyPage, tipPage, tipsList } from '../pages/tip-dashboard-pages.ts';
import { WebError } from '../errors.ts';
import { deleteTip, getTip, listTips, tipParts } from '../../store/tips.ts';
import { findPerson, setPersonKey } from '../../store/people.ts';
import { recordAudit } from '../../store/audit-log.ts';
import { checkMemberKey, KeyRefusedError } from '../../tips/member-key.ts';
import { deskKeys, deskMembers } from '../../tips/desk.ts';
import { replyToTip } from '../../tips/tip-line.ts';
import { DEFAULT_TIP_RETENTION_DAYS } from '../../tips/retention.ts';

type IdParams = { Params: { id: string } };
const MAX_REPLY = 20_000;

/** GET /newsroom/tips, /newsroom/tips/:id, /newsroom/tips/:id/parts/:part, /newsroom/key; POST reply, delete, key */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const tipLine = { store: deps.store, secret: deps.config.secret, clock: deps.clock };
  const html = 'text/html; charset=utf-8';

  /** The tip and its publication, after the role check (404 for someone off its team, as for no tip). */
  async function tipFor(request: Parameters<typeof requireAccount>[0], id: string, what: string) {
    const account = await requireAccount(request, deps);
    const tip = /^\d+$/.test(id) ? await getTip(deps.store, Number(id)) : undefined;
    if (!tip) throw new WebError('not-found');
    requireRole(account, tip.publicationId, 'editor', what);
    const publication = (await desk.publicationById(tip.publicationId))!;
    return { account, tip, publication };
  }

  app.get('/newsroom/tips', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const editorOf = (await desk.publications()).filter((p) => allows(account, p.id, 'editor'));
    if (editorOf.length === 0) throw new WebError('forbidden', 'Only an editor of a publication can read its tips');
    const names = new Map(editorOf.map((p) => [p.id, p.name]));
    const tips = (await listTips(deps.store, editorOf.map((p) => p.id))).map((t) => ({ ...t, publication: names.get(t.publicationId)! }));
    const retention = editorOf.map((p) => ({ name: p.name, days: p.settings.tipRetentionDays ?? DEFAULT_TIP_RETENTION_DAYS }));
    const csrf = csrfToken(request, reply, deps.config);
    return reply.type(html).send(newsroomPage({ title: 'Tips', account, csrf, current: 'tips', body: tipsList(tips, retention) }));
  });

  app.get<IdParams>('/newsroom/tips/:id', async (request, reply) => {
    const { account, tip, publication } = await tipFor(request, request.params.id, 'read its tips');
    const parts = await tipParts(deps.store, tip.id);
    const summary = (await listTips(deps.store, [publication.id])).find((t) => t.id === tip.id)!;
    const members = await deskMembers(deps.store, publication.id, publication.settings, new Date(deps.clock.now()));
    const csrf = csrfToken(request, reply, deps.config);
    return reply
      .type(html)
      .send(newsroomPage({ title: `Tip of ${tip.day}`, account, csrf, current: 'tips', script: '/assets/tip-open.js', body: tipPage({ ...summary, publication: publication.name }, parts, csrf, members) }));
  });

  app.get<{ Params: { id: string; part: string } }>('/newsroom/tips/:id/parts/:part', async (request, reply) => {
    const { tip } = await tipFor(request, request.params.id, 'read its tips');
    const parts = await tipParts(deps.store, tip.id);
    const index = parts.findIndex((p) => String(p.id) === request.params.part);
    if (index < 0) throw new WebError('not-found');
    return reply
      .type('application/pgp-encrypted')
      .header('Content-Disposition', `attachment; filename="tip-${tip.id}-${index + 1}.asc"`)
      .send(parts[index]!.ciphertext);
  });

  app.post<IdParams & { Body: { text?: unknown } }>('/newsroom/tips/:id/reply', async (request, reply) => {
    verifyCsrf(request, deps.config);
    const { account, tip, publication } = await tipFor(request, request.params.id, 'reply to its tips');
    const text = typeof request.body?.text === 'string' ? request.body.text.replace(/\r\n/g, '\n').trim() : '';
    if (!text) throw new WebError('invalid-input', 'The reply is empty');
    if (text.length > MAX_REPLY) throw new WebError('invalid-input', `A reply holds at most ${MAX_REPLY} characters`);
    const keys = await deskKeys(deps.store, publication.id, publication.settings, new Date(deps.clock.now()));
    if (!(await replyToTip(tipLine, tip.id, text, keys))) throw new WebError('not-found');
    await recordAudit(deps.store, { actor: account.email, action: 'tip.reply', subjectType: 'tip', subjectId: tip.id }, deps.clock.now());
    return reply.redirect(`/newsroom/tips/${tip.id}`, 303);
  });

  app.post<IdParams>('/newsroom/tips/:id/delete', async (request, reply) => {
    verifyCsrf(request, deps.config);
    const { account, tip } = await tipFor(request, request.params.id, 'delete its tips');
    await deleteTip(deps.store, tip.id);
    await recordAudit(deps.store, { actor: account.email, action: 'tip.delete', subjectType: 'tip', subjectId: tip.id }, deps.clock.now());
    return reply.redirect('/newsroom/tips', 303);
  });

  async function currentKey(email: string): Promise<{ fingerprint?: string; problem?: string }> {
    const armored = (await findPerson(deps.store, email))?.pgpKey;
    if (!armored) return {};
    try {
      return { fingerprint: (await checkMemberKey(armored, new Date(deps.clock.now()))).fingerprint };
    } catch (err) {
      return { problem: (err as Error).message };
    }
  }

  app.get('/newsroom/key', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const csrf = csrfToken(request, reply, deps.config);
    return reply.type(html).send(newsroomPage({ title: 'Your key', account, csrf, current: 'key', body: keyPage(await currentKey(account.email), csrf) }));
  });

  app.post<{ Body: { key?: unknown } }>('/newsroom/key', async (request, reply) => {
    verifyCsrf(request, deps.config);
    const account = await requireAccount(request, deps);
    const armored = typeof request.body?.key === 'string' ? request.body.key : '';
    try {
      const checked = await checkMemberKey(armored, new Date(deps.clock.now()));
      await setPersonKey(deps.store, account.email, checked.armored);
      await recordAudit(deps.store, { actor: account.email, action: 'person.key', subjectType: 'person', subjectId: account.personId, details: { fingerprint: checked.fingerprint } }, deps.clock.now());
      return reply.redirect('/newsroom/key', 303);
    } catch (err) {
      if (!(err instanceof KeyRefusedError)) throw err;
      const csrf = csrfToken(request, reply, deps.config);
      return reply
        .code(400)
        .type(html)
        .send(newsroomPage({ title: 'Your key', account, csrf, current: 'key', body: keyPage(await currentKey(account.email), csrf, `This key was refused: ${err.message}`) }));
    }
  });
};
