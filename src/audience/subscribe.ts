// Subscribing through the form: double opt-in. The answer is the same whether
// the address was unknown, pending, unsubscribed or already active, and every
// case sends exactly one mail, so neither the response nor its timing tells a
// stranger whether an address is on the list. Only the mailbox owner learns it.
import type { Store } from '../store/db.ts';
import { inTransaction } from '../store/transaction.ts';
import { ensureSubscriber } from '../store/subscribers.ts';
import { createSubscription, findSubscription } from '../store/subscriptions.ts';
import { appendConsent } from '../store/consent-log.ts';
import { parseAddress, type AddressProblem } from './address.ts';
import type { AudienceDeps } from './deps.ts';
import { confirmUrl, recipientLinks } from './links.ts';
import { alreadySubscribedMail, confirmationMail } from './mails.ts';
import type { Mail } from './mailer.ts';
import { publicationBySlug, type PublicationRef } from './publication-ref.ts';
import { audienceStrings } from './strings.ts';
import type { ChangeContext } from './transitions.ts';

export interface SubscribeRequest {
  publicationSlug: string;
  email: string;
  name?: string;
  /** The requester's IP: only its keyed hash reaches the consent log. */
  ip?: string;
  /** Consent wording version the person saw (default: the current one of the publication's language). */
  wordingVersion?: string;
  method?: 'form' | 'admin';
}

export type SubscribeResult =
  | { status: 'accepted'; publication: PublicationRef }
  | { status: 'invalid-address'; problem: AddressProblem; publication: PublicationRef }
  | { status: 'unknown-publication' };

/**
 * Records that an address asks to receive a publication and returns the mail
 * with its confirmation link (double opt-in), for the caller to send once the
 * transaction is committed. Unknown → pending; a pending or unsubscribed
 * subscription stays as it is until the link is followed, so that a stranger
 * typing someone's address cannot change that person's state, and a
 * suppression is lifted only by the confirmation (transitions.ts).
 */
export async function requestConfirmation(
  tx: Store,
  deps: AudienceDeps,
  subscriber: { id: number; email: string },
  publication: PublicationRef,
  c: ChangeContext,
): Promise<Mail> {
  if (!(await findSubscription(tx, subscriber.id, publication.id))) {
    await createSubscription(tx, { subscriberId: subscriber.id, publicationId: publication.id, status: 'pending', source: c.method, at: c.at });
  }
  await appendConsent(tx, {
    subscriberId: subscriber.id,
    publicationId: publication.id,
    action: 'subscribe-request',
    method: c.method,
    wordingVersion: c.wordingVersion ?? audienceStrings(publication.language).wordingVersion,
    ipHash: c.ipHash ?? null,
    details: c.details ?? null,
    at: c.at,
  });
  const link = confirmUrl(deps.keys, deps.publicUrl, subscriber.id, publication.id, c.at);
  return confirmationMail(publication, subscriber.email, link, deps.publicUrl);
}

/** Asks for a subscription; the subscription becomes active only through the confirmation link. */
export async function subscribe(deps: AudienceDeps, req: SubscribeRequest): Promise<SubscribeResult> {
  const publication = await publicationBySlug(deps.store, req.publicationSlug);
  if (!publication) return { status: 'unknown-publication' };
  const parsed = parseAddress(req.email);
  if (!parsed.ok) return { status: 'invalid-address', problem: parsed.problem, publication };
  const email = parsed.address;
  const now = deps.clock.now();
  const name = req.name?.trim().slice(0, 200) || null;
  const method = req.method ?? 'form';

  const mail = await inTransaction(deps.store, async (tx): Promise<Mail> => {
    const subscriber = await ensureSubscriber(tx, { email, emailHash: deps.keys.addressHash(email), name, at: now });
    const existing = await findSubscription(tx, subscriber.id, publication.id);
    if (existing?.status === 'active') {
      // No state change; the owner of the mailbox is told, nobody else.
      const links = recipientLinks(deps.keys, deps.publicUrl, subscriber.id, publication.id, now);
      return alreadySubscribedMail(publication, subscriber.email ?? email, links, deps.publicUrl);
    }
    return requestConfirmation(tx, deps, { id: subscriber.id, email: subscriber.email ?? email }, publication, {
      method,
      at: now,
      ipHash: req.ip ? deps.keys.ipHash(req.ip) : null,
      wordingVersion: req.wordingVersion ?? audienceStrings(publication.language).wordingVersion,
    });
  });
  await deps.mailer.send(mail);
  return { status: 'accepted', publication };
}
