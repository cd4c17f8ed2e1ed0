// The page of one send: where it went (a test send's addresses), its figures
// per final state, the relay's answers per code, what readers did after it,
// the rate over time, and the pause / resume / cancel buttons for an editor.
// The script (assets/send-page.js) polls GET /api/sends/:id while the send
// may still move and rewrites the parts marked with data-field, the answers
// and the chart from the same JSON.
import { html, type SafeHtml } from '../html.ts';
import { CSRF_FIELD } from '../auth/guard.ts';
import { formatDuration } from '../../delivery/progress.ts';
import { SEND_CONTROLS, type SendControl } from '../../delivery/send-controls.ts';
import type { SendReport } from '../../delivery/send-report.ts';
import type { DeskEdition, DeskPublication } from '../desk.ts';
import { goesOut } from './goes-out.ts';
import { TEXT_SAMPLE } from '../../store/send-report.ts';

const CONTROL_LABELS: Record<SendControl, string> = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel the send' };

const FINAL_STATES = [
  ['sent', 'Submitted', 'accepted by the relay (not the same as delivered)'],
  ['bounced', 'Bounced', "refused by the reader's mailbox; the address is suppressed"],
  ['failed', 'Failed', 'not delivered; a resend sends them again'],
  ['suppressed', 'Suppressed', 'left the list or were suppressed before their turn'],
  ['remaining', 'Waiting', 'still to send, or being sent'],
] as const;

function when(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

function rate(perSecond: number | null): string {
  return perSecond === null ? '—' : `${perSecond >= 10 ? Math.round(perSecond) : perSecond.toFixed(1)}/s`;
}

/** The answers table body (the script builds the same rows). */
function answerRows(report: SendReport): SafeHtml {
  if (report.answers.length === 0) return html`<tr><td colspan="3">No answer from the relay yet.</td></tr>`;
  return html`${report.answers.map(
    (a) => html`<tr><th scope="row">${a.code ?? 'none'}</th><td>${a.count}</td><td><ul class="texts">${a.texts.map((t) => html`<li><code>${t.text}</code> × ${t.count}</li>`)}</ul></td></tr>`,
  )}`;
}

export interface SendPageOptions {
  report: SendReport;
  edition?: DeskEdition;
  publication?: DeskPublication;
  /** The addresses of a test send (where it went). */
  testAddresses?: string[];
  /** May the reader pause, resume and cancel it (an editor of its publication)? */
  mayControl: boolean;
  csrf: string;
  notice?: string;
}

/** The page of one send. */
export function sendPage(o: SendPageOptions): SafeHtml {
  const p = o.report.progress;
  const title = o.edition && o.publication ? `${o.publication.name} ${o.edition.date}` : `edition ${p.editionId}`;
  const base = `/newsroom/sends/${p.sendId}`;
  return html`<div id="send" data-api="/api/sends/${p.sendId}">
<h1>Send ${p.sendId}: ${title} <span class="status" data-field="status">${p.status}</span></h1>
${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : null}
${
  o.testAddresses
    ? html`<p class="where-to">Test send to ${o.testAddresses.join(', ')}, with « [TEST] » in the subject. It went to these addresses only, not to the list.</p>`
    : html`<p class="where-to">${p.kind === 'resend' ? 'Resend of the failed recipients of an earlier send' : 'Send to the list'} of ${title}.</p>`
}
${p.status === 'scheduled' && o.publication ? html`<p>${goesOut(p.scheduledFor, o.publication)}</p>` : null}
<p data-field="reason" class="reason"${p.statusReason ? null : html` hidden`}>${p.statusReason ?? ''}</p>
<p class="meta">Asked by ${o.report.createdBy}. Scheduled for ${when(p.scheduledFor)}; started ${when(p.startedAt)}; finished ${when(p.finishedAt)}.
${o.edition ? html`<a href="/newsroom/editions/${o.edition.id}">Open the edition</a> · ` : null}<a href="/newsroom/sends">All sends</a></p>
${o.mayControl ? controls(o, base) : null}
<section aria-labelledby="progress-title">
<h2 id="progress-title">Progress</h2>
<p><progress data-field="progress" max="${Math.max(1, p.total)}" value="${p.finished}" aria-label="Recipients done"></progress>
<span data-field="done">${p.finished} of ${p.total} recipients done</span> · rate <span data-field="rate">${rate(p.ratePerSecond)}</span> · time left <span data-field="left">${p.remaining === 0 ? '—' : p.secondsLeft === null ? '…' : formatDuration(p.secondsLeft)}</span></p>
<dl class="figures">
${FINAL_STATES.map(
  ([key, label, hint]) => html`<div><dt>${label}</dt><dd><span data-count="${key}">${key === 'remaining' ? p.remaining : p.counts[key]}</span> <small>${hint}</small></dd></div>`,
)}
</dl>
</section>
<section aria-labelledby="rate-title">
<h2 id="rate-title">Sending rate</h2>
<figure class="rate-chart">
<div id="rate-chart" data-slot="${o.report.rate.slotSeconds}"></div>
<figcaption>Final results per second since the start, in slots of <span data-field="slot">${o.report.rate.slotSeconds}</span> s.</figcaption>
</figure>
</section>
<section aria-labelledby="answers-title">
<h2 id="answers-title">The relay's answers</h2>
<p>The last answer to each recipient, by SMTP code: 2xx accepted, 4xx try again later, 5xx refused. The texts are counted among the last ${TEXT_SAMPLE} recipients of each code.</p>
<table class="answers">
<thead><tr><th scope="col">Code</th><th scope="col">Recipients</th><th scope="col">Most frequent texts</th></tr></thead>
<tbody id="answers">${answerRows(o.report)}</tbody>
</table>
</section>
<section aria-labelledby="aftermath-title">
<h2 id="aftermath-title">What readers did</h2>
<dl class="figures">
<div><dt>Bounces</dt><dd><span data-after="bounces">${o.report.aftermath.bounces}</span></dd></div>
<div><dt>Unsubscribes</dt><dd><span data-after="unsubscribes">${o.report.aftermath.unsubscribes}</span> <small>by recipients, from its start until the next send</small></dd></div>
<div><dt>Complaints</dt><dd><span data-after="complaints">${o.report.aftermath.complaints}</span> <small>marked as spam (feedback loops)</small></dd></div>
</dl>
</section>
</div>`;
}

function controls(o: SendPageOptions, base: string): SafeHtml {
  const allowed = new Set(o.report.controls);
  return html`<div class="moves controls">${SEND_CONTROLS.map(
    (c) => html`<form method="post" action="${base}/control" data-control="${c}"${allowed.has(c) ? null : html` hidden`}>
<input type="hidden" name="${CSRF_FIELD}" value="${o.csrf}">
<button type="submit" name="action" value="${c}">${CONTROL_LABELS[c]}</button>
</form>`,
  )}</div>`;
}
