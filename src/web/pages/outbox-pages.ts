// Dashboard pages of the local outbox: the list of kept messages and one
// message as its reader would see it (HTML in a sandboxed frame), with its
// text part and raw source.
import { html, type SafeHtml } from '../html.ts';
import type { OutboxItem } from '../outbox-reader.ts';
import type { ReadableMessage } from '../outbox-message.ts';

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

/** The outbox list. */
export function outboxList(items: OutboxItem[], total: number, relays: number): SafeHtml {
  const note = relays
    ? html`<p>Mail goes to ${relays} SMTP relay(s); the outbox only holds what was kept before a relay was set.</p>`
    : html`<p>No SMTP relay is set (<code>SMTP_URL</code>): every message is kept here instead of being sent.</p>`;
  if (items.length === 0) return html`<h1>Outbox</h1>${note}<p>The outbox is empty.</p>`;
  return html`<h1>Outbox</h1>
${note}
<p>${total > items.length ? `The newest ${items.length} of ${total} messages.` : `${total} message(s).`}</p>
<table>
<thead><tr><th scope="col">When</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Size</th></tr></thead>
<tbody>
${items.map(
  (m) => html`<tr><td>${when(m.at)}</td><td>${m.to}</td><td><a href="/newsroom/outbox/${m.file}">${m.subject || '(no subject)'}</a></td><td>${Math.ceil(m.bytes / 1024)} KB</td></tr>`,
)}
</tbody>
</table>`;
}

const SHOWN_HEADERS = ['from', 'to', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post', 'list-id', 'dkim-signature'];

/** One message of the outbox. */
export function outboxMessagePage(file: string, raw: string, message: ReadableMessage): SafeHtml {
  return html`<h1>${message.headers.get('subject') || '(no subject)'}</h1>
<p><a href="/newsroom/outbox">Back to the outbox</a> · <code>${file}</code></p>
<table class="headers">
<tbody>${SHOWN_HEADERS.filter((h) => message.headers.has(h)).map((h) => html`<tr><th scope="row">${h}</th><td>${message.headers.get(h)}</td></tr>`)}</tbody>
</table>
${message.html !== undefined ? html`<h2>As the reader sees it</h2><iframe class="mail" title="The message's HTML part" sandbox srcdoc="${message.html}"></iframe>` : null}
${message.text !== undefined ? html`<h2>Plain text part</h2><pre class="message">${message.text}</pre>` : null}
<details><summary>Raw message</summary><pre class="message">${raw}</pre></details>`;
}
