// Every key the audience uses is derived from the one configured secret, one
// key per purpose (HKDF-SHA256), so that a value computed for one purpose (an
// address hash, an IP hash, a token of one kind) can never be replayed as
// another, and so that rotating MATINALE_SECRET invalidates them all together.
import { createHmac, hkdfSync } from 'node:crypto';
import { AddressHasher } from './address-hasher.ts';

/** What a derived key is for; the name is part of the derivation. */
export type KeyPurpose =
  | 'address-hash'
  | 'ip-hash'
  // The first format's tags, one key per purpose (legacy-tokens.ts, read only).
  | 'token:confirm'
  | 'token:unsubscribe'
  | 'token:preferences'
  // The sealed tokens (tokens.ts): the tag that authenticates, the key that encrypts.
  | 'token:tag'
  | 'token:seal'
  // The preferences form's token, tied to its link (preferences-link.ts).
  | 'preferences-form';

/** Keys derived from the configured secret, with the keyed hashes built on them. */
export class AudienceKeys {
  private readonly cache = new Map<KeyPurpose, Buffer>();
  private addressHasher: AddressHasher | undefined;

  constructor(private readonly secret: string) {
    if (!secret) throw new Error('the audience needs a secret (MATINALE_SECRET)');
  }

  /** The key for one purpose (32 bytes), derived once and cached. */
  key(purpose: KeyPurpose): Buffer {
    let k = this.cache.get(purpose);
    if (!k) {
      k = Buffer.from(hkdfSync('sha256', this.secret, 'matinale-audience', `matinale:${purpose}`, 32));
      this.cache.set(purpose, k);
    }
    return k;
  }

  /** Keyed hash of a normalised address: identifies a subscriber and a suppression without the address. */
  addressHash(normalisedAddress: string): string {
    // The local part is compared without case, as every mainstream provider does:
    // `Ann@x.org` who unsubscribed must not be mailed again as `ann@x.org`.
    // HMAC-SHA256 without an OpenSSL context per address (address-hasher.ts): an import hashes millions.
    this.addressHasher ??= new AddressHasher(this.key('address-hash'));
    return this.addressHasher.hashLowerCase(normalisedAddress);
  }

  /** Keyed hash of an IP address, for the consent log: never the address itself. */
  ipHash(ip: string): string {
    return createHmac('sha256', this.key('ip-hash')).update(ip).digest('base64url').slice(0, 22);
  }
}
