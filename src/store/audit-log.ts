// The audit log: who did what to which thing, and when. Append-only: there is
// no update or delete here. Entries are written in the same transaction as the
// change they describe, so the log never tells of a change that did not happen.
import type { Store } from './db.ts';
import type { Millis } from './schema.ts';

export interface AuditEntry {
  actor: string;
  /** Dotted verb: `publication.upsert`, `edition.transition`… */
  action: string;
  subjectType: string;
  subjectId?: string | number | null;
  /** Anything worth keeping, as JSON. */
  details?: unknown;
}

export interface AuditRecord {
  id: number;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  details: unknown;
  at: Millis;
}

/** Appends one entry; call it with the transaction's store of the change it records. */
export async function recordAudit(store: Store, entry: AuditEntry, at: Millis): Promise<void> {
  await store.db
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      action: entry.action,
      subject_type: entry.subjectType,
      subject_id: entry.subjectId === undefined || entry.subjectId === null ? null : String(entry.subjectId),
      details: entry.details === undefined ? null : JSON.stringify(entry.details),
      at,
    })
    .execute();
}

/** The entries about one subject (or all), oldest first. */
export async function listAudit(store: Store, subject?: { type: string; id?: string | number }): Promise<AuditRecord[]> {
  let query = store.db.selectFrom('audit_log').selectAll().orderBy('id');
  if (subject) {
    query = query.where('subject_type', '=', subject.type);
    if (subject.id !== undefined) query = query.where('subject_id', '=', String(subject.id));
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    actor: r.actor,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    details: r.details === null ? null : JSON.parse(r.details),
    at: r.at,
  }));
}
