// The per-recipient values spliced into a send's message: address, a
// Message-ID on the sending domain, the date, and the signed links. The
// Message-ID is derived from the send and the recipient, not drawn at random,
// so that a message sent twice (a worker died after the relay accepted it)
// carries the same Message-ID both times and mail programs can fold the copies.
import type { RecipientValues } from './splice.ts';

/** Signed per-recipient links; implemented with audience's tokens. */
export interface RecipientLinks {
  /** The unsubscribe (one-click, RFC 8058), preferences and mailto unsubscribe addresses of one recipient. */
  linksFor(recipient: LinkRecipient): { unsubscribeUrl: string; preferencesUrl: string; unsubscribeMailto: string };
}

export interface LinkRecipient {
  publicationId: number;
  subscriberId: number | null;
  email: string;
}

/** The Message-ID (without angle brackets) of one recipient of one send. */
export function messageIdFor(sendId: number, recipientId: number, domain: string): string {
  return `${sendId}.${recipientId}.matinale@${domain}`;
}

/** The send a Message-ID of `messageIdFor` names (the outbox files its messages by it); undefined for any other id. */
export function sendOfMessageId(messageId: string): number | undefined {
  const m = /^(\d{1,15})\.\d{1,15}\.matinale@/.exec(messageId);
  return m ? Number(m[1]) : undefined;
}

// The Date header names the second: every message of that second shares its text.
let dateSecond = NaN;
let dateText = '';

/** A date for the Date header (RFC 5322), in UTC. */
export function rfc5322Date(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== dateSecond) {
    dateText = new Date(ms).toUTCString().replace(/GMT$/, '+0000');
    dateSecond = second;
  }
  return dateText;
}

/** Everything a template needs for one recipient. */
export function recipientValues(
  links: RecipientLinks,
  r: { sendId: number; recipientId: number; publicationId: number; subscriberId: number | null; email: string },
  domain: string,
  now: number,
): RecipientValues {
  const l = links.linksFor({ publicationId: r.publicationId, subscriberId: r.subscriberId, email: r.email });
  return {
    to: r.email,
    recipient: r.email,
    messageId: messageIdFor(r.sendId, r.recipientId, domain),
    date: rfc5322Date(now),
    unsubscribeUrl: l.unsubscribeUrl,
    preferencesUrl: l.preferencesUrl,
    unsubscribeMailto: l.unsubscribeMailto,
  };
}
