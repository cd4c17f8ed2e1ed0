// One chunk of an import on PostgreSQL, as both ways of writing it see it
// (subscriber-import-copy.ts, subscriber-import-rebuild.ts): its rows column
// by column, and what becomes of each row.

import type { CopyText } from './copy-text.ts';

/** The rows of one chunk, column by column (no object per row); their hashes are distinct. */
export interface Chunk {
  emails: string[];
  hashes: string[];
  lines: number[];
  /** Filling the indexes as it goes: the rest of each row, written into COPY text once the lookup has said what becomes of it. */
  names: Array<string | null>;
  createdAt: number[];
  sources: Array<string | null>;
  /** Rebuilding the indexes: the chunk's COPY text, written as its rows came, every row taken as new. */
  texts?: ChunkTexts;
}

/** The COPY text of a chunk's three tables, line i for row i of the chunk. */
export interface ChunkTexts {
  subscribers: CopyText;
  subscriptions: CopyText;
  consent: CopyText;
}

export const newChunk = (): Chunk => ({ emails: [], hashes: [], lines: [], names: [], createdAt: [], sources: [] });

/** What becomes of a row, one byte per row of a chunk. */
export const Fate = {
  /** A new subscriber and its subscription. */
  new: 0,
  /** A subscription for a subscriber the database holds. */
  subscribe: 1,
  /** Refused: the publication suppresses the address. */
  suppressed: 2,
  /** Refused: this import subscribed the address already (an earlier chunk). */
  duplicate: 3,
  /** Left as it is: the subscription exists, or the address is held under another hash. */
  unchanged: 4,
} as const;

/** What the database holds for one row of a chunk (rows absent from the lookup hold nothing). */
/**
 * What the database holds for a chunk's hashes ($2, in the chunk's hash order)
 * for publication $1: its suppressions, and the subscribers of `held` (the
 * table itself, or the import's indexed copy of it while its indexes are
 * rebuilt) with their subscription to the publication. Rows: Found.
 */
export function foundQuery(held: 'subscribers' | 'import_held'): string {
  return `select i.k::integer as k, b.id, x.created_at, x.source, p.email_hash is not null as suppressed
     from unnest($2::text[]) with ordinality as i(h, k)
     left join suppressions p on p.publication_id = $1 and p.email_hash = i.h collate "C"
     left join ${held} b on b.email_hash = i.h collate "C"
     left join subscriptions x on x.subscriber_id = b.id and x.publication_id = $1
     where p.email_hash is not null or b.id is not null`;
}

export interface Found {
  k: number;
  id: string | null;
  created_at: string | null;
  source: string | null;
  suppressed: boolean;
}

/**
 * Marks the rows the lookup found: suppressed, subscribed already (by this
 * run: a duplicate; before: unchanged), or an existing subscriber to
 * subscribe (its id in `existingId`). `order[k - 1]` is the row of the
 * lookup's k-th hash.
 */
export function markFound(
  found: readonly Found[],
  order: Int32Array,
  fate: Uint8Array,
  existingId: Map<number, number>,
  run: { runAt: number; method: string },
): void {
  for (const f of found) {
    const i = order[f.k - 1]!;
    if (f.suppressed) fate[i] = Fate.suppressed;
    else if (f.created_at !== null) fate[i] = Number(f.created_at) === run.runAt && f.source === run.method ? Fate.duplicate : Fate.unchanged;
    else {
      fate[i] = Fate.subscribe;
      existingId.set(i, Number(f.id));
    }
  }
}

/**
 * The chunk's row indexes by the first two characters of their hash: the
 * order of the hashes' index up to those characters (the hashes are ASCII and
 * compared as bytes), in one pass. Enough for the index's pages to be visited
 * in order; a full sort would cost Node more than it saves PostgreSQL.
 */
export function hashOrder(hashes: readonly string[]): Int32Array {
  const key = (h: string) => ((h.charCodeAt(0) & 127) << 7) | (h.charCodeAt(1) & 127);
  const counts = new Int32Array(1 << 14);
  for (const h of hashes) counts[key(h)]!++;
  let start = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    counts[i] = start;
    start += n;
  }
  const order = new Int32Array(hashes.length);
  for (let i = 0; i < hashes.length; i++) order[counts[key(hashes[i]!)]!++] = i;
  return order;
}
