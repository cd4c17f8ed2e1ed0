// Sends the welcome mail after a subscription became active (outside the
// transaction that activated it: a slow relay must not hold the write lock).
import type { AudienceDeps } from './deps.ts';
import { recipientLinks } from './links.ts';
import { welcomeMail } from './mails.ts';
import { latestPublicEditionDate, SENT_EDITIONS, type PublicationRef } from './publication-ref.ts';

/** Mails the welcome of `publication` to an active subscriber. */
export async function sendWelcome(
  deps: AudienceDeps,
  subscriber: { id: number; email: string | null },
  publication: PublicationRef,
): Promise<void> {
  if (!subscriber.email) return;
  const now = deps.clock.now();
  const links = recipientLinks(deps.keys, deps.publicUrl, subscriber.id, publication.id, now);
  // The latest edition its reader can open: what the public site shows (approved ones too on the embedded default).
  const latest = await latestPublicEditionDate(deps.store, publication, deps.publicRule ?? SENT_EDITIONS);
  await deps.mailer.send(welcomeMail(publication, subscriber.email, links, latest, deps.publicUrl));
}
