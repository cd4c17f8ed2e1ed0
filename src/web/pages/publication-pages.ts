// Dashboard page of the member's publications: settings that matter every
// morning (language, time zone, schedule), the team, and the audience's size.
import { html, type SafeHtml } from '../html.ts';
import type { DeskPublication } from '../desk.ts';
import type { Role } from '../../edition/publication.ts';
import { scheduleInWords } from '../schedule-words.ts';

export interface PublicationSummary {
  publication: DeskPublication;
  role: Role;
  subscribers: { pending: number; active: number; unsubscribed: number };
  /** The member may open the publication's list of subscribers (an editor of it). */
  mayOpenSubscribers?: boolean;
  /** An admin of it: the settings form is theirs. */
  canEdit: boolean;
}

/** The publications list. */
export function publicationsPage(rows: PublicationSummary[], options: { canCreate: boolean }): SafeHtml {
  return html`<h1>Publications</h1>
${options.canCreate ? html`<p class="actions"><a href="/newsroom/publications/new">New publication</a> · <a href="/newsroom/settings/sending">Sending setup</a></p>` : null}
${rows.map(
  ({ publication: p, role, subscribers, mayOpenSubscribers, canEdit }) => html`<section aria-labelledby="pub-${p.slug}">
<h2 id="pub-${p.slug}">${p.name} <small>(${p.slug}, your role: ${role})</small></h2>
<dl class="facts">
<dt>Language</dt><dd>${p.language}</dd>
<dt>Time zone</dt><dd>${p.settings.timezone}</dd>
<dt>Schedule</dt><dd>${scheduleInWords(p.settings.schedule) ?? html`<code>${p.settings.schedule}</code>`}</dd>
<dt>From</dt><dd>${p.settings.from}</dd>
<dt>Subscribers</dt><dd>${subscribers.active} active, ${subscribers.pending} pending confirmation, ${subscribers.unsubscribed} unsubscribed</dd>
<dt>Team</dt><dd>${p.settings.team.map((m, i) => html`${i ? ', ' : ''}${m.name} (${m.role})`)}</dd>
</dl>
<p>${mayOpenSubscribers ? html`<a href="/newsroom/publications/${p.slug}/subscribers">Subscribers</a> · ` : null}${canEdit ? html`<a href="/newsroom/publications/${p.slug}/settings">Settings</a> · ` : null}<a href="/newsroom/publications/${p.slug}/words">Word list</a> · <a href="/${p.slug}">Public archive</a> · <a href="/${p.slug}/feed.xml">RSS</a></p>
</section>`,
)}`;
}
