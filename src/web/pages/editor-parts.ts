// Parts of the editor that keep work from being lost or approved unseen: the
// switchable preview (email at 600 and 375 px, plain text, web page), the
// diagnostics that jump to their place in the source, the offer of a person's
// unsaved text, the page of a refused save (the other person's change shown
// beside one's own), and the approval of one named version.
import { diffLines } from 'diff';
import { html, type SafeHtml } from '../html.ts';
import type { Diagnostic } from '../../edition/diagnostic.ts';
import type { DeskUnsavedText, DeskVersion } from '../desk.ts';
import type { EditionContext } from '../edition-actions.ts';
import type { EditionPreview } from '../edition-preview.ts';
import { CSRF_FIELD } from '../auth/guard.ts';
import { escapeHtml } from '../../render/html-escape.ts';
import { learnWordForm } from './word-list-pages.ts';

/** The ways the editor previews an edition, as readers get it. */
export const PREVIEW_VIEWS = [
  { id: 'email-desktop', label: 'Email, 600 px' },
  { id: 'email-phone', label: 'Email, 375 px' },
  { id: 'text', label: 'Plain text' },
  { id: 'web', label: 'Web page' },
] as const;
export type PreviewView = (typeof PREVIEW_VIEWS)[number]['id'];

/** The view asked for in the address (`?view=`), the desktop email otherwise. */
export function previewView(asked: unknown): PreviewView {
  return PREVIEW_VIEWS.find((v) => v.id === asked)?.id ?? 'email-desktop';
}

/** The document the preview frame shows for a view (the script builds the same: editor.js). */
export function previewDocument(preview: EditionPreview, view: PreviewView): string {
  if (view === 'web') return preview.html ?? '';
  if (view === 'text') {
    return preview.text === undefined
      ? ''
      : `<!doctype html><meta charset="utf-8"><title>Plain text</title><pre style="white-space:pre-wrap;font:13px/1.5 monospace;margin:1rem">${escapeHtml(preview.text)}</pre>`;
  }
  return preview.email ?? '';
}

/** The preview beside the source: one link per view (the script switches without reloading), and the frame. */
export function previewPanel(preview: EditionPreview, view: PreviewView): SafeHtml {
  const label = PREVIEW_VIEWS.find((v) => v.id === view)!.label;
  return html`<section class="preview" aria-labelledby="preview-title">
<h2 id="preview-title">Preview</h2>
<ul class="views" aria-label="Preview as">${PREVIEW_VIEWS.map(
    (v) => html`<li><a href="?view=${v.id}" data-view="${v.id}"${v.id === view ? html` aria-current="true"` : null}>${v.label}</a></li>`,
  )}</ul>
<div class="frame-box" tabindex="0" role="region" aria-label="Preview, scrolls sideways on a narrow screen"><iframe id="preview" class="view-${view}" data-view="${view}" title="Preview: ${label}" sandbox="allow-same-origin" srcdoc="${previewDocument(preview, view)}"></iframe></div>
</section>`;
}

/**
 * The diagnostics, each with a button that puts the cursor at its place in the
 * source, and, with `learn`, an unknown word's « add to the word list »
 * (editor.js builds the same markup).
 */
export function diagnosticItems(diagnostics: readonly Diagnostic[], learn?: { slug: string; csrf: string; back: string }): SafeHtml {
  if (diagnostics.length === 0) return html`<li class="ok">No problem found.</li>`;
  return html`${diagnostics.map(
    (d) =>
      html`<li class="${d.severity}"><button type="button" class="where" data-line="${d.line}" data-column="${d.column}" aria-label="${d.line}:${d.column}, go to line ${d.line}, column ${d.column}">${d.line}:${d.column}</button> <strong>${d.severity}</strong> ${d.message} <code>${d.rule}</code>${
        learn && d.rule === 'unknown-word' && d.word ? html` ${learnWordForm({ ...learn, word: d.word })}` : null
      }</li>`,
  )}`;
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** The offer of the person's unsaved text, left when they last went away from the editor. */
export function unsavedOffer(base: string, unsaved: DeskUnsavedText, csrf: string): SafeHtml {
  return html`<div class="notice unsaved-offer" role="status">
<p>You have unsaved text from ${when(unsaved.savedAt)}, started from version ${unsaved.baseVersion}.</p>
<div class="moves"><a class="button" href="${base}?unsaved=1">Put my unsaved text back in the editor</a>
<form method="post" action="${base}/unsaved/discard"><input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><button type="submit">Discard it</button></form></div>
</div>`;
}

/** A line diff as marked-up text: what `from` lost and `to` gained. */
export function lineDiff(from: string, to: string): SafeHtml {
  return html`<pre class="diff">${diffLines(from, to).map((p) =>
    p.added ? html`<ins>${p.value}</ins>` : p.removed ? html`<del>${p.value}</del>` : html`<span>${p.value}</span>`,
  )}</pre>`;
}

/**
 * The answer to a save refused because another version was saved since the
 * one the person started from: nothing was overwritten; their change and the
 * other person's are shown, and their text is in the form, to be saved over
 * the latest once they have brought the two together.
 */
export function conflictPage(options: { context: EditionContext; base?: DeskVersion; latest: DeskVersion; mine: string; csrf: string }): SafeHtml {
  const { context, base, latest, mine, csrf } = options;
  const { edition, publication } = context;
  const path = `/newsroom/editions/${edition.id}`;
  return html`<h1>${publication.name} — ${edition.date}: not saved</h1>
<p class="notice" role="alert">${latest.author} saved version ${latest.number} on ${when(latest.createdAt)}, after version ${base?.number ?? '?'} that your text started from. Nothing was overwritten: compare, bring into your text what you keep of theirs, and save it as the next version.</p>
${base ? html`<h2>Their change: version ${base.number} to version ${latest.number}</h2>${lineDiff(base.source, latest.source)}` : null}
<h2>Your text against version ${latest.number}</h2>
${lineDiff(latest.source, mine)}
<form method="post" action="${path}/save" class="source" id="editor-form" data-publication="${publication.slug}" data-edition="${edition.id}">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<input type="hidden" name="base" value="${latest.number}">
<label for="source">Your text (Briefing Markdown)</label>
<textarea id="source" name="source" rows="24" spellcheck="false" lang="${publication.language}">${mine}</textarea>
<p><button type="submit">Save my text over version ${latest.number}</button> <a href="${path}">Leave my text and open version ${latest.number}</a> (it stays kept as your unsaved text)</p>
</form>`;
}

/**
 * The approval of the version shown. When versions were saved after the
 * edition was marked ready, the button first leads to those changes: the
 * approval comes from the page that shows them (versions page, `review`).
 */
export function approveControl(options: { base: string; csrf: string; version: number; readyVersion: number | null | undefined; changedSinceReady: boolean }): SafeHtml {
  const { base, csrf, version, readyVersion } = options;
  if (options.changedSinceReady) {
    return html`<p class="notice">Version ${version} was saved after the edition was marked ready (at version ${readyVersion ?? '?'}).
<a class="button" href="${base}/versions?a=${readyVersion ?? ''}&amp;b=${version}&amp;review=1">Approve: review the changes since version ${readyVersion ?? '?'} first</a></p>`;
  }
  return approveForm(base, csrf, version, `Approve version ${version}`);
}

/** The form that approves exactly one version. */
export function approveForm(base: string, csrf: string, version: number, label: string): SafeHtml {
  return html`<form method="post" action="${base}/transition">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<input type="hidden" name="version" value="${version}">
<button type="submit" name="to" value="approved">${label}</button>
</form>`;
}

/** The form that saves an earlier version's text as the next version. */
export function restoreForm(base: string, csrf: string, number: number, latest: number): SafeHtml {
  return html`<form method="post" action="${base}/restore">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<input type="hidden" name="version" value="${number}">
<input type="hidden" name="base" value="${latest}">
<button type="submit">Restore version ${number}</button>
</form>`;
}
