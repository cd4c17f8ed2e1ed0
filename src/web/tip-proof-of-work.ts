// The proof of work the tip form's script does before a tip sealed in the
// browser is accepted: a few seconds of SHA-256 in the source's browser, to
// make a flood costly without a third-party service. Stateless on the way
// out: the challenge is signed (HMAC under a key derived from
// MATINALE_SECRET) with the time it was issued; on the way back the
// signature, age and work are checked, and a challenge is accepted once (the
// used ones are remembered in memory until they expire). Without JavaScript
// there is no proof: the per-network brake alone applies.
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.ts';

/** Leading zero bits the hash must have: 2^18 tries on average, a few seconds in a browser. */
export const POW_BITS = 18;
/** How long a challenge may be worked on and sent back. */
export const POW_MAX_AGE_MS = 2 * 3_600_000;

function zeroBits(hash: Buffer): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** The SHA-256 of a challenge and a nonce, as the browser computes it. */
export function powHash(challenge: string, nonce: string): Buffer {
  return createHash('sha256').update(`${challenge}:${nonce}`).digest();
}

export class ProofOfWork {
  private readonly key: Buffer;
  private used = new Map<string, number>();
  constructor(
    secret: string,
    private clock: Clock,
    readonly bits: number = POW_BITS,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'matinale-tips', 'matinale:tip-pow', 32));
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  /** A new challenge: `v1.<issued ms>.<bits>.<random>.<mac>`. */
  challenge(): string {
    const body = `v1.${this.clock.now()}.${this.bits}.${randomBytes(12).toString('base64url')}`;
    return `${body}.${this.mac(body)}`;
  }

  /** True when `proof` (`<challenge>:<nonce>`) is a signed, fresh, unused challenge with enough work. */
  accept(proof: string): boolean {
    const cut = proof.lastIndexOf(':');
    if (cut < 0) return false;
    const challenge = proof.slice(0, cut);
    const nonce = proof.slice(cut + 1);
    const m = /^(v1\.(\d{1,15})\.(\d{1,2})\.[A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/.exec(challenge);
    if (!m || !/^[0-9a-z]{1,32}$/.test(nonce)) return false;
    const expected = Buffer.from(this.mac(m[1]!));
    if (!timingSafeEqual(expected, Buffer.from(m[4]!))) return false;
    const now = this.clock.now();
    const issued = Number(m[2]);
    if (issued > now || now - issued > POW_MAX_AGE_MS) return false;
    if (zeroBits(powHash(challenge, nonce)) < Number(m[3])) return false;
    for (const [c, at] of this.used) if (now - at > POW_MAX_AGE_MS) this.used.delete(c);
    if (this.used.has(challenge)) return false;
    this.used.set(challenge, issued);
    return true;
  }
}
