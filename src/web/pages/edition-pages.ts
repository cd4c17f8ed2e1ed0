// Dashboard pages about editions: the list, the editor, the versions.
import { wordListPath } from './word-list-pages.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Diagnostic } from '../../edition/diagnostic.ts';
import type { DeskEdition, DeskMove, DeskPublication, DeskTransition, DeskVersion } from '../desk.ts';
import type { EditionContext } from '../edition-actions.ts';
import type { EditionPreview } from '../edition-preview.ts';
import { CSRF_FIELD } from '../auth/guard.ts';
import { approveControl, diagnosticItems, unsavedOffer, lineDiff, previewPanel, restoreForm, approveForm, type PreviewView } from './editor-parts.ts';
import type { DeskUnsavedText } from '../desk.ts';
import type { EditionSchedule } from '../edition-schedule.ts';
import { goesOut } from './goes-out.ts';
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

/** The answer to starting an edition for a date that has one: it says so and leads to it. */
export function editionExistsPage(edition: DeskEdition, publication: DeskPublication): SafeHtml {
  return html`<h1>${publication.name} already has an edition for ${edition.date}</h1>
<p class="notice" role="status">It is ${statusBadge(edition.status)}, at version ${edition.currentVersion}${edition.subject ? html`: ${editionText(edition.subject, publication.language)}` : null}. Nothing new was started.</p>
<p><a class="button" href="/newsroom/editions/${edition.id}">Open the edition of ${edition.date}</a> · <a href="/newsroom">Back to the editions</a></p>`;
}

/** The editions list, with the form to start one. */
export function editionsList(editions: EditionContext[], writable: DeskPublication[], csrf: string, today: string, schedules?: Map<number, EditionSchedule>): SafeHtml {
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
<td>${statusBadge(edition.status)}${schedules?.get(edition.id)?.at === undefined ? null : html`<br>${goesOut(schedules.get(edition.id)!.at, publication)}`}</td>
<td>${edition.currentVersion}</td>
<td>${when(edition.updatedAt)}</td>
</tr>`,
)}
</tbody>
</table>`;
}

/** The list of diagnostics, as the editor shows them (the script rebuilds the same markup). */
export function diagnosticsList(diagnostics: readonly Diagnostic[], learn?: { slug: string; csrf: string; back: string }): SafeHtml {
  return diagnosticItems(diagnostics, learn);
}

/** What lint could not check (grammar without its checker…), as the editor shows it (editor.js builds the same markup). */
export function lintNotes(notes: readonly string[]): SafeHtml {
  return html`${notes.map((note) => html`<p class="muted lint-note">Note: ${note}</p>`)}`;
}

/** The editor of one edition: source, live preview, diagnostics, workflow. */
export function editorPage(options: {
  context: EditionContext;
  version: DeskVersion | undefined;
  preview: EditionPreview;
  moves: DeskTransition[];
  csrf: string;
  isPublic: boolean;
  /** The send part (pages/send-panel.ts): tests, the list send, when it goes out. */
  sendPanel: SafeHtml;
  notice?: string;
  /** Which rendering the preview shows first. */
  view: PreviewView;
  /** The edition can take no new version (being sent, or sent): no save offered. */
  locked: boolean;
  /** The person's unsaved text left from an earlier visit, to offer back (when it differs from the version shown). */
  unsaved?: DeskUnsavedText;
  /** The text in the editor is that unsaved text (`?unsaved=1`), started from this version. */
  editing?: { source: string; baseVersion: number };
  /** The version the edition stood at when marked ready, and whether versions were saved since. */
  readyVersion?: number | null;
  changedSinceReady: boolean;
  /** The saved version has errors (moves are judged on it, even while the editor holds unsaved text). */
  savedHasErrors: boolean;
}): SafeHtml {
  const { edition, publication } = options.context;
  const base = `/newsroom/editions/${edition.id}`;
  const source = options.editing?.source ?? options.version?.source ?? '';
  const baseVersion = options.editing?.baseVersion ?? edition.currentVersion;
  return html`<h1>${publication.name} — ${edition.date} ${statusBadge(edition.status)}</h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : null}
${options.unsaved && !options.editing ? unsavedOffer(base, options.unsaved, options.csrf) : null}
${
  options.editing
    ? html`<p class="notice" role="status">The editor holds your unsaved text, started from version ${options.editing.baseVersion}${
        options.editing.baseVersion < edition.currentVersion ? html`; version ${edition.currentVersion} was saved since: saving will show you both changes first` : null
      }.</p>`
    : null
}
<p class="meta">Version ${edition.currentVersion}${options.version ? html`, saved by ${options.version.author} on ${when(options.version.createdAt)}` : null}.
<a href="${base}/versions">Versions and changes</a>${options.isPublic ? html` · <a href="/${publication.slug}/${edition.date}">Public page</a>` : null}</p>
${options.locked ? html`<p class="notice" role="status">This edition is ${edition.status}: it can no longer change. Its text is shown as it went out.</p>` : null}
<div class="workspace">
<form method="post" action="${base}/save" class="source" id="editor-form" data-publication="${publication.slug}" data-edition="${edition.id}"${options.locked ? html` data-locked="true"` : null}>
<input type="hidden" name="${CSRF_FIELD}" value="${options.csrf}">
<input type="hidden" name="base" value="${baseVersion}">
<label for="source">Source (Briefing Markdown)</label>
<textarea id="source" name="source" rows="32" spellcheck="false" lang="${publication.language}"${options.locked ? html` readonly` : null}>${source}</textarea>
<p>${options.locked ? null : html`<button type="submit">Save a new version</button> `}<span id="preview-state" role="status" aria-live="polite"></span></p>
</form>
${previewPanel(options.preview, options.view)}
</div>
<section aria-labelledby="diagnostics-title">
<h2 id="diagnostics-title">Diagnostics</h2>
<ul id="diagnostics" class="diagnostics">${diagnosticsList(options.preview.diagnostics, { slug: publication.slug, csrf: options.csrf, back: base })}</ul>
<div id="lint-notes">${lintNotes(options.preview.notes ?? [])}</div>
<p>Unknown words are checked against the dictionary and <a href="${wordListPath(publication.slug)}">the word list of ${publication.name}</a>; a likely name is shown as <em>info</em>.</p>
</section>
<section aria-labelledby="workflow-title">
<h2 id="workflow-title">Workflow</h2>
${options.savedHasErrors && !options.locked ? html`<p>The edition has errors: fix them before it can be marked ready or approved.</p>` : null}
${
  options.moves.length
    ? html`<div class="moves">${options.moves.map((to) =>
        to === 'approved'
          ? approveControl({ base, csrf: options.csrf, version: edition.currentVersion, readyVersion: options.readyVersion, changedSinceReady: options.changedSinceReady })
          : html`<form method="post" action="${base}/transition">
<input type="hidden" name="${CSRF_FIELD}" value="${options.csrf}">
<button type="submit" name="to" value="${to}">${MOVE_LABELS[to]}</button>
</form>`,
      )}</div>`
    : html`<p>No move available to you while the edition is ${edition.status}${options.savedHasErrors ? ' and has errors' : ''}.</p>`
}
</section>
${options.sendPanel}`;
}

/**
 * Versions of an edition and the line diff between two of them; a way to
 * restore each earlier version (`canRestore`), and the approval of the latest
 * after a look at its changes (`canApprove`, when it compares with the latest).
 */
export function versionsPage(
  context: EditionContext,
  versions: DeskVersion[],
  moves: DeskMove[],
  a?: DeskVersion,
  b?: DeskVersion,
  may: { restore?: boolean; approve?: boolean; csrf?: string } = {},
): SafeHtml {
  const { edition, publication } = context;
  const path = `/newsroom/editions/${edition.id}`;
  const csrf = may.csrf ?? '';
  const options = (selected?: number) =>
    versions.map((v) => html`<option value="${v.number}"${v.number === selected ? html` selected` : null}>${v.number}</option>`);
  let diff: SafeHtml | null = null;
  if (a && b) {
    const approval =
      may.approve && b.number === edition.currentVersion && a.number !== b.number
        ? html`<p>These are the changes since version ${a.number}. ${approveForm(path, csrf, b.number, `Approve version ${b.number}, with these changes`)}</p>`
        : null;
    diff = html`<h2>Changes from version ${a.number} to version ${b.number}</h2>
${lineDiff(a.source, b.source)}
${approval}`;
  }
  return html`<h1>${publication.name} — ${edition.date}: versions</h1>
<p><a href="${path}">Back to the editor</a></p>
<table class="versions">
<thead><tr><th scope="col">Version</th><th scope="col">Saved by</th><th scope="col">When</th>${may.restore ? html`<th scope="col">Restore</th>` : null}</tr></thead>
<tbody>${versions.map(
    (v) =>
      html`<tr><td>${v.number}</td><td>${v.author}</td><td>${when(v.createdAt)}</td>${
        may.restore ? html`<td>${v.number === edition.currentVersion ? html`current` : restoreForm(path, csrf, v.number, edition.currentVersion)}</td>` : null
      }</tr>`,
  )}</tbody>
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
