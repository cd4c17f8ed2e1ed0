// A publication's learned word list (edition/learned-words.ts holds the rule):
// the words themselves, and the sightings of unknown words in approved
// editions that teach them. Every write is safe to repeat: a sighting is kept
// once per edition and word, a word once per publication.
import { systemClock, type Clock } from '../clock.ts';
import { LEARN_AFTER_EDITIONS, learnedWordKey } from '../edition/learned-words.ts';
import type { Store } from './db.ts';
import { recordAudit } from './audit-log.ts';
import type { LearnedWordSource, Millis } from './schema.ts';
import { inTransaction } from './transaction.ts';

/** One word of a publication's learned word list, with how, by whom and when it was learned. */
export interface LearnedWord {
  word: string;
  source: LearnedWordSource;
  addedBy: string;
  addedAt: Millis;
}

/** The publication's learned words, in alphabetical order (of their key). */
export async function listLearnedWords(store: Store, publicationId: number): Promise<LearnedWord[]> {
  const rows = await store.db
    .selectFrom('learned_words')
    .select(['word', 'source', 'added_by', 'added_at'])
    .where('publication_id', '=', publicationId)
    .orderBy('word_key')
    .execute();
  return rows.map((r) => ({ word: r.word, source: r.source, addedBy: r.added_by, addedAt: Number(r.added_at) }));
}

/** The publication's learned words alone, for the spelling check. */
export async function learnedWordsOf(store: Store, publicationId: number): Promise<string[]> {
  return (await listLearnedWords(store, publicationId)).map((w) => w.word);
}

/**
 * Adds a word a person accepted in the editor (already checked by
 * `checkLearnedWord`); false when the publication knew it already.
 */
export async function learnWord(
  store: Store,
  input: { publicationId: number; word: string; by: string },
  options: { clock?: Clock } = {},
): Promise<boolean> {
  const at = (options.clock ?? systemClock).now();
  return inTransaction(store, async (tx) => {
    const added = await insertLearned(tx, input.publicationId, input.word, 'editor', input.by, at);
    if (added) {
      await recordAudit(tx, { actor: input.by, action: 'word.learn', subjectType: 'publication', subjectId: input.publicationId, details: { word: input.word } }, at);
    }
    return added;
  });
}

/**
 * Removes a word from the list, and what the approved editions taught of it:
 * the spelling check flags it again, and it is learned again only from two
 * editions approved after. False when the list did not hold it.
 */
export async function forgetWord(
  store: Store,
  input: { publicationId: number; word: string; by: string },
  options: { clock?: Clock } = {},
): Promise<boolean> {
  const at = (options.clock ?? systemClock).now();
  const key = learnedWordKey(input.word);
  return inTransaction(store, async (tx) => {
    const gone = await tx.db.deleteFrom('learned_words').where('publication_id', '=', input.publicationId).where('word_key', '=', key).returning('word').executeTakeFirst();
    await tx.db.deleteFrom('word_sightings').where('publication_id', '=', input.publicationId).where('word_key', '=', key).execute();
    if (gone) {
      await recordAudit(tx, { actor: input.by, action: 'word.forget', subjectType: 'publication', subjectId: input.publicationId, details: { word: gone.word } }, at);
    }
    return gone !== undefined;
  });
}

/**
 * Records the unknown words of an approved edition (one sighting per word and
 * edition, whatever the number of approvals), and learns every one that
 * approved editions have now held LEARN_AFTER_EDITIONS times. Called in the
 * approval's transaction (store/editions.ts); returns the words learned now.
 */
export async function recordApprovedWords(
  tx: Store,
  input: { publicationId: number; editionId: number; words: readonly string[]; by: string; at: Millis },
): Promise<string[]> {
  const { publicationId, editionId, at } = input;
  const byKey = new Map<string, string>();
  for (const word of input.words) if (!byKey.has(learnedWordKey(word))) byKey.set(learnedWordKey(word), word);
  if (byKey.size === 0) return [];
  const keys = [...byKey.keys()];
  // Bounded batches: SQLite takes at most 32766 parameters a statement, five a row here.
  for (let i = 0; i < keys.length; i += 500) {
    const rows = keys.slice(i, i + 500).map((key) => ({ publication_id: publicationId, word_key: key, word: byKey.get(key)!, edition_id: editionId, seen_at: at }));
    await tx.db
      .insertInto('word_sightings')
      .values(rows)
      .onConflict((oc) => oc.columns(['publication_id', 'word_key', 'edition_id']).doNothing())
      .execute();
  }
  const learned: string[] = [];
  for (let i = 0; i < keys.length; i += 500) {
    const due = await tx.db
      .selectFrom('word_sightings')
      .select(['word_key', (eb) => eb.fn.count<number>('edition_id').as('editions')])
      .where('publication_id', '=', publicationId)
      .where('word_key', 'in', keys.slice(i, i + 500))
      .groupBy('word_key')
      .having((eb) => eb.fn.count('edition_id'), '>=', LEARN_AFTER_EDITIONS)
      .execute();
    for (const { word_key: key } of due) {
      if (await insertLearned(tx, publicationId, byKey.get(key)!, 'approvals', input.by, at)) learned.push(byKey.get(key)!);
    }
  }
  if (learned.length) {
    await recordAudit(tx, { actor: input.by, action: 'word.learn', subjectType: 'edition', subjectId: editionId, details: { words: learned } }, at);
  }
  return learned;
}

async function insertLearned(tx: Store, publicationId: number, word: string, source: LearnedWordSource, by: string, at: Millis): Promise<boolean> {
  const inserted = await tx.db
    .insertInto('learned_words')
    .values({ publication_id: publicationId, word, word_key: learnedWordKey(word), source, added_by: by, added_at: at })
    .onConflict((oc) => oc.columns(['publication_id', 'word_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}
