// The sending setup page: the relays in use (never a password), DKIM, and the
// DNS records to publish, each ready to copy, with the result of the last
// check against the DNS when one was asked for.
import { html, type SafeHtml } from '../html.ts';
import { CSRF_FIELD } from '../auth/guard.ts';
import { zoneFileValue, type CheckStatus, type DnsRecord, type RecordCheck } from '../../delivery/dns-records.ts';

/** One relay as the page shows it: what the URL says, the password left out. */
export interface RelayView {
  address: string;
  security: string;
  user?: string;
  limits: string;
  /** The URL does not read (the message never holds the password). */
  problem?: string;
}

export interface SendingSetupView {
  relays: RelayView[];
  outboxDir: string;
  dkim?: { domain: string; selector: string };
  /** The DKIM key does not read. */
  dkimProblem?: string;
  mailDomain: string;
  records: DnsRecord[];
  checks?: RecordCheck[];
  csrf: string;
}

const STATUS_TEXT: Record<CheckStatus, string> = {
  ok: 'Published',
  missing: 'Not found',
  different: 'Different',
  unresolved: 'Not checked',
};

/** The page's body. */
export function sendingSetupPage(v: SendingSetupView): SafeHtml {
  const checkOf = (r: DnsRecord) => v.checks?.find((c) => c.record.name === r.name && c.record.purpose === r.purpose);
  return html`<h1>Sending setup</h1>
<section aria-labelledby="relays-title">
<h2 id="relays-title">Relays</h2>
${v.relays.length
  ? html`<ul class="relays">${v.relays.map(
      (r) => html`<li><strong>${r.address}</strong>${r.problem ? html` — <span class="problem">${r.problem}</span>` : html` — ${r.security}${r.user ? html`, signs in as <code>${r.user}</code>` : null}; ${r.limits}`}</li>`,
    )}</ul>
<p class="muted">From SMTP_URL. Passwords are never shown.</p>`
  : html`<p>No relay: every message is kept in the local outbox (<code>${v.outboxDir}</code>). Set SMTP_URL to send through a relay.</p>`}
</section>
<section aria-labelledby="dkim-title">
<h2 id="dkim-title">DKIM</h2>
${v.dkim
  ? html`<dl class="facts"><dt>Domain</dt><dd><code>${v.dkim.domain}</code></dd><dt>Selector</dt><dd><code>${v.dkim.selector}</code></dd></dl>`
  : html`<p>Messages are not signed: set DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE (an RSA key of 2048 bits or more).</p>`}
${v.dkimProblem ? html`<p class="problem">${v.dkimProblem}</p>` : null}
<p>Return path and mail domain: <code>${v.mailDomain}</code></p>
</section>
<section aria-labelledby="dns-title">
<h2 id="dns-title">DNS records to publish</h2>
${v.records.map((r, i) => {
  const check = checkOf(r);
  return html`<article class="dns-record" aria-labelledby="rec-${i}">
<h3 id="rec-${i}">${r.purpose} <small class="muted">${r.type}</small>${check ? html` <span class="check check-${check.status}">${STATUS_TEXT[check.status]}</span>` : null}</h3>
<p><label for="rec-${i}-name">Name</label><input id="rec-${i}-name" class="copy" type="text" readonly value="${r.name}"></p>
<p><label for="rec-${i}-value">Value</label><textarea id="rec-${i}-value" class="copy" readonly rows="${r.value.length > 120 ? 4 : 2}">${r.value}</textarea></p>
${r.value.length > 255 ? html`<p><label for="rec-${i}-zone">In a zone file (strings of 255 characters at most)</label><textarea id="rec-${i}-zone" class="copy" readonly rows="4">${r.name}. IN TXT ( ${zoneFileValue(r.value)} )</textarea></p>` : null}
<p class="muted">${r.note}</p>
${check && check.status !== 'ok'
  ? html`<p class="problem">${check.detail ?? 'No such record in the DNS yet.'}</p>${check.found.length ? html`<p>The DNS holds:</p><ul class="found">${check.found.map((f) => html`<li><code>${f}</code></li>`)}</ul>` : null}`
  : null}
</article>`;
})}
<form method="post" action="/newsroom/settings/sending/check">
<input type="hidden" name="${CSRF_FIELD}" value="${v.csrf}">
<p><button type="submit">Check these records in the DNS</button> <span class="muted">asks the DNS resolvers of this machine</span></p>
</form>
</section>`;
}
