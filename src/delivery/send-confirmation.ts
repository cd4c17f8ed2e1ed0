// What a person confirms before a send to the list: how many readers it would
// go to if it started now, the subject as the mail will carry it, the sender,
// and the edition's date against today in the publication's time zone (an
// edition sent on another day than its own is most often a mistake).
import { parseEdition } from '../edition/parse.ts';
import { typesetSubject } from '../render/edition-parts.ts';
import type { Store } from '../store/db.ts';
import { getEdition, getVersion } from '../store/editions.ts';
import { getPublication } from '../store/publications.ts';
import { listSizeNow } from '../store/send-report.ts';
import { dateIn } from '../clock.ts';

export interface ListSendFacts {
  editionId: number;
  /** The version that would go out (a save after the confirmation voids it). */
  version: number;
  publicationName: string;
  language: string;
  timezone: string;
  /** Active, unsuppressed subscribers now. */
  recipients: number;
  /** The subject of the mail (typeset as sent); null when the source does not parse. */
  subject: string | null;
  from: string;
  replyTo: string | null;
  editionDate: string;
  /** Today's date in the publication's time zone. */
  today: string;
  /** Days from today to the edition's date (negative: in the past). */
  daysFromToday: number;
}

/** The facts of a list send of an edition as of `now`, or undefined when there is no such edition. */
export async function listSendFacts(store: Store, editionId: number, now: number): Promise<ListSendFacts | undefined> {
  const edition = await getEdition(store, editionId);
  const stored = edition && (await getPublication(store, edition.publicationId));
  if (!edition || !stored) return undefined;
  const publication = stored.settings;
  const version = await getVersion(store, edition.id, edition.currentVersion);
  const parsed = version ? parseEdition(version.source, { file: `edition-${edition.id}.md`, publication }) : undefined;
  const today = dateIn(now, publication.timezone);
  return {
    editionId: edition.id,
    version: edition.currentVersion,
    publicationName: publication.name,
    language: publication.language,
    timezone: publication.timezone,
    recipients: await listSizeNow(store, stored.id),
    subject: parsed?.edition ? typesetSubject(parsed.edition, publication) : null,
    from: publication.from,
    replyTo: publication.replyTo ?? null,
    editionDate: edition.date,
    today,
    daysFromToday: Math.round((Date.parse(`${edition.date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000),
  };
}
