// What the send page reads about one send besides its counts: the relay's
// answers grouped, the final results over time, and what readers did after
// it (unsubscribes and complaints from its recipients). Read-only queries; the
// meaning of the figures is delivery's (send-report.ts there).
import { sql } from 'kysely';
import type { Store } from './db.ts';
import { mailableIn } from './mailable.ts';

export interface AnswerGroup {
  /** The SMTP code of the recipient's last answer (null: no answer, the connection failed). */
  code: number | null;
  /** How many recipients got that code last. */
  count: number;
  /** The most frequent texts of that code among its last `TEXT_SAMPLE` rows in the ledger, most frequent first. */
  texts: Array<{ text: string; count: number }>;
}

/**
 * How many of a code's rows (the last in the ledger) its texts are read from: grouping every
 * row's text took a second for 200,000 rows, and the send's page asks every
 * few seconds; the counts per code stay exact.
 */
export const TEXT_SAMPLE = 1000;

/**
 * The last relay answer of each recipient of a send, grouped by code, each
 * with its most frequent texts (at most `textsPerCode`, counted among the
 * code's last TEXT_SAMPLE rows in the ledger). Rows with no answer yet (pending, never
 * tried) are left out.
 */
export async function answerGroups(store: Store, sendId: number, textsPerCode = 3): Promise<AnswerGroup[]> {
  const codes = await store.db
    .selectFrom('recipients')
    .select((eb) => ['relay_code', eb.fn.countAll<number | string>().as('n')])
    .where('send_id', '=', sendId)
    .where((eb) => eb.or([eb('relay_code', 'is not', null), eb('relay_response', 'is not', null)]))
    .groupBy('relay_code')
    .execute();
  const groups: AnswerGroup[] = [];
  for (const c of codes) {
    const latest = store.db
      .selectFrom('recipients')
      .select('relay_response')
      .where('send_id', '=', sendId)
      .where((eb) => (c.relay_code === null ? eb('relay_code', 'is', null) : eb('relay_code', '=', c.relay_code)))
      .where('relay_response', 'is not', null)
      .orderBy('id', 'desc')
      .limit(TEXT_SAMPLE)
      .as('latest');
    const texts = await store.db
      .selectFrom(latest)
      .select((eb) => ['latest.relay_response', eb.fn.countAll<number | string>().as('n')])
      .groupBy('latest.relay_response')
      .orderBy('n', 'desc')
      .orderBy('latest.relay_response')
      .limit(textsPerCode)
      .execute();
    groups.push({
      code: c.relay_code === null ? null : Number(c.relay_code),
      count: Number(c.n),
      texts: texts.map((t) => ({ text: t.relay_response ?? '', count: Number(t.n) })),
    });
  }
  return groups.sort((a, b) => b.count - a.count || (a.code ?? 0) - (b.code ?? 0));
}

/**
 * Final results (sent, bounced, failed, suppressed) of a send per time slot of
 * `slotMs` from `from`: slot index and count, in order. A row counts at its
 * last change (a bounce report moves a sent row later).
 */
export async function resultsPerSlot(store: Store, sendId: number, from: number, slotMs: number): Promise<Array<{ slot: number; count: number }>> {
  const start = Math.floor(from);
  const width = Math.max(1, Math.floor(slotMs));
  // Integer division on both backends (bigint / integer in PostgreSQL, integer / integer in SQLite).
  const slot = sql<number | string>`(${sql.ref('updated_at')} - ${sql.lit(start)}) / ${sql.lit(width)}`;
  const rows = await store.db
    .selectFrom('recipients')
    .select((eb) => [slot.as('slot'), eb.fn.countAll<number | string>().as('n')])
    .where('send_id', '=', sendId)
    .where('state', 'in', ['sent', 'bounced', 'failed', 'suppressed'])
    .where('updated_at', '>=', start)
    .groupBy(slot)
    .orderBy(slot)
    .execute();
  return rows.map((r) => ({ slot: Number(r.slot), count: Number(r.n) }));
}

/**
 * The start of the next list send of the publication after `startedAt`: the
 * end of the time in which readers' reactions are put down to this send.
 */
export async function nextListSendStart(store: Store, publicationId: number, startedAt: number): Promise<number | undefined> {
  const row = await store.db
    .selectFrom('sends')
    .select((eb) => eb.fn.min('started_at').as('next'))
    .where('publication_id', '=', publicationId)
    .where('kind', '=', 'list')
    .where('started_at', '>', startedAt)
    .executeTakeFirst();
  return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
}

// How readers unsubscribe themselves (audience/unsubscribe.ts, preferences.ts); `admin` is the newsroom's own doing.
const READERS_METHODS = ['one-click', 'link', 'mail'];

/**
 * Recipients of a send whose consent log shows, in [from, until), an
 * unsubscribe of the publication (by the reader: link, one-click, mail,
 * preferences) and a complaint (feedback loop), counted once per reader each.
 */
export async function readersReactions(
  store: Store,
  input: { sendId: number; publicationId: number; from: number; until: number | undefined },
): Promise<{ unsubscribes: number; complaints: number }> {
  const count = async (kind: 'unsubscribes' | 'complaints') => {
    let q = store.db
      .selectFrom('consent_log as c')
      .select((eb) => eb.fn.count<number | string>('c.subscriber_id').distinct().as('n'))
      .where('c.publication_id', '=', input.publicationId)
      .where('c.at', '>=', input.from)
      .where('c.subscriber_id', 'in', (eb) =>
        eb.selectFrom('recipients as r').select('r.subscriber_id').where('r.send_id', '=', input.sendId).where('r.subscriber_id', 'is not', null),
      );
    if (input.until !== undefined) q = q.where('c.at', '<', input.until);
    q = kind === 'unsubscribes' ? q.where('c.action', '=', 'unsubscribe').where('c.method', 'in', READERS_METHODS) : q.where('c.method', '=', 'complaint');
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  return { unsubscribes: await count('unsubscribes'), complaints: await count('complaints') };
}

/** How many readers a list send of the publication would snapshot now (mailable.ts, as `snapshotListRecipients` takes them). */
export async function listSizeNow(store: Store, publicationId: number): Promise<number> {
  const row = await store.db
    .selectFrom('subscriptions as sub')
    .innerJoin('subscribers as p', 'p.id', 'sub.subscriber_id')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where(mailableIn(publicationId))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
