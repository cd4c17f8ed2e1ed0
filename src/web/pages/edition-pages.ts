// Dashboard pages about editions: the list, the editor, the versions.
import { diffLines } from 'diff';
import { html, type SafeHtml } from '../html.ts';
import type { Diagnostic } from '../../edition/diagnostic.ts';
import type { DeskEdition, DeskMove, DeskPublication, DeskTransition, DeskVersion } from '../desk.ts';
import type { EditionContext } from '../edition-actions.ts';
import type { EditionPreview } from '../edition-preview.ts';
import { CSRF_FIELD } from '../auth/guard.ts';
import { editionText } from './edition-subject.ts';

const MOVE_LABELS: Record<DeskTransition, string> = {
  ready: 'Mark ready for review',
  approved: 'Approve',
  draft: 'Back to draft',
};

/** A status as a labelled badge. */
export function statusBadge(status: DeskEdition['status']): SafeHtml {
  return html`<span class="status status-${status}">${status}</span>`;
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** The form that starts a new edition. */
function newEditionForm(publications: DeskPublication[], csrf: string, today: string): SafeHtml | null {
  if (publications.length === 0) return null;
  return html`<form method="post" action="/newsroom/editions" class="new-edition">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<label for="new-publication">Publication</label>
<select id="new-publication" name="publication">${publications.map((p) => html`<option value="${p.slug}">${p.name}</option>`)}</select>
<label for="new-date">Date</label>
<input id="new-date" name="date" type="date" required value="${today}">
<button type="submit">Start an edition</button>
</form>`;
}

/** The editions list, with the form to start one. */
export function editionsList(editions: EditionContext[], writable: DeskPublication[], csrf: string, today: string): SafeHtml {
  const form = newEditionForm(writable, csrf, today);
  if (editions.length === 0) return html`<h1>Editions</h1>${form}<p>No edition yet. Start one above, or add one with <code>matinale edition add EDITION.md</code>.</p>`;
  return html`<h1>Editions</h1>
${form}
<table class="editions">
<thead><tr><th scope="col">Date</th><th scope="col">Publication</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col">Version</th><th scope="col">Updated</th></tr></thead>
<tbody>
${editions.map(
  ({ edition, publication }) => html`<tr>
<td><a href="/newsroom/editions/${edition.id}">${edition.date}</a></td>
<td>${publication.name}</td>
<td>${editionText(edition.subject, publication.language)}</td>
<td>${statusBadge(edition.status)}</td>
<td>${edition.currentVersion}</td>
<td>${when(edition.updatedAt)}</td>
</tr>`,
)}
</tbody>
</table>`;
}

/** The list of diagnostics, as the editor shows them (the script rebuilds the same markup). */
export function diagnosticsList(diagnostics: readonly Diagnostic[]): SafeHtml {
  if (diagnostics.length === 0) return html`<li class="ok">No problem found.</li>`;
  return html`${diagnostics.map(
    (d) => html`<li class="${d.severity}"><span class="where">${d.line}:${d.column}</span> <strong>${d.severity}</strong> ${d.message} <code>${d.rule}</code></li>`,
  )}`;
}

/** The editor of one edition: source, live preview, diagnostics, workflow. */
export function editorPage(options: {
  context: EditionContext;
  version: DeskVersion | undefined;
  preview: EditionPreview;
  moves: DeskTransition[];
  csrf: string;
  isPublic: boolean;
  /** May this account send the edition to its list now (an editor, an approved edition)? */
  canSendList: boolean;
  /** Default address of a test send (the account's own). */
  testAddress: string;
  notice?: string;
}): SafeHtml {
  const { edition, publication } = options.context;
  const base = `/newsroom/editions/${edition.id}`;
  return html`<h1>${publication.name} — ${edition.date} ${statusBadge(edition.status)}</h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : null}
<p class="meta">Version ${edition.currentVersion}${options.version ? html`, saved by ${options.version.author} on ${when(options.version.createdAt)}` : null}.
<a href="${base}/versions">Versions and changes</a>${options.isPublic ? html` · <a href="/${publication.slug}/${edition.date}">Public page</a>` : null}</p>
<div class="workspace">
<form method="post" action="${base}/save" class="source" id="editor-form" data-publication="${publication.slug}" data-edition="${edition.id}">
<input type="hidden" name="${CSRF_FIELD}" value="${options.csrf}">
<label for="source">Source (Briefing Markdown)</label>
<textarea id="source" name="source" rows="32" spellcheck="false" lang="${publication.language}">${options.version?.source ?? ''}</textarea>
<p><button type="submit">Save a new version</button> <span id="preview-state" role="status" aria-live="polite"></span></p>
</form>
<section class="preview" aria-labelledby="preview-title">
<h2 id="preview-title">Preview</h2>
<iframe id="preview" title="Preview of the edition's web page" sandbox="allow-same-origin" srcdoc="${options.preview.html ?? ''}"></iframe>
</section>
</div>
<section aria-labelledby="diagnostics-title">
<h2 id="diagnostics-title">Diagnostics</h2>
<ul id="diagnostics" class="diagnostics">${diagnosticsList(options.preview.diagnostics)}</ul>
</section>
<section aria-labelledby="workflow-title">
<h2 id="workflow-title">Workflow</h2>
${
  options.moves.length
    ? html`<div class="moves">${options.moves.map(
        (to) => html`<form method="post" action="${base}/transition">
<input type="hidden" name="${CSRF_FIELD}" value="${options.csrf}">
<button type="submit" name="to" value="${to}">${MOVE_LABELS[to]}</button>
</form>`,
      )}</div>`
    : html`<p>No move available to you while the edition is ${edition.status}.</p>`
}
</section>
<section aria-labelledby="send-title">
<h2 id="send-title">Send</h2>
<form method="post" action="${base}/send" class="moves">
<input type="hidden" name="${CSRF_FIELD}" value="${options.csrf}">
<input type="hidden" name="kind" value="test">
<label for="test-to">Send a test to</label>
<input id="test-to" name="to" type="text" value="${options.testAddress}" required>
<button type="submit">Send the test</button>
</form>
${
  options.canSendList
    ? html`<form method="post" action="${base}/send" class="moves">
<input type="hidden" name="${CSRF_FIELD}" value="${options.csrf}">
<input type="hidden" name="kind" value="list">
<button type="submit">Send to the list now</button>
</form>`
    : html`<p>Once approved, an editor can send it to the list now; otherwise the scheduler sends it at the publication's time.</p>`
}
</section>`;
}

/** Versions of an edition and the line diff between two of them. */
export function versionsPage(context: EditionContext, versions: DeskVersion[], moves: DeskMove[], a?: DeskVersion, b?: DeskVersion): SafeHtml {
  const { edition, publication } = context;
  const options = (selected?: number) =>
    versions.map((v) => html`<option value="${v.number}"${v.number === selected ? html` selected` : null}>${v.number}</option>`);
  let diff: SafeHtml | null = null;
  if (a && b) {
    const parts = diffLines(a.source, b.source);
    diff = html`<h2>Changes from version ${a.number} to version ${b.number}</h2>
<pre class="diff">${parts.map((p) =>
      p.added ? html`<ins>${p.value}</ins>` : p.removed ? html`<del>${p.value}</del>` : html`<span>${p.value}</span>`,
    )}</pre>`;
  }
  return html`<h1>${publication.name} — ${edition.date}: versions</h1>
<p><a href="/newsroom/editions/${edition.id}">Back to the editor</a></p>
<table>
<thead><tr><th scope="col">Version</th><th scope="col">Saved by</th><th scope="col">When</th></tr></thead>
<tbody>${versions.map((v) => html`<tr><td>${v.number}</td><td>${v.author}</td><td>${when(v.createdAt)}</td></tr>`)}</tbody>
</table>
<form method="get" class="compare">
<label for="a">Compare version</label> <select id="a" name="a">${options(a?.number)}</select>
<label for="b">with version</label> <select id="b" name="b">${options(b?.number)}</select>
<button type="submit">Compare</button>
</form>
${diff}
<h2>History</h2>
${
  moves.length
    ? html`<ol class="history">${moves.map((m) => html`<li>${when(m.at)}: ${m.actor} moved it from ${statusBadge(m.from)} to ${statusBadge(m.to)}</li>`)}</ol>`
    : html`<p>It has not moved since it was started as a draft.</p>`
}`;
}
