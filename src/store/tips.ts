// Queries of the tip line: tips (threads) and their parts. Every column is
// ciphertext or bookkeeping without identity (publication, day, size): see
// migration 0008. No rule lives here; src/tips/ decides.
import { sql } from 'kysely';
import type { Store } from './db.ts';
import { inTransaction } from './transaction.ts';
import type { TipPartKind } from './schema.ts';

export interface NewTipPart {
  kind: TipPartKind;
  ciphertext: string;
}

export interface NewTip {
  publicationId: number;
  day: string;
  threadHash: string;
  replySalt: string;
  replyPublicKey: string;
  replyPrivateKey: string;
  parts: NewTipPart[];
}

export interface TipThread {
  id: number;
  publicationId: number;
  day: string;
  replySalt: string;
  replyPublicKey: string;
  replyPrivateKey: string;
}

export interface TipSummary {
  id: number;
  publicationId: number;
  day: string;
  /** Bytes of ciphertext of every part. */
  size: number;
  parts: number;
  replied: boolean;
}

export interface TipPart {
  id: number;
  tipId: number;
  kind: TipPartKind;
  day: string;
  ciphertext: string;
  size: number;
}

/** Creates a tip with its first parts, in one transaction; returns its id. */
export async function insertTip(store: Store, tip: NewTip): Promise<number> {
  return inTransaction(store, async (tx) => {
    const row = await tx.db
      .insertInto('tips')
      .values({
        publication_id: tip.publicationId,
        day: tip.day,
        thread_hash: tip.threadHash,
        reply_salt: tip.replySalt,
        reply_public_key: tip.replyPublicKey,
        reply_private_key: tip.replyPrivateKey,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await insertParts(tx, row.id, tip.day, tip.parts);
    return row.id;
  });
}

/** Adds parts (a follow-up, a reply) to a tip; false when the tip no longer exists. */
export async function addTipParts(store: Store, tipId: number, day: string, parts: NewTipPart[]): Promise<boolean> {
  return inTransaction(store, async (tx) => {
    const exists = await tx.db.selectFrom('tips').select('id').where('id', '=', tipId).executeTakeFirst();
    if (!exists) return false;
    await insertParts(tx, tipId, day, parts);
    return true;
  });
}

async function insertParts(store: Store, tipId: number, day: string, parts: NewTipPart[]): Promise<void> {
  if (parts.length === 0) return;
  await store.db
    .insertInto('tip_parts')
    .values(parts.map((p) => ({ tip_id: tipId, kind: p.kind, day, ciphertext: p.ciphertext, size: Buffer.byteLength(p.ciphertext) })))
    .execute();
}

/** The thread a receipt code's keyed hash opens, if any. */
export async function findTipByThread(store: Store, threadHash: string): Promise<TipThread | undefined> {
  const row = await store.db.selectFrom('tips').selectAll().where('thread_hash', '=', threadHash).executeTakeFirst();
  return row && threadOf(row);
}

/** A tip by id. */
export async function getTip(store: Store, id: number): Promise<TipThread | undefined> {
  const row = await store.db.selectFrom('tips').selectAll().where('id', '=', id).executeTakeFirst();
  return row && threadOf(row);
}

function threadOf(row: { id: number; publication_id: number; day: string; reply_salt: string; reply_public_key: string; reply_private_key: string }): TipThread {
  return {
    id: row.id,
    publicationId: row.publication_id,
    day: row.day,
    replySalt: row.reply_salt,
    replyPublicKey: row.reply_public_key,
    replyPrivateKey: row.reply_private_key,
  };
}

/** Tips of some publications, newest first, with their size and whether the newsroom replied. */
export async function listTips(store: Store, publicationIds: number[]): Promise<TipSummary[]> {
  if (publicationIds.length === 0) return [];
  const rows = await store.db
    .selectFrom('tips')
    .leftJoin('tip_parts', 'tip_parts.tip_id', 'tips.id')
    .where('tips.publication_id', 'in', publicationIds)
    .groupBy(['tips.id', 'tips.publication_id', 'tips.day'])
    .select(['tips.id', 'tips.publication_id', 'tips.day'])
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<number>('tip_parts.size'), sql<number>`0`).as('size'),
      eb.fn.count<number>('tip_parts.id').as('parts'),
      eb.fn.sum<number>(sql`case when tip_parts.kind = 'reply' then 1 else 0 end`).as('replies'),
    ])
    .orderBy('tips.id', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    publicationId: r.publication_id,
    day: r.day,
    size: Number(r.size),
    parts: Number(r.parts),
    replied: Number(r.replies ?? 0) > 0,
  }));
}

/** The parts of a tip, in the order they came. */
export async function tipParts(store: Store, tipId: number, kinds?: readonly TipPartKind[]): Promise<TipPart[]> {
  let query = store.db.selectFrom('tip_parts').selectAll().where('tip_id', '=', tipId);
  if (kinds) query = query.where('kind', 'in', kinds);
  const rows = await query.orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, tipId: r.tip_id, kind: r.kind, day: r.day, ciphertext: r.ciphertext, size: r.size }));
}

/** Deletes a tip and every part of it; false when there was none. */
export async function deleteTip(store: Store, id: number): Promise<boolean> {
  return inTransaction(store, async (tx) => {
    await tx.db.deleteFrom('tip_parts').where('tip_id', '=', id).execute();
    const result = await tx.db.deleteFrom('tips').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  });
}

/** Deletes a publication's tips that arrived before `day` (`YYYY-MM-DD`); returns how many. */
export async function deleteTipsBefore(store: Store, publicationId: number, day: string): Promise<number> {
  return inTransaction(store, async (tx) => {
    const old = tx.db.selectFrom('tips').select('id').where('publication_id', '=', publicationId).where('day', '<', day);
    await tx.db.deleteFrom('tip_parts').where('tip_id', 'in', old).execute();
    const result = await tx.db.deleteFrom('tips').where('publication_id', '=', publicationId).where('day', '<', day).executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}
