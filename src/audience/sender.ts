// The sender of a publication's transactional mails: its `from` setting, else
// a no-reply address on the public host, so that a mail always has a sender.
import type { PublicationRef } from './publication-ref.ts';

/** `From` and `Reply-To` of the publication's mails. */
export function senderOf(publication: PublicationRef, publicUrl: string): { from: string; replyTo?: string } {
  const from = publication.settings.from ?? `${publication.name.replace(/[<>"]/g, '')} <no-reply@${new URL(publicUrl).hostname}>`;
  return publication.settings.replyTo ? { from, replyTo: publication.settings.replyTo } : { from };
}
