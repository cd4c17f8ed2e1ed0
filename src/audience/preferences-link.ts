// Around the preferences link: the token its form carries against cross-site
// posts, and a fresh link mailed to the owner of an expired one.
// The form token is an HMAC of the link's token under its own derived key: a
// page from another site cannot read it (same-origin policy) nor compute it,
// and it is worth nothing for any other link. It needs no cookie, so it works
// in the mail program's browser where the reader opened the link.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AudienceDeps } from './deps.ts';
import type { AudienceKeys } from './keys.ts';
import { preferencesUrl } from './links.ts';
import { preferencesLinkMail } from './mails.ts';
import { ownerOf } from './preferences.ts';
import type { PublicationRef } from './publication-ref.ts';

/** The token the preferences form of this link carries. */
export function preferencesFormToken(keys: AudienceKeys, linkToken: string): string {
  return createHmac('sha256', keys.key('preferences-form')).update(linkToken).digest('base64url').slice(0, 32);
}

/** Whether a posted form token is the one of this link (constant time). */
export function isPreferencesFormToken(keys: AudienceKeys, linkToken: string, given: string | undefined): boolean {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(preferencesFormToken(keys, linkToken));
  const sent = Buffer.from(given);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

export type FreshLinkResult = { status: 'sent'; publication: PublicationRef } | { status: 'invalid' };

/**
 * Mails a fresh preferences link to the address an authentic link names,
 * expired or not: it goes to the subscriber's own address only, so holding an
 * old link gives nothing more. `mayMail` is the subscribe form's throttle.
 */
export async function mailFreshPreferencesLink(
  deps: AudienceDeps,
  token: string,
  options: { mayMail?: (publication: PublicationRef, emailHash: string) => boolean } = {},
): Promise<FreshLinkResult> {
  const owner = await ownerOf(deps, token, { anyAge: true });
  if (!owner.ok) return { status: 'invalid' };
  const { subscriber, publication } = owner;
  if (!options.mayMail || options.mayMail(publication, subscriber.email_hash)) {
    const link = preferencesUrl(deps.keys, deps.publicUrl, subscriber.id, publication.id, deps.clock.now());
    await deps.mailer.send(preferencesLinkMail(publication, subscriber.email, link, deps.publicUrl));
  }
  return { status: 'sent', publication };
}
