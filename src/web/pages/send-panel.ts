// The « Send » part of the editor, and the confirmation page a send to the
// list goes through: how many readers right now, the subject, the sender, the
// edition's date against today in the publication's time zone, and when.
import { html, type SafeHtml } from '../html.ts';
import { CSRF_FIELD } from '../auth/guard.ts';
import type { ListSendFacts } from '../../delivery/send-confirmation.ts';
import type { DeskEdition, DeskPublication } from '../desk.ts';
import { goesOut, wallTime } from './goes-out.ts';

export interface SendPanelOptions {
  edition: DeskEdition;
  publication: DeskPublication;
  csrf: string;
  /** Default address of a test send (the account's own). */
  testAddress: string;
  /** May this account send to the list (an editor of the publication)? */
  isEditor: boolean;
  /** When the edition goes out, if it will. */
  goesOutAt?: number;
  /** The edition's list send, if it has one (its page). */
  listSendId?: number;
  /** Today's date and time in the publication's time zone (`YYYY-MM-DDTHH:MM`), the picker's default and minimum. */
  localNow: string;
}

/** The send part of the editor: a test send, the list send (now or at a time, through the confirmation), when it goes out. */
export function sendPanel(o: SendPanelOptions): SafeHtml {
  const base = `/newsroom/editions/${o.edition.id}`;
  const tz = o.publication.settings.timezone;
  const scheduled = o.goesOutAt !== undefined;
  return html`<section aria-labelledby="send-title">
<h2 id="send-title">Send</h2>
<form method="post" action="${base}/send" class="moves">
<input type="hidden" name="${CSRF_FIELD}" value="${o.csrf}">
<input type="hidden" name="kind" value="test">
<label for="test-to">Send a test to</label>
<input id="test-to" name="to" type="text" value="${o.testAddress}" required>
<button type="submit">Send the test</button>
</form>
${scheduled ? html`<p class="scheduled">${goesOut(o.goesOutAt, o.publication, o.isEditor ? { editionId: o.edition.id, csrf: o.csrf } : undefined)}</p>` : null}
${o.listSendId !== undefined ? html`<p><a href="/newsroom/sends/${o.listSendId}">The send to the list</a></p>` : null}
${
  o.isEditor && o.edition.status === 'approved'
    ? html`<form method="get" action="${base}/send/confirm" class="send-list">
<fieldset>
<legend>Send to the list</legend>
<p><input type="radio" id="when-now" name="when" value="now" checked> <label for="when-now">Now</label></p>
<p><input type="radio" id="when-at" name="when" value="at"> <label for="when-at">At a time, in ${tz}</label>
<input type="datetime-local" id="send-at" name="at" aria-label="Date and time of the send, in ${tz}" min="${o.localNow}" value="${o.localNow}"></p>
<button type="submit">Review and confirm…</button>
</fieldset>
</form>`
    : o.edition.status === 'approved' || scheduled
      ? html`<p>Only an editor of ${o.publication.name} sends an edition to its list.</p>`
      : html`<p>Once approved, an editor sends it to the list now or at a chosen time; otherwise the scheduler sends it at the publication's time.</p>`
}
</section>`;
}

/** The confirmation of a send to the list: the facts, warnings, and the one button that starts it. */
export function sendConfirmPage(o: { facts: ListSendFacts; at: number | null; token: string; csrf: string; goingOutDay: string }): SafeHtml {
  const f = o.facts;
  const base = `/newsroom/editions/${f.editionId}`;
  const whenText = o.at === null ? 'now' : `${wallTime(o.at, 'en', f.timezone)} (${f.timezone})`;
  const dayWarning =
    f.editionDate === o.goingOutDay
      ? null
      : html`<p class="warning" role="alert"><strong>Check the date:</strong> this is the edition of ${f.editionDate}, and it would go out on ${o.goingOutDay}${
          o.at === null ? html` (today in ${f.timezone})` : null
        }: ${f.editionDate < o.goingOutDay ? 'its day has passed' : 'its day has not come yet'}.</p>`;
  return html`<h1>Send ${f.publicationName} ${f.editionDate} to the list?</h1>
${dayWarning}
${f.subject === null ? html`<p class="warning" role="alert">The edition does not parse: it cannot be sent until its errors are fixed.</p>` : null}
${f.recipients === 0 ? html`<p class="warning" role="alert">Nobody is on the list right now: the send would mail no one.</p>` : null}
<dl class="confirm">
<div><dt>Recipients</dt><dd><strong data-field="recipients">${f.recipients}</strong> active subscribers right now (the list is taken when the send starts)</dd></div>
<div><dt>Subject</dt><dd lang="${f.language}">${f.subject ?? '—'}</dd></div>
<div><dt>Edition's date</dt><dd>${f.editionDate}; today in ${f.timezone} is ${f.today}</dd></div>
<div><dt>Sender</dt><dd>${f.from}${f.replyTo ? html` (replies to ${f.replyTo})` : null}</dd></div>
<div><dt>When</dt><dd>${whenText}</dd></div>
<div><dt>Version</dt><dd>${f.version}</dd></div>
</dl>
<form method="post" action="${base}/send" class="moves">
<input type="hidden" name="${CSRF_FIELD}" value="${o.csrf}">
<input type="hidden" name="kind" value="list">
<input type="hidden" name="confirmation" value="${o.token}">
<button type="submit">${o.at === null ? `Send to ${f.recipients} readers now` : `Schedule for ${f.recipients} readers`}</button>
<a href="${base}">Back to the edition</a>
</form>`;
}
