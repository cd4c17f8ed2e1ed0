// The publication's word list in the dashboard: the words it accepts besides
// the dictionary, learned from its approved editions or accepted by someone in
// the editor, with who and when; a word added by hand; a word removed (editors).
// Also the « add to the word list » button of an unknown word in the editor's
// diagnostics (editor.js builds the same form).
import { html, type SafeHtml } from '../html.ts';
import type { DeskLearnedWord, DeskPublication } from '../desk.ts';
import { CSRF_FIELD } from '../auth/guard.ts';
import { LEARN_AFTER_EDITIONS } from '../../edition/learned-words.ts';

/** Where the word list of a publication is, and where its forms post. */
export function wordListPath(slug: string): string {
  return `/newsroom/publications/${slug}/words`;
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** The button that adds one unknown word to the publication's word list, then comes back to `back`. */
export function learnWordForm(options: { slug: string; word: string; csrf: string; back: string }): SafeHtml {
  return html`<form method="post" action="${wordListPath(options.slug)}" class="learn"><input type="hidden" name="${CSRF_FIELD}" value="${options.csrf}"><input type="hidden" name="word" value="${options.word}"><input type="hidden" name="back" value="${options.back}"><button type="submit">Add « ${options.word} » to the word list</button></form>`;
}

/** The word list page. */
export function wordListPage(options: {
  publication: DeskPublication;
  words: readonly DeskLearnedWord[];
  csrf: string;
  /** An editor of the publication: may remove words. */
  mayRemove: boolean;
  notice?: string;
}): SafeHtml {
  const { publication, words, csrf } = options;
  const path = wordListPath(publication.slug);
  return html`<h1>${publication.name}: word list</h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : null}
<p>The spelling check of ${publication.name} accepts these words besides the dictionary, the team's names and the words of its settings.
A word unknown to all of them is learned once ${LEARN_AFTER_EDITIONS} different approved editions have held it (a typo approved once is still flagged the next time),
or at once when someone adds it from the editor's diagnostics or here.${options.mayRemove ? null : ' Editors of the publication may remove a word.'}</p>
<form method="post" action="${path}" class="inline-form">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<label for="new-word">Word or name</label> <input id="new-word" name="word" required maxlength="80" lang="${publication.language}"> <button type="submit">Add to the word list</button>
</form>
${
  words.length === 0
    ? html`<p>No word learned yet.</p>`
    : html`<table class="word-list">
<caption>${words.length} word${words.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Word</th><th scope="col">Learned</th><th scope="col">By</th><th scope="col">When</th>${options.mayRemove ? html`<th scope="col"><span class="visually-hidden">Remove</span></th>` : null}</tr></thead>
<tbody>
${words.map(
  (w) => html`<tr>
<td lang="${publication.language}">${w.word}</td>
<td>${w.source === 'approvals' ? `from ${LEARN_AFTER_EDITIONS} approved editions` : 'added by hand'}</td>
<td>${w.addedBy}</td>
<td>${when(w.addedAt)}</td>
${
  options.mayRemove
    ? html`<td><form method="post" action="${path}/remove"><input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><input type="hidden" name="word" value="${w.word}"><button type="submit">Remove « ${w.word} »</button></form></td>`
    : null
}
</tr>`,
)}
</tbody>
</table>`
}
<p><a href="/newsroom/publications">Back to the publications</a></p>`;
}
