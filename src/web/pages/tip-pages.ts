// The source's pages of the tip line: the form, the receipt with its code,
// the thread a code opens. Plain HTML forms that work without JavaScript,
// in the publication's language, loading nothing from anywhere else.
import { html, type SafeHtml } from '../html.ts';
import { page } from './layout.ts';
import { tipStrings } from './tip-strings.ts';
import { TIP_UPLOAD_LIMIT } from '../tip-upload.ts';

export interface TipPageContext {
  slug: string;
  name: string;
  language: string;
}

/** What the form's script needs to seal a tip in the browser: the desk's public keys and a proof-of-work challenge. */
export interface BrowserSealing {
  keys: string[];
  challenge: string;
}

function shell(c: TipPageContext, title: string, body: SafeHtml, sealing?: BrowserSealing): string {
  // The script (assets/tip-form.js, with OpenPGP.js from this origin) seals in the browser; without it the form posts as is.
  const script = sealing ? html`\n<script type="module" src="/assets/tip-form.js"></script>` : null;
  return page({ title, lang: c.language, body: html`<main class="narrow tips">${body}</main>`, head: html`<meta name="referrer" content="no-referrer">${script}` });
}

/** The form's data for the script, when it may seal in the browser. */
function sealingAttributes(c: TipPageContext, sealing: BrowserSealing | undefined): SafeHtml | null {
  if (!sealing) return null;
  const s = tipStrings(c.language);
  return html` data-keys="${JSON.stringify(sealing.keys)}" data-challenge="${sealing.challenge}" data-working="${s.working}" data-failed="${s.sealFailed}"`;
}

function alert(text: string | undefined): SafeHtml | null {
  return text ? html`<p role="alert" class="error">${text}</p>` : null;
}

function uploadFields(c: TipPageContext, id: string): SafeHtml {
  const s = tipStrings(c.language);
  return html`<p><label for="${id}-message">${s.messageLabel}</label><br><textarea id="${id}-message" name="message" rows="10" cols="60"></textarea></p>
<p><label for="${id}-files">${s.filesLabel}</label><br><input id="${id}-files" name="files" type="file" multiple aria-describedby="${id}-limit" data-limit="${TIP_UPLOAD_LIMIT}"></p>
<p id="${id}-limit">${s.limit}</p>`;
}

/** The code form, to come back to a tip. */
function codeForm(c: TipPageContext): SafeHtml {
  const s = tipStrings(c.language);
  return html`<section aria-labelledby="code-title">
<h2 id="code-title">${s.haveCode}</h2>
<form method="post" action="/${c.slug}/tips/thread">
<p><label for="code">${s.codeLabel}</label><br><input id="code" name="code" type="text" size="60" autocomplete="off" autocapitalize="none" spellcheck="false" required></p>
<p><button type="submit">${s.read}</button></p>
</form>
</section>`;
}

/** The tip form (or the closed notice), with an error from a refused post. */
export function tipFormPage(c: TipPageContext, open: boolean, error?: string, sealing?: BrowserSealing): string {
  const s = tipStrings(c.language);
  const form = open
    ? html`<form method="post" action="/${c.slug}/tips" enctype="multipart/form-data" class="tip-form"${sealingAttributes(c, sealing)}>
${uploadFields(c, 'tip')}
<p><button type="submit">${s.send}</button></p>
<p class="tip-status" role="status" aria-live="polite"></p>
</form>`
    : html`<p class="closed"><strong>${s.closed}</strong></p>`;
  return shell(
    c,
    s.title(c.name),
    html`<h1>${s.title(c.name)}</h1>
<p>${s.intro}</p>
<ul>${s.protections.map((p) => html`<li>${p}</li>`)}</ul>
${alert(error)}
${form}
${codeForm(c)}`,
    sealing,
  );
}

/** After a tip: the receipt code, shown once. */
export function receiptPage(c: TipPageContext, code: string): string {
  const s = tipStrings(c.language);
  return shell(
    c,
    s.receivedTitle,
    html`<h1>${s.receivedTitle}</h1>
<p>${s.receivedText}</p>
<p class="receipt-code"><code id="receipt-code">${code}</code></p>
<p>${s.keepCode}</p>
${codeForm(c)}`,
  );
}

/** What a code opens: the replies (none for a code that opens nothing), and a form to add to the tip. */
export function threadPage(c: TipPageContext, code: string, replies: string[], notice?: string, sealing?: BrowserSealing): string {
  const s = tipStrings(c.language);
  const list = replies.length
    ? html`<ol class="replies">${replies.map((r) => html`<li>${r.split(/\n{2,}/).map((para) => html`<p>${para.split('\n').map((line, i) => html`${i ? html`<br>` : null}${line}`)}</p>`)}</li>`)}</ol>`
    : html`<p>${s.noReply}</p>`;
  return shell(
    c,
    s.repliesTitle,
    html`<h1>${s.repliesTitle}</h1>
${notice ? html`<p role="status">${notice}</p>` : null}
${list}
<section aria-labelledby="add-title">
<h2 id="add-title">${s.addTitle}</h2>
<form method="post" action="/${c.slug}/tips/add" enctype="multipart/form-data" class="tip-form"${sealingAttributes(c, sealing)}>
<input type="hidden" name="code" value="${code}">
${uploadFields(c, 'add')}
<p><button type="submit">${s.add}</button></p>
<p class="tip-status" role="status" aria-live="polite"></p>
</form>
</section>`,
    sealing,
  );
}

/** A refused code or upload on the code form's page. */
export function codeProblemPage(c: TipPageContext, error: string): string {
  const s = tipStrings(c.language);
  return shell(
    c,
    s.title(c.name),
    html`<h1>${s.title(c.name)}</h1>
${alert(error)}
${codeForm(c)}
<p><a href="/${c.slug}/tips">${s.back}</a></p>`,
  );
}
