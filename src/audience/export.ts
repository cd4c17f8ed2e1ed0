// Export of a publication's subscribers with their status, as CSV, page by
// page (keyset pagination) into a stream that is allowed to slow us down:
// constant memory whatever the list size. Erased subscribers are not exported.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { countByStatus, subscriptionsPage } from '../store/subscriptions.ts';
import type { Store } from '../store/db.ts';
import { publicationBySlug } from './publication-ref.ts';
import { ImportRefusedError } from './import.ts';

export const EXPORT_COLUMNS = ['email', 'name', 'status', 'source', 'created_at', 'confirmed_at', 'unsubscribed_at'] as const;

export interface ExportProgress {
  rows: number;
  total: number;
}

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

// A spreadsheet opening the file runs a cell that starts with one of these as a
// formula (CSV injection: a subscriber who signs up as `=HYPERLINK(…)` leaks
// the sheet to whoever opens it). OWASP's remedy: a leading single quote makes
// the cell text. Only the form's free text (name) and imported text (source,
// address) can start so; every text column goes through it anyway, so that a
// column added later cannot be forgotten.
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell a spreadsheet shows as text, never runs as a formula. */
export function spreadsheetSafe(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** Writes the publication's subscribers as CSV to `out` (ended when done unless `end: false`, for stdout); returns the number of rows. */
export async function exportSubscribers(
  store: Store,
  publicationSlug: string,
  out: Writable,
  onProgress?: (p: ExportProgress) => void,
  options: { end?: boolean } = {},
): Promise<number> {
  const publication = await publicationBySlug(store, publicationSlug);
  if (!publication) throw new ImportRefusedError(`no publication with the slug « ${publicationSlug} »`);
  const counts = await countByStatus(store, publication.id);
  const total = counts.pending + counts.active + counts.unsubscribed;
  const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS] });
  const end = options.end ?? true;
  csv.pipe(out, { end });
  let after = 0;
  let rows = 0;
  for (;;) {
    const page = await subscriptionsPage(store, publication.id, after, 5000);
    if (page.length === 0) break;
    for (const r of page) {
      const ok = csv.write([spreadsheetSafe(r.email ?? ''), spreadsheetSafe(r.name ?? ''), spreadsheetSafe(r.status), spreadsheetSafe(r.source), iso(r.created_at), iso(r.confirmed_at), iso(r.unsubscribed_at)]);
      if (!ok) await once(csv, 'drain');
    }
    rows += page.length;
    after = page[page.length - 1]!.id;
    onProgress?.({ rows, total });
  }
  const done = once(csv, 'end');
  csv.end();
  await (end ? once(out, 'finish') : done);
  return rows;
}
