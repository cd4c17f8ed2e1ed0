// The public archive's search: the index (store/edition-search.ts), which
// every save of a version keeps up to date (store/editions.ts), searched among
// the published editions only, so that a draft's words are never found and an
// edition that leaves the public site leaves the results. A published edition
// whose current version is not the one indexed (saved before saves indexed, or
// by other means) is indexed here first: the rare case, not the request's work.
import type { Store } from '../store/db.ts';
import { indexEdition, indexedVersions, MATCH_END, MATCH_START, searchEditions } from '../store/edition-search.ts';
import { searchText } from '../edition/search-text.ts';
import { subjectOf } from '../edition/inline-text.ts';
import type { Language } from '../edition/publication.ts';
import { typeset } from '../render/typeset.ts';
import { html, type SafeHtml } from './html.ts';
import type { Desk, DeskPublication } from './desk.ts';
import type { PublicRule } from '../edition/published.ts';
import { publishedEdition, type PublishedEdition } from './public-site.ts';

export interface ArchiveHit {
  published: PublishedEdition;
  /** The words around the matches, typeset for the publication's language, matches in <mark>. */
  snippet: SafeHtml;
}

/** The published editions of a publication that hold every word of the query, best first. */
export async function searchArchive(store: Store, desk: Desk, rule: PublicRule, publication: DeskPublication, query: string): Promise<ArchiveHit[]> {
  const rows = (await desk.editions({ publicationIds: [publication.id], statuses: rule.statuses })).filter((r) => rule.isPublic(r, publication));
  const indexed = await indexedVersions(store, publication.id);
  for (const row of rows) {
    if (indexed.get(row.id) === row.currentVersion) continue;
    // A version with errors is never public: it is not indexed, so never found.
    const one = await publishedEdition(desk, publication, row);
    if (!one) continue;
    await indexEdition(store, {
      editionId: row.id,
      publicationId: publication.id,
      version: row.currentVersion,
      language: publication.language,
      subject: subjectOf(one.edition),
      body: searchText(one.edition),
    });
  }
  const hits = await searchEditions(store, { publicationId: publication.id, language: publication.language, query, editionIds: rows.map((r) => r.id) });
  const out: ArchiveHit[] = [];
  for (const hit of hits) {
    const row = rows.find((r) => r.id === hit.editionId);
    const one = row && (await publishedEdition(desk, publication, row));
    if (one) out.push({ published: one, snippet: markedSnippet(hit.snippet, publication.language as Language) });
  }
  return out;
}

/** A snippet with its match marks as <mark>, every piece of text escaped. */
function markedSnippet(snippet: string, language: Language): SafeHtml {
  const text = typeset(snippet.replace(/\s+/g, ' ').trim(), language);
  const parts: SafeHtml[] = [];
  const marks = new RegExp(`${MATCH_START}([^${MATCH_START}${MATCH_END}]*)${MATCH_END}`, 'g');
  let last = 0;
  for (const m of text.matchAll(marks)) {
    parts.push(html`${text.slice(last, m.index)}<mark>${m[1]}</mark>`);
    last = m.index + m[0].length;
  }
  parts.push(html`${text.slice(last).replace(new RegExp(`[${MATCH_START}${MATCH_END}]`, 'g'), '')}`);
  return html`${parts}`;
}
