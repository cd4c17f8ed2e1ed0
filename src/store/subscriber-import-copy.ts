// An import on PostgreSQL: the whole file in one transaction on one
// connection, each chunk written straight into subscribers, subscriptions and
// the consent log with `COPY … FROM STDIN` (bench/results/import.md says why:
// an `INSERT … SELECT` from a staging table cost PostgreSQL about three times
// the CPU of COPY for the same rows, foreign-key triggers included).
//
// Per chunk (its rows have distinct hashes; Node found the duplicates):
// 1. one lookup, by hash, of what the database holds: suppressions of the
//    publication, existing subscribers and their subscription to it. The hashes
//    are sent in (almost) index order, so the lookup walks the index pages in
//    order instead of at random;
// 2. ids for the new subscribers, taken from the subscribers' own sequence in
//    one statement (`nextval` over `generate_series`, read back as ranges);
// 3. existing subscribers that get a subscription are locked `FOR KEY SHARE`,
//    what the foreign key of subscriptions did per row (migration 0012): the
//    purge cannot delete them under the new subscription;
// 4. three COPYs: new subscribers in hash order (the keyed hash's unique index
//    is filled page after page), then subscriptions and consent log rows in the
//    file's order (their indexes are filled at their right edge).
//
// Steps 3–4 run inside a savepoint. Another transaction may add one of these
// addresses or subscriptions after the lookup, or an address may be held under
// another hash (the secret changed): COPY then fails on a unique index, the
// savepoint is rolled back, and the chunk is looked up and written again, this
// time also looking up addresses, so that such rows are left unchanged. Nothing
// blocks sign-ups meanwhile; nothing is committed unless the whole file is.
//
// A file large next to the list rebuilds the two address indexes instead
// (subscriber-import-rebuild.ts): steps 1–3 are then its own, with the
// subscribers table taken for the transaction.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CopyText, SlabPool, copyValue } from './copy-text.ts';
import { importDetailsHead, isoTime, type ImportBatchOptions, type ImportRow } from './subscribers.ts';
import type { ChunkOutcome, ImportWriting, SubscriberImport } from './subscriber-import.ts';
import { timed } from './import-trace.ts';
import { type Chunk, Fate, type Found, foundQuery, hashOrder, markFound, newChunk } from './import-chunk.ts';
import { startIndexRebuild, type IndexRebuilder } from './subscriber-import-rebuild.ts';

const UNIQUE_VIOLATION = '23505';

/** A subscriber locked for a new subscription was deleted since the lookup (the purge): the chunk is written again. */
class SubscriberGone extends Error {}
/** Chunks written again after a conflict before the import gives up (each needs another writer to win a race). */
const MAX_ATTEMPTS = 5;

/** Starts an import on PostgreSQL (`supportsCopy`). */
export async function copyImport(pool: pg.Pool, o: ImportBatchOptions, w: ImportWriting = {}): Promise<SubscriberImport> {
  const { trace } = w;
  const client = await pool.connect();
  let released = false;
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    client.release(err);
  };
  let sequence: string;
  let rebuilder: IndexRebuilder | undefined;
  try {
    await client.query('begin');
    // No statement of an import gains from JIT compiling; on a busy machine it cost seconds.
    await client.query('set local jit = off');
    // What the foreign key of subscriptions to publications did per row, once:
    // the publication cannot go away under the import (none is ever deleted).
    const { rowCount } = await client.query('select 1 from publications where id = $1 for key share', [o.publicationId]);
    if (rowCount !== 1) throw new Error(`no publication with id ${o.publicationId}`);
    sequence = (await client.query<{ s: string }>(`select pg_get_serial_sequence('subscribers', 'id') as s`)).rows[0]!.s;
    rebuilder = await startIndexRebuild(
      client,
      { ...o, sequence, expectedRows: w.expectedRows ?? 0, mode: w.indexRebuild ?? 'auto' },
      trace,
    );
  } catch (err) {
    release(err as Error);
    throw err;
  }

  const action = o.status === 'active' ? 'import-confirmed' : 'import';
  const confirmedAt = o.status === 'active' ? String(o.runAt) : '\\N';
  const method = copyValue(o.method);
  // Every subscription and consent row of the import ends the same way.
  // Columns left null (unsubscribed_at, the wording version, the IP hash) are not in the COPY: no value to read.
  const subscriptionTail = `\t${o.publicationId}\t${o.status}\t${method}\t${o.runAt}\t${confirmedAt}\t${o.runAt}\n`;
  const consentMiddle = `\t${o.publicationId}\t${action}\t${method}\t`;
  const consentTail = `\t${o.runAt}\n`;
  const slabs = new SlabPool();
  // The details of a consent row are a head per consent source (escaped for COPY once), then the
  // ISO time and `"}`, which hold nothing COPY escapes.
  let headSource: string | null | undefined;
  let headText = '';
  const detailsHead = (source: string | null) => {
    if (source !== headSource) {
      headSource = source;
      headText = copyValue(importDetailsHead(source));
    }
    return headText;
  };

  // A row's line in each table's COPY text.
  const subscriberLine = (id: number, email: string, hash: string, name: string | null, createdAt: number) =>
    // A keyed hash is base64url: nothing in it to escape.
    `${id}\t${copyValue(email)}\t${hash}\t${copyValue(name)}\t${createdAt}\t${o.runAt}\n`;
  const subscriptionLine = (id: number) => `${id}${subscriptionTail}`;
  const consentLine = (id: number, source: string | null, createdAt: number) =>
    `${id}${consentMiddle}${detailsHead(source)}${isoTime(createdAt)}"}${consentTail}`;

  const SUBSCRIBERS = 'copy subscribers (id, email, email_hash, name, created_at, updated_at) from stdin';
  const SUBSCRIPTIONS =
    'copy subscriptions (subscriber_id, publication_id, status, source, created_at, confirmed_at, updated_at) from stdin';
  const CONSENT = 'copy consent_log (subscriber_id, publication_id, action, method, details, at) from stdin';
  const copy = (step: string, statement: string, text: CopyText) =>
    timed(trace, step, async () => {
      if (text.lines > 0) await pipeline(Readable.from(text.parts()), client.query(copyFrom(statement)));
    });

  /** What the rows of a chunk came to, by their fate. */
  const outcomeOf = (chunk: Chunk, fate: Uint8Array): ChunkOutcome => {
    const out: ChunkOutcome = { imported: 0, unchanged: 0, refused: [] };
    for (let i = 0; i < fate.length; i++) {
      const f = fate[i]!;
      if (f === Fate.new || f === Fate.subscribe) out.imported++;
      else if (f === Fate.unchanged) out.unchanged++;
      else out.refused.push({ line: chunk.lines[i]!, email: chunk.emails[i]!, reason: f === Fate.suppressed ? 'suppressed' : 'duplicate' });
    }
    return out;
  };

  /** Ids taken from the subscribers' sequence, in the order it gave them. */
  const takeIds = async (n: number): Promise<number[]> => {
    if (n === 0) return [];
    // Read back as one range; as the list itself only when another session took ids meanwhile.
    const { rows } = await client.query<{ first: string; last: string; scattered: string[] | null }>(
      `select min(v)::text as first, max(v)::text as last, case when max(v) - min(v) + 1 <> count(*) then array_agg(v)::text[] end as scattered
       from (select nextval($1::regclass) as v from generate_series(1, $2)) a`,
      [sequence, n],
    );
    const r = rows[0]!;
    if (r.scattered) return r.scattered.map(Number).sort((a, b) => a - b);
    const ids: number[] = [];
    for (let id = Number(r.first), last = Number(r.last); id <= last; id++) ids.push(id);
    return ids;
  };

  /** Marks what the database holds for the rows: suppressed (2), an existing subscriber (1, its id in `existingId`), a subscription (3 or 4). */
  const lookUpHeld = async (chunk: Chunk, order: Int32Array, fate: Uint8Array, existingId: Map<number, number>, byAddress: boolean) => {
    const size = chunk.hashes.length;
    const { rows: found } = await timed(trace, 'lookup', () =>
      client.query<Found>(
        foundQuery('subscribers'),
        [o.publicationId, Array.from(order, (i) => chunk.hashes[i]!)],
      ),
    );
    markFound(found, order, fate, existingId, o);
    if (byAddress) {
      // An address held under another hash (the secret changed) is left as it is.
      const fresh: number[] = [];
      for (let i = 0; i < size; i++) if (fate[i] === Fate.new) fresh.push(i);
      const { rows } = await timed(trace, 'lookup', () =>
        client.query<{ k: number }>(
          `select i.k::integer as k from unnest($1::text[]) with ordinality as i(e, k) join subscribers s on s.email = i.e collate "C"`,
          [fresh.map((i) => chunk.emails[i]!)],
        ),
      );
      for (const r of rows) fate[fresh[r.k - 1]!] = Fate.unchanged;
    }
  };

  /** Marks the rows whose hash the publication suppresses (2); the rest stays new (0). */
  const lookUpSuppressed = async (chunk: Chunk, order: Int32Array, fate: Uint8Array) => {
    const { rows } = await timed(trace, 'lookup', async () => {
      const any = await client.query('select 1 from suppressions where publication_id = $1 limit 1', [o.publicationId]);
      if (!any.rowCount) return { rows: [] };
      return client.query<{ k: number }>(
        `select i.k::integer as k from unnest($2::text[]) with ordinality as i(h, k)
         join suppressions p on p.publication_id = $1 and p.email_hash = i.h collate "C"`,
        [o.publicationId, Array.from(order, (i) => chunk.hashes[i]!)],
      );
    });
    for (const r of rows) fate[order[r.k - 1]!] = Fate.suppressed;
  };

  /**
   * Writes one chunk once; a unique violation is left to the caller. `lookup`
   * 0: only suppressions are looked up, every other row is taken as new (the
   * unique indexes check it, and a conflict sends the chunk back here with 1);
   * 1: existing subscribers and subscriptions too; 2: addresses too.
   */
  const attempt = async (chunk: Chunk, order: Int32Array, lookup: 0 | 1 | 2): Promise<ChunkOutcome> => {
    const size = chunk.hashes.length;
    // What becomes of each row (import-chunk.ts).
    const fate = new Uint8Array(size);
    const existingId = new Map<number, number>();
    if (lookup === 0) await lookUpSuppressed(chunk, order, fate);
    else await lookUpHeld(chunk, order, fate, existingId, lookup === 2);
    // A file of new readers goes on without lookups; one of known readers keeps looking up instead of failing every chunk.
    if (lookup > 0) optimistic = fate.every((f) => f === Fate.new || f === Fate.suppressed);
    let newCount = 0;
    for (let i = 0; i < size; i++) if (fate[i] === Fate.new) newCount++;
    const ids = await timed(trace, 'ids', () => takeIds(newCount));
    // Small integers (not a Float64Array): written into the COPY text without a conversion from double.
    const subscriberOf: number[] = new Array<number>(size).fill(0);
    for (let i = 0, next = 0; i < size; i++) {
      if (fate[i] === Fate.new) subscriberOf[i] = ids[next++]!;
      else if (fate[i] === Fate.subscribe) subscriberOf[i] = existingId.get(i)!;
    }
    if (existingId.size) {
      const wanted = [...existingId.values()];
      const { rowCount } = await timed(trace, 'lock', () =>
        client.query('select id from subscribers where id = any($1::bigint[]) for key share', [wanted]),
      );
      // One was deleted (the purge) since the lookup: look again.
      if (rowCount !== wanted.length) throw new SubscriberGone('a subscriber was deleted during the import');
    }

    const subscribers = new CopyText(slabs);
    for (const i of order) {
      if (fate[i] === Fate.new) subscribers.add(subscriberLine(subscriberOf[i]!, chunk.emails[i]!, chunk.hashes[i]!, chunk.names[i]!, chunk.createdAt[i]!));
    }
    await copy('subscribers', SUBSCRIBERS, subscribers);
    subscribers.release();
    const subscriptions = new CopyText(slabs);
    const consent = new CopyText(slabs);
    for (let i = 0; i < size; i++) {
      if (fate[i] !== Fate.new && fate[i] !== Fate.subscribe) continue;
      subscriptions.add(subscriptionLine(subscriberOf[i]!));
      consent.add(consentLine(subscriberOf[i]!, chunk.sources[i]!, chunk.createdAt[i]!));
    }
    await copy('subscriptions', SUBSCRIPTIONS, subscriptions);
    await copy('consent', CONSENT, consent);
    subscriptions.release();
    consent.release();
    return outcomeOf(chunk, fate);
  };

  /**
   * Writes a chunk whose COPY text was written as its rows came (rebuilding
   * the indexes): as it is when every row is new, else without the rows that
   * are not, and with the subscriber's own id for those it subscribes.
   */
  const attemptWritten = async (rebuilder: IndexRebuilder, chunk: Chunk, order: Int32Array): Promise<ChunkOutcome> => {
    const fate = new Uint8Array(chunk.hashes.length);
    const existingId = new Map<number, number>();
    await rebuilder.lookUp(chunk, order, fate, existingId);
    const texts = chunk.texts!;
    if (fate.every((f) => f === Fate.new)) {
      await copy('subscribers', SUBSCRIBERS, texts.subscribers);
      await copy('subscriptions', SUBSCRIPTIONS, texts.subscriptions);
      await copy('consent', CONSENT, texts.consent);
      return outcomeOf(chunk, fate);
    }
    const subscribed = (i: number, line: string) => {
      if (fate[i] === Fate.new) return line;
      return fate[i] === Fate.subscribe ? `${existingId.get(i)!}${line.slice(line.indexOf('\t'))}` : null;
    };
    for (const [step, statement, text] of [
      ['subscribers', SUBSCRIBERS, texts.subscribers.filterLines((i, line) => (fate[i] === Fate.new ? line : null))],
      ['subscriptions', SUBSCRIPTIONS, texts.subscriptions.filterLines(subscribed)],
      ['consent', CONSENT, texts.consent.filterLines(subscribed)],
    ] as const) {
      await copy(step, statement, text);
      text.release();
    }
    return outcomeOf(chunk, fate);
  };

  let optimistic = true;
  const writeChunk = async (chunk: Chunk): Promise<ChunkOutcome> => {
    const order = hashOrder(chunk.hashes);
    if (rebuilder) {
      // Nothing can conflict (subscriber-import-rebuild.ts): no savepoint, no second try.
      const out = await attemptWritten(rebuilder, chunk, order);
      for (const text of [chunk.texts!.subscribers, chunk.texts!.subscriptions, chunk.texts!.consent]) text.release();
      return out;
    }
    let lookup: 0 | 1 | 2 = optimistic ? 0 : 1;
    for (let tries = 1; ; tries++) {
      await client.query('savepoint import_chunk');
      try {
        const out = await attempt(chunk, order, lookup);
        await client.query('release savepoint import_chunk');
        return out;
      } catch (err) {
        const conflict = err instanceof SubscriberGone || (err as { code?: string }).code === UNIQUE_VIOLATION;
        if (!conflict || tries >= MAX_ATTEMPTS) throw err;
        await client.query('rollback to savepoint import_chunk');
        // Taken as new, a row was not: look up. Looked up, one still conflicts: its address is held under another hash.
        lookup = lookup === 0 ? 1 : 2;
      }
    }
  };

  let current = newChunk();
  return {
    // 20,000 rows: the database starts after the first chunk is read and ends
    // a chunk after the file, and Node holds two chunks' rows. At 50,000 the
    // peak RSS of 1,000,000 rows was 275–284 MiB, 240 at 25,000, 214 at 10,000,
    // for the same CPU (the fixed cost of a chunk is a few round trips).
    chunkSize: 20_000,
    add(r: ImportRow, line: number) {
      current.emails.push(r.email);
      current.hashes.push(r.emailHash);
      current.lines.push(line);
      if (rebuilder) {
        // Written now, while the database works on the chunk before: it then never waits for Node to write this one.
        const id = rebuilder.nextId();
        current.texts ??= { subscribers: new CopyText(slabs), subscriptions: new CopyText(slabs), consent: new CopyText(slabs) };
        current.texts.subscribers.add(subscriberLine(id, r.email, r.emailHash, r.name, r.createdAt));
        current.texts.subscriptions.add(subscriptionLine(id));
        current.texts.consent.add(consentLine(id, r.consentSource, r.createdAt));
        return;
      }
      current.names.push(r.name);
      current.createdAt.push(r.createdAt);
      current.sources.push(r.consentSource);
    },
    async flush() {
      const chunk = current;
      if (chunk.hashes.length === 0) return { imported: 0, unchanged: 0, refused: [] };
      current = newChunk();
      return writeChunk(chunk);
    },
    async finish() {
      try {
        await rebuilder?.rebuild();
        await timed(trace, 'commit', () => client.query('commit'));
      } catch (err) {
        release(err as Error);
        throw err;
      }
      release();
    },
    async abort() {
      if (released) return;
      try {
        await client.query('rollback');
        release();
      } catch (err) {
        // A connection that cannot even roll back is not given back to the pool.
        release(err as Error);
      }
    },
  };
}
