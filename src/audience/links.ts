// The links of the audience, built in one place with the web routes they lead
// to (src/web/routes/audience.ts): confirmation, unsubscribe, preferences,
// and the List-Unsubscribe headers (RFC 2369, RFC 8058) every mail carries.
import type { AudienceKeys } from './keys.ts';
import { signToken, signTokenBothWays } from './tokens.ts';

// Every message of a send asks for the same PUBLIC_URL: parsed once.
let lastUrl: string | undefined;
let lastBase = '';

function base(publicUrl: string): string {
  if (publicUrl !== lastUrl) {
    lastBase = new URL(publicUrl).href.replace(/\/+$/, '');
    lastUrl = publicUrl;
  }
  return lastBase;
}

/** The link that confirms a subscription (expires: see AudiencePolicy.confirmMaxAgeMs). */
export function confirmUrl(keys: AudienceKeys, publicUrl: string, subscriberId: number, publicationId: number, now: number): string {
  const token = signToken(keys, { purpose: 'confirm', subscriberId, publicationId, issuedAt: now });
  return `${base(publicUrl)}/confirm/${token}`;
}

/** The unsubscribe link of one subscriber for one publication: page on GET, one-click on POST. Never expires. */
export function unsubscribeUrl(keys: AudienceKeys, publicUrl: string, subscriberId: number, publicationId: number, now: number): string {
  const token = signToken(keys, { purpose: 'unsubscribe', subscriberId, publicationId, issuedAt: now });
  return `${base(publicUrl)}/unsubscribe/${token}`;
}

/**
 * The mailto of List-Unsubscribe: the unsubscribe token in the local part,
 * issued caseless since mail servers may fold local parts to lower case.
 */
export function unsubscribeMailto(keys: AudienceKeys, mailDomain: string, subscriberId: number, publicationId: number, now: number): string {
  const token = signToken(keys, { purpose: 'unsubscribe', subscriberId, publicationId, issuedAt: now }, { caseless: true });
  return `mailto:unsubscribe+${token}@${mailDomain}?subject=unsubscribe`;
}

/** The preferences link of one subscriber (publications, name). Never expires. */
export function preferencesUrl(keys: AudienceKeys, publicUrl: string, subscriberId: number, publicationId: number, now: number): string {
  const token = signToken(keys, { purpose: 'preferences', subscriberId, publicationId, issuedAt: now });
  return `${base(publicUrl)}/preferences/${token}`;
}

export interface RecipientLinks {
  unsubscribeUrl: string;
  preferencesUrl: string;
  /** `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058 one-click). */
  headers: Record<string, string>;
}

/** Everything a mail to one subscriber of one publication needs to let them leave or change their mind. */
export function recipientLinks(keys: AudienceKeys, publicUrl: string, subscriberId: number, publicationId: number, now: number): RecipientLinks {
  const unsubscribe = unsubscribeUrl(keys, publicUrl, subscriberId, publicationId, now);
  return {
    unsubscribeUrl: unsubscribe,
    preferencesUrl: preferencesUrl(keys, publicUrl, subscriberId, publicationId, now),
    headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}

/**
 * The three links of one message of a send: the unsubscribe URL and the
 * mailto of List-Unsubscribe carry one token (the same claims, sealed once,
 * spelled for a link and caseless), and the preferences URL.
 */
export function messageLinks(
  keys: AudienceKeys,
  publicUrl: string,
  mailDomain: string,
  subscriberId: number,
  publicationId: number,
  now: number,
): { unsubscribeUrl: string; preferencesUrl: string; unsubscribeMailto: string } {
  const unsubscribe = signTokenBothWays(keys, { purpose: 'unsubscribe', subscriberId, publicationId, issuedAt: now });
  return {
    unsubscribeUrl: `${base(publicUrl)}/unsubscribe/${unsubscribe.link}`,
    preferencesUrl: preferencesUrl(keys, publicUrl, subscriberId, publicationId, now),
    unsubscribeMailto: `mailto:unsubscribe+${unsubscribe.caseless}@${mailDomain}?subject=unsubscribe`,
  };
}
