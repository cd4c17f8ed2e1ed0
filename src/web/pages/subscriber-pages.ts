// Dashboard pages of a publication's audience: the list of subscribers
// (search, status filter, keyset pages, the form to add one by hand) and one
// subscriber's page (subscriptions, consent log, suppressions, sends, and the
// actions: unsubscribe, download their data, erase). Every value is escaped by `html`.
import { html, type SafeHtml } from '../html.ts';
import { CSRF_FIELD } from '../auth/guard.ts';
import type { DeskPublication } from '../desk.ts';
import type { SubscriberListPage } from '../../store/subscriber-search.ts';
import type { SubscriberRecord } from '../../audience/subscriber-record.ts';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../../store/schema.ts';

export const when = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC');

export interface ListFilter {
  q: string;
  status: SubscriptionStatus | '';
}

export interface AddForm {
  email: string;
  name: string;
  consentSource: string;
  problem?: { field: 'email' | 'consentSource'; reason: string };
}

export interface SubscribersPageData {
  publication: DeskPublication;
  counts: Record<SubscriptionStatus, number>;
  filter: ListFilter;
  page: SubscriberListPage;
  csrf: string;
  add: AddForm;
  notice?: string;
}

function pageLink(base: string, filter: ListFilter, key: 'older' | 'newer', id: number): string {
  const query = new URLSearchParams();
  if (filter.q) query.set('q', filter.q);
  if (filter.status) query.set('status', filter.status);
  query.set(key, String(id));
  return `${base}?${query.toString()}`;
}

function field(id: string, label: string, value: string, options: { type?: string; required?: boolean; problem?: string | undefined; hint?: string; autocomplete?: string }) {
  const described = [options.hint ? `${id}-hint` : '', options.problem ? `${id}-problem` : ''].filter(Boolean).join(' ');
  return html`<p><label for="${id}">${label}</label><br>
${options.hint ? html`<small id="${id}-hint">${options.hint}</small><br>` : null}<input id="${id}" name="${id}" type="${options.type ?? 'text'}" value="${value}"${options.required ? html` required` : null}${
    options.autocomplete ? html` autocomplete="${options.autocomplete}"` : null
  }${described ? html` aria-describedby="${described}"` : null}${options.problem ? html` aria-invalid="true"` : null}>
${options.problem ? html`<br><span class="problem" id="${id}-problem">${options.problem}</span>` : null}</p>`;
}

/** The list of a publication's subscribers. */
export function subscribersPage(d: SubscribersPageData): SafeHtml {
  const base = `/newsroom/publications/${d.publication.slug}/subscribers`;
  const { rows, hasOlder, hasNewer } = d.page;
  const total = d.counts.active + d.counts.pending + d.counts.unsubscribed;
  return html`<h1>Subscribers of ${d.publication.name}</h1>
${d.notice ? html`<p class="notice" role="status">${d.notice}</p>` : null}
<p>${total} in all: ${d.counts.active} active, ${d.counts.pending} pending confirmation, ${d.counts.unsubscribed} unsubscribed.
<a href="${base}.csv" download>Export the list as CSV</a> · <a href="/newsroom/publications/${d.publication.slug}/import">Import a CSV file</a></p>
<form method="get" action="${base}" role="search" class="filters">
<p><label for="q">Address or name</label><br><input id="q" name="q" type="search" value="${d.filter.q}"></p>
<p><label for="status">Status</label><br><select id="status" name="status">
<option value=""${d.filter.status === '' ? html` selected` : null}>any</option>
${SUBSCRIPTION_STATUSES.map((s) => html`<option value="${s}"${d.filter.status === s ? html` selected` : null}>${s}</option>`)}
</select></p>
<p><button type="submit">Search</button></p>
</form>
${
  rows.length === 0
    ? html`<p>No subscriber matches.</p>`
    : html`<div class="scroll"><table class="subscribers">
<caption>Subscribers, newest first</caption>
<thead><tr><th scope="col">Address</th><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Source</th><th scope="col">Since</th></tr></thead>
<tbody>
${rows.map(
  (r) => html`<tr><td><a href="${base}/${r.subscriberId}">${r.email}</a></td><td>${r.name ?? ''}</td><td>${r.status}</td><td>${r.source}</td><td>${when(r.createdAt)}</td></tr>`,
)}
</tbody></table></div>`
}
<nav aria-label="Pages" class="pages"><ul>
${hasNewer && rows.length ? html`<li><a href="${pageLink(base, d.filter, 'newer', rows[0]!.subscriptionId)}" rel="prev">Newer</a></li>` : null}
${hasOlder && rows.length ? html`<li><a href="${pageLink(base, d.filter, 'older', rows.at(-1)!.subscriptionId)}" rel="next">Older</a></li>` : null}
</ul></nav>
<section aria-labelledby="add-heading">
<h2 id="add-heading">Add a subscriber by hand</h2>
<p>For a person who gave their consent elsewhere. They are subscribed at once, without a confirmation mail; the consent log keeps its source.</p>
<form method="post" action="${base}">
<input type="hidden" name="${CSRF_FIELD}" value="${d.csrf}">
${field('email', 'Email address', d.add.email, { type: 'email', required: true, problem: d.add.problem?.field === 'email' ? d.add.problem.reason : undefined, autocomplete: 'off' })}
${field('name', 'Name (optional)', d.add.name, { autocomplete: 'off' })}
${field('consentSource', 'Source of their consent', d.add.consentSource, {
  required: true,
  hint: 'Where and how they asked for it: « paper form at the 12 May meetup »',
  problem: d.add.problem?.field === 'consentSource' ? d.add.problem.reason : undefined,
})}
<p><button type="submit">Add the subscriber</button></p>
</form>
</section>`;
}

export interface SubscriberPageData {
  publication: DeskPublication;
  record: SubscriberRecord;
  csrf: string;
  /** The account may erase (an admin of the publication). */
  mayErase: boolean;
  notice?: string;
}

/** One subscriber's page. */
export function subscriberPage(d: SubscriberPageData): SafeHtml {
  const r = d.record;
  const base = `/newsroom/publications/${d.publication.slug}/subscribers/${r.id}`;
  const here = r.subscriptions.find((s) => s.publication_id === d.publication.id);
  return html`<p><a href="/newsroom/publications/${d.publication.slug}/subscribers">← Subscribers of ${d.publication.name}</a></p>
<h1>${r.email}</h1>
${d.notice ? html`<p class="notice" role="status">${d.notice}</p>` : null}
<dl class="facts"><dt>Name</dt><dd>${r.name ?? '—'}</dd><dt>Known since</dt><dd>${when(r.createdAt)}</dd></dl>
<h2>Subscriptions</h2>
<div class="scroll"><table>
<thead><tr><th scope="col">Publication</th><th scope="col">Status</th><th scope="col">Source</th><th scope="col">Since</th><th scope="col">Confirmed</th><th scope="col">Unsubscribed</th></tr></thead>
<tbody>${r.subscriptions.map(
    (s) => html`<tr><td>${s.name}</td><td>${s.status}</td><td>${s.source}</td><td>${when(s.created_at)}</td><td>${when(s.confirmed_at)}</td><td>${when(s.unsubscribed_at)}</td></tr>`,
  )}</tbody></table></div>
<h2>Consent log</h2>
${
  r.consentLog.length === 0
    ? html`<p>Nothing logged.</p>`
    : html`<div class="scroll"><table>
<thead><tr><th scope="col">When</th><th scope="col">Publication</th><th scope="col">What</th><th scope="col">How</th><th scope="col">Details</th></tr></thead>
<tbody>${r.consentLog.map(
        (l) => html`<tr><td>${when(l.at)}</td><td>${l.slug ?? 'all'}</td><td>${l.action}</td><td>${l.method}</td><td>${l.details ? html`<code>${l.details}</code>` : ''}</td></tr>`,
      )}</tbody></table></div>`
}
<h2>Suppressions</h2>
${
  r.suppressions.length === 0
    ? html`<p>The address is on no suppression list.</p>`
    : html`<ul>${r.suppressions.map((s) => html`<li>${s.slug}: ${s.reason}, since ${when(s.created_at)}</li>`)}</ul>`
}
<h2>Sends</h2>
${
  r.deliveries.length === 0
    ? html`<p>No send included them yet.</p>`
    : html`<div class="scroll"><table>
<thead><tr><th scope="col">Send</th><th scope="col">Edition</th><th scope="col">Kind</th><th scope="col">Their message</th><th scope="col">Relay</th><th scope="col">When</th></tr></thead>
<tbody>${r.deliveries.map(
        (x) => html`<tr><td>${x.sendId}</td><td>${x.publicationSlug} ${x.editionDate}</td><td>${x.kind}</td><td>${x.state}</td><td>${x.relayCode ?? '—'}</td><td>${when(x.updatedAt)}</td></tr>`,
      )}</tbody></table></div>`
}
<h2>Actions</h2>
${
  here && here.status !== 'unsubscribed'
    ? html`<form method="post" action="${base}/unsubscribe">
<input type="hidden" name="${CSRF_FIELD}" value="${d.csrf}">
<p><button type="submit">Unsubscribe from ${d.publication.name}</button> <small>(as their own unsubscribe link does: the address is suppressed for this publication)</small></p>
</form>`
    : null
}
<p><a href="${base}/data.json" download>Download everything held on them (JSON)</a></p>
${
  d.mayErase
    ? html`<form method="post" action="${base}/erase">
<input type="hidden" name="${CSRF_FIELD}" value="${d.csrf}">
<fieldset><legend>Erase this person</legend>
<p>Their address and name are removed everywhere, in every publication, and the local outbox's copies of their messages are deleted; only a keyed hash stays on the suppression lists so that no import brings them back. This cannot be undone.</p>
<p><label><input type="checkbox" name="confirm" value="yes" required> I erase ${r.email}</label></p>
<p><button type="submit">Erase for good</button></p>
</fieldset>
</form>`
    : html`<p><small>An admin of ${d.publication.name} can erase this person.</small></p>`
}`;
}
