// The newsroom's pages of the tip line: the list of tips (day, publication,
// size, replied), one tip's parts as OpenPGP files to download and decrypt
// with the member's own tools, the reply and delete forms, and the member's
// own key.
import { html, type SafeHtml } from '../html.ts';
import { CSRF_FIELD } from '../auth/guard.ts';
import type { TipPart, TipSummary } from '../../store/tips.ts';
import type { DeskMember } from '../../tips/desk.ts';

function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const KIND_LABEL: Record<TipPart['kind'], string> = { message: 'Message', attachment: 'File', 'follow-up': 'Follow-up from the source', reply: 'Reply of the newsroom' };

/** The tips list, newest first. */
export function tipsList(tips: Array<TipSummary & { publication: string }>, retention: Array<{ name: string; days: number }>): SafeHtml {
  const kept = html`<p>Tips are deleted after ${retention.map((r, i) => html`${i ? ', ' : ''}${r.days} days (${r.name})`)} (the publication’s <code>tipRetentionDays</code>).</p>`;
  if (tips.length === 0) return html`<h1>Tips</h1>${kept}<p>No tip.</p>`;
  return html`<h1>Tips</h1>
${kept}
<table>
<thead><tr><th scope="col">Day</th><th scope="col">Publication</th><th scope="col">Size</th><th scope="col">Replied</th></tr></thead>
<tbody>
${tips.map((t) => html`<tr><td><a href="/newsroom/tips/${t.id}">${t.day}</a></td><td>${t.publication}</td><td>${size(t.size)}</td><td>${t.replied ? 'yes' : 'no'}</td></tr>`)}
</tbody>
</table>`;
}

/** One tip: its parts as files, the reply form, the delete form. */
export function tipPage(tip: TipSummary & { publication: string }, parts: TipPart[], csrf: string, desk: DeskMember[]): SafeHtml {
  return html`<h1>Tip of ${tip.day} for ${tip.publication}</h1>
<p><a href="/newsroom/tips">Back to the tips</a></p>
<p>Each part is an OpenPGP message encrypted to the tips desk. Download it and decrypt it on your own machine,
for instance <code>gpg --decrypt --use-embedded-filename tip-${tip.id}-2.asc</code> (a file keeps its name inside the encryption).</p>
<table>
<thead><tr><th scope="col">Part</th><th scope="col">Day</th><th scope="col">Size</th><th scope="col">File</th></tr></thead>
<tbody>
${parts.map(
  (p, i) =>
    html`<tr><td>${KIND_LABEL[p.kind]}</td><td>${p.day}</td><td>${size(p.size)}</td><td><a class="tip-part" data-kind="${KIND_LABEL[p.kind]}" href="/newsroom/tips/${tip.id}/parts/${p.id}" download="tip-${tip.id}-${i + 1}.asc">tip-${tip.id}-${i + 1}.asc</a></td></tr>`,
)}
</tbody>
</table>
<h2>Open it here</h2>
<p>With JavaScript, this page can decrypt the tip with your private key: the key and its passphrase stay in this page and are never sent.</p>
<form id="open-tip">
<p><label for="private-key">Your private key, ASCII-armoured</label><br><textarea id="private-key" name="private-key" rows="6" cols="70" autocomplete="off" spellcheck="false"></textarea></p>
<p><label for="passphrase">Its passphrase</label><br><input id="passphrase" name="passphrase" type="password" autocomplete="off"></p>
<p><button type="submit">Open the tip here</button></p>
</form>
<div id="opened" aria-live="polite"></div>
<h2>Reply</h2>
<p>Only the holder of the receipt code can read it (and the desk: ${desk.filter((m) => m.key).map((m, i) => html`${i ? ', ' : ''}${m.name}`)}).
Say nothing that would harm the source if their device were seized.</p>
<form method="post" action="/newsroom/tips/${tip.id}/reply">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<p><label for="reply">Your reply</label><br><textarea id="reply" name="text" rows="8" cols="70" required></textarea></p>
<p><button type="submit">Encrypt and send the reply</button></p>
</form>
<h2>Delete</h2>
<form method="post" action="/newsroom/tips/${tip.id}/delete">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<p>Deletes every part of this tip and its replies from the database, now. The source’s code then opens nothing.</p>
<p><button type="submit">Delete this tip</button></p>
</form>`;
}

/** The member's OpenPGP key: what is set, and the form to set another. */
export function keyPage(current: { fingerprint?: string; problem?: string }, csrf: string, error?: string): SafeHtml {
  return html`<h1>Your OpenPGP key</h1>
<p>Tips are encrypted to the public keys of the tips desk of each publication (its <code>tipsDesk</code>, or its editors and admins).</p>
${current.fingerprint ? html`<p>Your key: <code class="fingerprint">${current.fingerprint}</code></p>` : null}
${current.problem ? html`<p role="alert" class="error">Your key cannot be used: ${current.problem}</p>` : null}
${!current.fingerprint && !current.problem ? html`<p>You have no key yet: no tip is encrypted to you.</p>` : null}
${error ? html`<p role="alert" class="error">${error}</p>` : null}
<form method="post" action="/newsroom/key">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<p><label for="key">Your public key, ASCII-armoured (<code>gpg --armor --export you@example.org</code>)</label><br><textarea id="key" name="key" rows="12" cols="70" required></textarea></p>
<p><button type="submit">Set this key</button></p>
</form>`;
}
