// Dashboard pages of the team (for admins): the members of the publications
// the admin runs, with their role in each and the state of their account,
// the invitation form; the page an invitation link opens; a member's own
// account page (password change).
import { html, type SafeHtml } from '../html.ts';
import { page } from './layout.ts';
import { CSRF_FIELD } from '../auth/guard.ts';
import type { DeskPublication } from '../desk.ts';
import type { AccountState } from '../../store/team.ts';
import { ROLES, type Role } from '../../edition/publication.ts';

export interface TeamMember {
  personId: number;
  name: string;
  email: string;
  account: AccountState;
  roles: Map<number, Role>;
}

const ACCOUNT_WORDS: Record<AccountState, string> = {
  none: 'no account',
  invited: 'invited, no password yet',
  active: 'active',
  disabled: 'disabled',
};

const hidden = (csrf: string, fields: Record<string, string | number>) =>
  html`<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}`;

function roleSelect(id: string, chosen: Role | undefined) {
  return html`<select id="${id}" name="role">${ROLES.map((r) => html`<option value="${r}"${r === chosen ? html` selected` : null}>${r}</option>`)}</select>`;
}

/** The team page. */
export function teamPage(publications: DeskPublication[], members: TeamMember[], selfPersonId: number, csrf: string, notice?: string, problem?: string): SafeHtml {
  return html`<h1>Team</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
${problem ? html`<p class="problem" role="alert">${problem}</p>` : null}
<p>The members of the publications you are an admin of: ${publications.map((p, i) => html`${i ? ', ' : ''}${p.name}`)}.</p>
${members.map((m) => {
  const self = m.personId === selfPersonId;
  return html`<section aria-labelledby="member-${m.personId}" class="member">
<h2 id="member-${m.personId}">${m.name} <small>${m.email}</small></h2>
<p>Account: ${ACCOUNT_WORDS[m.account]}${self ? ' (you)' : ''}</p>
${publications
  .filter((p) => m.roles.has(p.id))
  .map(
    (p) => html`<form method="post" action="/newsroom/team/role" class="row">
${hidden(csrf, { person: m.personId, publication: p.slug })}
<label for="role-${m.personId}-${p.id}">Role in ${p.name}</label> ${roleSelect(`role-${m.personId}-${p.id}`, m.roles.get(p.id))}
<button type="submit"${self ? html` disabled title="Ask another admin to change your own role"` : null}>Change the role</button>
</form>`,
  )}
${
  self || m.account === 'none' || m.account === 'disabled'
    ? null
    : html`<form method="post" action="/newsroom/team/sign-out" class="row">${hidden(csrf, { person: m.personId })}<button type="submit">End all of ${m.name}’s sessions</button></form>
<form method="post" action="/newsroom/team/disable" class="row">${hidden(csrf, { person: m.personId })}<button type="submit">Disable ${m.name}’s account</button></form>`
}
</section>`;
})}
<section aria-labelledby="invite-heading">
<h2 id="invite-heading">Invite a person</h2>
<p>They get a mail with a link to choose their password (it works once, for 7 days). Someone who already has an account joins the team at once.</p>
<form method="post" action="/newsroom/team/invite">
${hidden(csrf, {})}
<p><label for="invite-email">Email address</label><br><input id="invite-email" name="email" type="email" required autocomplete="off"></p>
<p><label for="invite-name">Name</label><br><input id="invite-name" name="name" type="text" autocomplete="off"></p>
<p><label for="invite-publication">Publication</label><br><select id="invite-publication" name="publication">${publications.map((p) => html`<option value="${p.slug}">${p.name}</option>`)}</select></p>
<p><label for="invite-role">Role</label><br>${roleSelect('invite-role', 'author')}</p>
<p><button type="submit">Send the invitation</button></p>
</form>
</section>`;
}

/** The page an invitation link opens: choose a password (outside the newsroom: nobody is signed in yet). */
export function invitationPage(action: string, csrf: string, email: string | undefined, message?: { problem?: string; done?: boolean; title?: string }): string {
  const body = message?.done
    ? html`<p role="status">Your password is set. <a href="/newsroom/sign-in">Sign in</a> with ${email ?? 'your address'}.</p>`
    : email
      ? html`${message?.problem ? html`<p class="problem" role="alert">${message.problem}</p>` : null}
<p>Choose the password of your newsroom account ${email}.</p>
<form method="post" action="${action}">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<input type="text" name="username" value="${email}" autocomplete="username" hidden>
<p><label for="password">New password (at least 10 characters)</label><br><input id="password" name="password" type="password" required minlength="10" autocomplete="new-password"></p>
<p><label for="repeated">The same password again</label><br><input id="repeated" name="repeated" type="password" required minlength="10" autocomplete="new-password"></p>
<p><button type="submit">Set my password</button></p>
</form>`
      : html`<p class="problem" role="alert">${message?.problem ?? 'This link does not work.'}</p><p>Ask an admin of your newsroom for a new invitation.</p>`;
  return page({ title: 'Your newsroom account — Matinale', lang: 'en', bodyClass: 'newsroom', head: html`<meta name="robots" content="noindex">`, body: html`<main class="narrow"><h1>${message?.title ?? 'Your newsroom account'}</h1>${body}</main>` });
}

/** A member's own account: who they are, and the password change. */
export function accountPage(name: string, email: string, csrf: string, message?: { notice?: string; problem?: string; field?: 'current' | 'next' }): SafeHtml {
  const invalid = (field: 'current' | 'next') => (message?.problem && message.field === field ? html` aria-invalid="true" aria-describedby="password-problem"` : null);
  return html`<h1>Your account</h1>
<dl class="facts"><dt>Name</dt><dd>${name}</dd><dt>Address</dt><dd>${email}</dd></dl>
${message?.notice ? html`<p class="notice" role="status">${message.notice}</p>` : null}
${message?.problem ? html`<p class="problem" role="alert" id="password-problem">${message.problem}</p>` : null}
<h2>Change your password</h2>
<p>Your other sessions (other browsers, other devices) end; this one stays.</p>
<form method="post" action="/newsroom/account/password">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<input type="text" name="username" value="${email}" autocomplete="username" hidden>
<p><label for="current">Current password</label><br><input id="current" name="current" type="password" required autocomplete="current-password"${invalid('current')}></p>
<p><label for="next">New password (at least 10 characters)</label><br><input id="next" name="next" type="password" required minlength="10" autocomplete="new-password"${invalid('next')}></p>
<p><label for="repeated">The new password again</label><br><input id="repeated" name="repeated" type="password" required minlength="10" autocomplete="new-password"></p>
<p><button type="submit">Change the password</button></p>
</form>`;
}
