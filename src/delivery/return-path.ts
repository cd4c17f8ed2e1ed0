// The envelope sender of every message: a VERP address naming the send and
// the ledger row, `bounces+<send>-<recipient>-<tag>@domain`, so that a bounce
// report that comes back later says whose message bounced. The tag is a keyed
// HMAC of the two ids: without it anyone could mail a forged report to
// `bounces+1-2@…` and have row 2's reader suppressed. Lower-case hex, because
// some mail systems fold the case of local parts on the way back.
// A transactional mail (confirmation, welcome) has no ledger row: its return
// path names the mail instead, `bounces+t<mail>-<tag>@domain`, so that a report
// about it is known as ours and as no reader's list bounce.
import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';

export interface ReturnPathClaims {
  sendId: number;
  recipientId: number;
}

export type ReturnPathCheck =
  | ({ ok: true } & ReturnPathClaims)
  | { ok: false; reason: 'malformed' | 'other-domain' | 'bad-signature' };

/** 64 bits: a forger has to guess it by mailing reports, one try per message. */
const TAG_HEX = 16;
const SHAPE = /^bounces\+(\d{1,15})-(\d{1,15})-([0-9a-f]+)@([^@\s]+)$/i;
const MAIL_SHAPE = /^bounces\+t([0-9a-f]{1,32})-([0-9a-f]+)@([^@\s]+)$/i;
/** Names a transactional mail in its return path and Message-ID. */
export const MAIL_KEY = /^[0-9a-f]{1,32}$/;

/** Signs and checks return paths with a key derived from the newsroom's secret. */
export class ReturnPaths {
  /** A KeyObject: an HMAC over it takes half the time of one over the key's bytes, every message has one. */
  private readonly key: KeyObject;
  private readonly domain: string;

  constructor(secret: string, mailDomain: string) {
    if (!secret) throw new Error('return paths need a secret (MATINALE_SECRET)');
    // Its own salt and name: a return-path tag is never valid as any audience
    // token or hash (audience/keys.ts derives under `matinale-audience`), nor the reverse.
    this.key = createSecretKey(Buffer.from(hkdfSync('sha256', secret, 'matinale-delivery', 'matinale:return-path', 32)));
    this.domain = mailDomain.toLowerCase();
  }

  /** The envelope sender for one ledger row. */
  addressFor(sendId: number, recipientId: number): string {
    return `bounces+${sendId}-${recipientId}-${this.tag(sendId, recipientId)}@${this.domain}`;
  }

  /** The envelope sender of a transactional mail, named by its key (lower-case hex). */
  addressForMail(mailKey: string): string {
    if (!MAIL_KEY.test(mailKey)) throw new Error('a transactional mail key is 1 to 32 lower-case hex digits');
    return `bounces+t${mailKey}-${this.tag('t', mailKey)}@${this.domain}`;
  }

  /** The key of the transactional mail an address names, when the tag is ours; undefined for anything else. */
  verifyMail(address: string): string | undefined {
    const m = MAIL_SHAPE.exec(address.trim());
    if (!m || m[3]!.toLowerCase() !== this.domain) return undefined;
    const key = m[1]!.toLowerCase();
    return this.matches(m[2]!, this.tag('t', key)) ? key : undefined;
  }

  /** Reads an address back: the ids only when the tag is ours and the domain is the mail domain. */
  verify(address: string): ReturnPathCheck {
    const m = SHAPE.exec(address.trim());
    if (!m) return { ok: false, reason: 'malformed' };
    const [, send, recipient, tag, domain] = m as unknown as [string, string, string, string, string];
    if (domain.toLowerCase() !== this.domain) return { ok: false, reason: 'other-domain' };
    const sendId = Number(send);
    const recipientId = Number(recipient);
    if (!this.matches(tag, this.tag(sendId, recipientId))) return { ok: false, reason: 'bad-signature' };
    return { ok: true, sendId, recipientId };
  }

  private matches(given: string, expected: string): boolean {
    const a = Buffer.from(given.toLowerCase());
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  // `t-<key>` for a transactional mail never collides with `<send>-<recipient>` (digits only).
  private tag(first: number | string, second: number | string): string {
    return createHmac('sha256', this.key).update(`${first}-${second}`).digest('hex').slice(0, TAG_HEX);
  }
}
