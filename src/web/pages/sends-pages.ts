// Dashboard page of sends with their progress figures (from delivery's
// progress.ts): counts per state, rate and time left; it refreshes itself
// while a send is running.
import { html, type SafeHtml } from '../html.ts';
import type { SendProgress } from '../../delivery/progress.ts';
import { formatDuration } from '../../delivery/progress.ts';
import type { DeskEdition, DeskPublication } from '../desk.ts';
import { goesOut } from './goes-out.ts';

/** An approved edition that will go out, on the sends page. */
export interface GoingOut {
  edition: DeskEdition;
  publication: DeskPublication;
  at: number;
  /** The form's token when the reader may unschedule it (an editor). */
  unscheduleCsrf?: string;
}

function goingOutList(rows: GoingOut[]): SafeHtml {
  if (rows.length === 0) return html`<h2>Going out</h2><p>No approved edition is scheduled to go out.</p>`;
  return html`<h2>Going out</h2>
<ul class="going-out">${rows.map(
    (r) => html`<li><a href="/newsroom/editions/${r.edition.id}">${r.publication.name} ${r.edition.date}</a>: ${goesOut(
      r.at,
      r.publication,
      r.unscheduleCsrf ? { editionId: r.edition.id, csrf: r.unscheduleCsrf } : undefined,
    )}</li>`,
  )}</ul>`;
}

export interface SendRow {
  progress: SendProgress;
  edition?: DeskEdition;
  publication?: DeskPublication;
}

function when(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** The sends list. */
export function sendsList(rows: SendRow[], goingOut: GoingOut[] = []): SafeHtml {
  if (rows.length === 0) return html`<h1>Sends</h1>${goingOutList(goingOut)}<h2>Sends</h2><p>No send yet. Approve an edition; the scheduler sends it at the publication's time, or run <code>matinale send EDITION_ID --now</code>.</p>`;
  return html`<h1>Sends</h1>
${goingOutList(goingOut)}
<h2>Sends</h2>
<table class="sends">
<thead><tr><th scope="col">Send</th><th scope="col">Edition</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Scheduled for</th><th scope="col">Progress</th><th scope="col">Sent</th><th scope="col">Bounced</th><th scope="col">Failed</th><th scope="col">Suppressed</th><th scope="col">Pending</th><th scope="col">Rate</th><th scope="col">Time left</th></tr></thead>
<tbody>
${rows.map(({ progress: p, edition, publication }) => {
  const c = p.counts;
  return html`<tr>
<td><a href="/newsroom/sends/${p.sendId}">${p.sendId}</a></td>
<td>${edition && publication ? html`<a href="/newsroom/editions/${edition.id}">${publication.name} ${edition.date}</a>` : `edition ${p.editionId}`}</td>
<td>${p.kind}</td>
<td>${p.status}${p.statusReason ? html`<br><small>${p.statusReason}</small>` : null}</td>
<td>${when(p.scheduledFor)}</td>
<td><progress max="${Math.max(1, p.total)}" value="${p.finished}" aria-label="${p.finished} of ${p.total} recipients done"></progress> ${p.finished}/${p.total}</td>
<td>${c.sent}</td><td>${c.bounced}</td><td>${c.failed}</td><td>${c.suppressed}</td><td>${p.remaining}</td>
<td>${p.ratePerSecond === null ? '—' : `${p.ratePerSecond >= 10 ? Math.round(p.ratePerSecond) : p.ratePerSecond.toFixed(1)}/s`}</td>
<td>${p.remaining === 0 ? '—' : p.secondsLeft === null ? '…' : formatDuration(p.secondsLeft)}</td>
</tr>`;
})}
</tbody>
</table>`;
}
