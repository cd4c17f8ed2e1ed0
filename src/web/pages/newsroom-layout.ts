// The dashboard's shell: navigation, who is signed in, the sign-out form, and
// the CSRF token in a <meta> for the one script that posts to the API.
import { html, type SafeHtml } from '../html.ts';
import { page } from './layout.ts';
import { allowsSomewhere, CSRF_FIELD } from '../auth/guard.ts';
import type { Account } from '../auth/accounts.ts';

export interface NewsroomPageOptions {
  title: string;
  account: Account;
  csrf: string;
  body: SafeHtml;
  script?: string;
  /** Reload the page every so many seconds (live figures without a script). */
  refreshSeconds?: number;
  /** Which navigation entry is current. */
  current?: 'editions' | 'publications' | 'sends' | 'outbox' | 'tips' | 'team' | 'account' | 'key';
}

/** A dashboard page. */
export function newsroomPage(options: NewsroomPageOptions): string {
  const link = (key: NewsroomPageOptions['current'], href: string, label: string) =>
    html`<li><a href="${href}"${options.current === key ? html` aria-current="page"` : null}>${label}</a></li>`;
  return page({
    title: `${options.title} — Matinale newsroom`,
    lang: 'en',
    bodyClass: 'newsroom',
    head: html`<meta name="csrf-token" content="${options.csrf}">${options.refreshSeconds ? html`\n<meta http-equiv="refresh" content="${options.refreshSeconds}">` : null}`,
    ...(options.script ? { script: options.script } : {}),
    body: html`<header class="topbar">
<nav aria-label="Newsroom"><ul>
<li><strong>Matinale</strong></li>
${link('editions', '/newsroom', 'Editions')}
${link('publications', '/newsroom/publications', 'Publications')}
${link('sends', '/newsroom/sends', 'Sends')}
${allowsSomewhere(options.account, 'editor') ? link('outbox', '/newsroom/outbox', 'Outbox') : null}
${allowsSomewhere(options.account, 'editor') ? link('tips', '/newsroom/tips', 'Tips') : null}
${allowsSomewhere(options.account, 'admin') ? link('team', '/newsroom/team', 'Team') : null}
${link('account', '/newsroom/account', 'Your account')}
${link('key', '/newsroom/key', 'Your key')}
<li><a href="/">Public site</a></li>
</ul></nav>
<form method="post" action="/newsroom/sign-out" class="signout">
<span>${options.account.name}</span>
<input type="hidden" name="${CSRF_FIELD}" value="${options.csrf}">
<button type="submit">Sign out</button>
</form>
</header>
<main>
${options.body}
</main>`,
  });
}
