// Dashboard: the team, for admins (invite by mail, a role per publication,
// disable an account, end a member's sessions); the invitation link's page,
// open to whoever holds a valid link; and each member's own account page
// (password change, which ends their other sessions).
// An admin acts on the publications they are an admin of. Disabling an
// account or ending its sessions acts in every publication the person is on,
// so it takes an admin of every one of them.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { allows, csrfToken, requireAccount, requireRole, sessionToken, verifyCsrf } from '../auth/guard.ts';
import { disableAccount, signOutEverywhere, type Account } from '../auth/accounts.ts';
import { acceptInvitation, checkInvitation, invite } from '../auth/invitations.ts';
import { changePassword } from '../auth/password-change.ts';
import { newsroomPage } from '../pages/newsroom-layout.ts';
import { accountPage, invitationPage, teamPage, type TeamMember } from '../pages/team-pages.ts';
import { WebError } from '../errors.ts';
import { mailerOf } from '../../delivery/mail-stack.ts';
import { changeRole, membershipsOfPerson, personById, teamOfPublications } from '../../store/team.ts';
import { ROLES, type Role } from '../../edition/publication.ts';

type Form = { Body: Record<string, string | undefined> };

const NOTICES: Record<string, string> = {
  invited: 'Invitation sent: they choose their password from the link in the mail.',
  added: 'They already had an account: they are on the team now, and sign in as before.',
  role: 'Role changed.',
  disabled: 'The account is disabled: it cannot sign in, and its sessions ended.',
  'signed-out': 'All of their sessions ended: they sign in again with their password.',
};

const roleOf = (text: string | undefined): Role => {
  if (!(ROLES as readonly string[]).includes(text ?? '')) throw new WebError('invalid-input', 'Choose a role: author, editor or admin');
  return text as Role;
};

/** GET /newsroom/team, POST /newsroom/team/{invite,role,disable,sign-out}, GET/POST /newsroom/invitation/:token, GET /newsroom/account, POST /newsroom/account/password */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const mailer = mailerOf(deps.config, deps.transport, deps.clock);

  /** The publications the account is an admin of; refused when there is none. */
  async function adminOf(account: Account) {
    const publications = (await desk.publications()).filter((p) => allows(account, p.id, 'admin'));
    if (publications.length === 0) throw new WebError('forbidden', 'Only an admin of a publication can manage its team');
    return publications;
  }

  async function showTeam(request: FastifyRequest, reply: FastifyReply, account: Account, notice?: string, problem?: string, status = 200) {
    const publications = await adminOf(account);
    const members = new Map<number, TeamMember>();
    for (const row of await teamOfPublications(deps.store, publications.map((p) => p.id))) {
      const member = members.get(row.personId) ?? { personId: row.personId, name: row.name, email: row.email, account: row.account, roles: new Map() };
      member.roles.set(row.publicationId, row.role);
      members.set(row.personId, member);
    }
    const csrf = csrfToken(request, reply, deps.config);
    const body = teamPage(publications, [...members.values()], account.personId, csrf, notice, problem);
    return reply.code(status).type('text/html; charset=utf-8').send(newsroomPage({ title: 'Team', account, csrf, current: 'team', body }));
  }

  /** The person of a form, when the admin runs every publication they are on (for what acts on all of them). */
  async function personForAll(account: Account, personText: string | undefined, what: string) {
    const personId = Number(personText);
    const person = Number.isSafeInteger(personId) ? await personById(deps.store, personId) : undefined;
    const memberships = person ? await membershipsOfPerson(deps.store, person.id) : [];
    // Someone on none of the admin's publications is not theirs to see: the answer for nobody at all.
    if (!person || !memberships.some((m) => account.roles.has(m.publicationId))) throw new WebError('not-found');
    // On a shared team the person is known to the admin: a refusal says why (403), without naming the other publications.
    for (const m of memberships) if (account.roles.has(m.publicationId)) requireRole(account, m.publicationId, 'admin', what);
    if (!memberships.every((m) => allows(account, m.publicationId, 'admin'))) {
      throw new WebError('forbidden', `Only an admin of every publication ${person.name} is on can ${what} them`);
    }
    if (person.id === account.personId) throw new WebError('forbidden', `You cannot ${what} yourself: ask another admin`);
    return person;
  }

  app.get<{ Querystring: { notice?: string } }>('/newsroom/team', async (request, reply) => {
    const account = await requireAccount(request, deps);
    return showTeam(request, reply, account, request.query.notice ? NOTICES[request.query.notice] : undefined);
  });

  app.post<Form>('/newsroom/team/invite', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const publication = await desk.publicationBySlug(String(request.body?.publication ?? ''));
    if (!publication) throw new WebError('not-found');
    requireRole(account, publication.id, 'admin', 'invite people onto its team');
    const result = await invite(
      { store: deps.store, clock: deps.clock, secret: deps.config.secret, publicUrl: deps.config.publicUrl, mailer },
      { email: String(request.body?.email ?? ''), name: String(request.body?.name ?? ''), publicationId: publication.id, publicationName: publication.name, role: roleOf(request.body?.role), by: account.name },
    );
    if (result.status === 'refused') return showTeam(request, reply, account, undefined, `The invitation was not sent: ${result.reason}.`, 400);
    return reply.redirect(`/newsroom/team?notice=${result.status}`, 303);
  });

  app.post<Form>('/newsroom/team/role', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const publication = await desk.publicationBySlug(String(request.body?.publication ?? ''));
    if (!publication) throw new WebError('not-found');
    requireRole(account, publication.id, 'admin', 'change the roles of its team');
    const role = roleOf(request.body?.role);
    const personId = Number(request.body?.person);
    // Nobody demotes themselves by a slip of the mouse, nor leaves a publication without its last admin that way.
    if (personId === account.personId) throw new WebError('forbidden', 'You cannot change your own role: ask another admin');
    if (!Number.isSafeInteger(personId) || !(await changeRole(deps.store, personId, publication.id, role))) throw new WebError('not-found');
    return reply.redirect('/newsroom/team?notice=role', 303);
  });

  app.post<Form>('/newsroom/team/disable', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const person = await personForAll(account, request.body?.person, 'disable the account of');
    await disableAccount(deps.store, person.email, deps.clock);
    return reply.redirect('/newsroom/team?notice=disabled', 303);
  });

  app.post<Form>('/newsroom/team/sign-out', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const person = await personForAll(account, request.body?.person, 'end the sessions of');
    await signOutEverywhere(deps.store, person.email);
    return reply.redirect('/newsroom/team?notice=signed-out', 303);
  });

  // The invitation link: a GET only shows the form (mail scanners open links); the POST sets the password.
  const invitationAnswer = async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply, problem?: string, status = 200) => {
    const check = await checkInvitation(deps.store, deps.config.secret, request.params.token, deps.clock.now());
    const csrf = csrfToken(request, reply, deps.config);
    const action = `/newsroom/invitation/${request.params.token}`;
    const refusal = { invalid: 'This link does not work.', expired: 'This link has expired.', used: 'This link was used already: your password is set.' } as const;
    const page =
      check.status === 'valid'
        ? invitationPage(action, csrf, check.email, problem ? { problem } : undefined)
        : invitationPage(action, csrf, undefined, { problem: refusal[check.status] });
    const code = check.status === 'valid' ? status : check.status === 'invalid' ? 404 : 410;
    return reply.code(code).header('Cache-Control', 'no-store').header('Referrer-Policy', 'no-referrer').type('text/html; charset=utf-8').send(page);
  };

  app.get<{ Params: { token: string } }>('/newsroom/invitation/:token', async (request, reply) => invitationAnswer(request, reply));

  app.post<{ Params: { token: string } } & Form>('/newsroom/invitation/:token', async (request, reply) => {
    verifyCsrf(request, deps.config);
    const result = await acceptInvitation(deps.store, deps.config.secret, deps.clock, request.params.token, String(request.body?.password ?? ''), String(request.body?.repeated ?? ''));
    if (result.status === 'refused') return invitationAnswer(request, reply, result.reason, 400);
    if (result.status !== 'set') return invitationAnswer(request, reply);
    const csrf = csrfToken(request, reply, deps.config);
    return reply.header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(invitationPage('', csrf, result.email, { done: true, title: 'Password set' }));
  });

  app.get('/newsroom/account', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const csrf = csrfToken(request, reply, deps.config);
    return reply.type('text/html; charset=utf-8').send(newsroomPage({ title: 'Your account', account, csrf, current: 'account', body: accountPage(account.name, account.email, csrf) }));
  });

  app.post<Form>('/newsroom/account/password', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const b = request.body ?? {};
    const result = await changePassword(deps.store, account.userId, sessionToken(request) ?? '', String(b.current ?? ''), String(b.next ?? ''), String(b.repeated ?? ''));
    const csrf = csrfToken(request, reply, deps.config);
    const message =
      result.status === 'changed'
        ? { notice: `Password changed. ${result.otherSessionsEnded === 1 ? 'One other session' : `${result.otherSessionsEnded} other sessions`} ended.` }
        : { problem: result.reason, field: result.field };
    return reply
      .code(result.status === 'changed' ? 200 : 400)
      .type('text/html; charset=utf-8')
      .send(newsroomPage({ title: 'Your account', account, csrf, current: 'account', body: accountPage(account.name, account.email, csrf, message) }));
  });
};
