// An edition's stored source turned into what the site serves: parsed once per
// version and kept in a small cache, since an edition page is read far more
// often than it changes (a version, once saved, never changes).
import { createHash } from 'node:crypto';
import { parseEdition } from '../edition/parse.ts';
import { hasErrors, type Diagnostic } from '../edition/diagnostic.ts';
import type { Edition } from '../edition/model.ts';
import type { Language, Publication } from '../edition/publication.ts';
import { typeset } from '../render/typeset.ts';
import { subjectOf, preheaderOf } from '../edition/inline-text.ts';

export interface ParsedEdition {
  edition?: Edition;
  diagnostics: Diagnostic[];
}

const MAX_ENTRIES = 200;
const cache = new Map<string, ParsedEdition>();

/** Parses a stored version (cached by edition id, version number and a hash of the source). */
export function parsedVersion(editionId: number, version: number, source: string, publication: Publication): ParsedEdition {
  // A version never changes within one store, but ids repeat across stores in
  // one process (a second app, tests): the source's hash keeps them apart, and
  // hashing costs far less than parsing.
  const key = `${publication.slug}:${editionId}:${version}:${createHash('sha256').update(source).digest('base64url')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const result = parseEdition(source, { file: `${publication.slug}.md`, publication });
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, result);
  return result;
}

/** The edition when it parses without errors: only such an edition is ever shown to the public. */
export function publishable(parsed: ParsedEdition): Edition | undefined {
  return parsed.edition && !hasErrors(parsed.diagnostics) ? parsed.edition : undefined;
}

/** Subject and preheader for lists and feeds, typeset for the publication's language as the email sets them. */
export function summaryOf(edition: Edition, language: Language): { subject: string; preheader: string } {
  return { subject: typeset(subjectOf(edition), language), preheader: typeset(preheaderOf(edition), language) };
}

const renderings = new Map<string, string>();

/**
 * A rendering of a published version, cached: the « view in browser » page is
 * opened by many readers at once right after a send. The key holds everything
 * the output depends on (version, settings, public URL), so it never goes stale.
 */
export function cachedRendering(key: { editionId: number; version: number; publication: Publication; publicUrl: string; format: string }, render: () => string): string {
  const k = `${key.format}:${key.editionId}:${key.version}:${key.publicUrl}:${JSON.stringify(key.publication)}`;
  const hit = renderings.get(k);
  if (hit !== undefined) return hit;
  const out = render();
  if (renderings.size >= MAX_ENTRIES) renderings.delete(renderings.keys().next().value!);
  renderings.set(k, out);
  return out;
}
