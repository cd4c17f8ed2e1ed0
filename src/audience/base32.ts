// RFC 4648 base32 in lower case, without padding: the alphabet of tokens that
// travel in the local part of an address, which mail servers may fold to
// lower case (letters and the digits 2–7 only, so no case and no look-alikes).
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Bytes → lower-case base32, unpadded. */
export function toBase32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return bits > 0 ? out + ALPHABET[(value << (5 - bits)) & 31] : out;
}

/**
 * Lower-case base32 → bytes; undefined for any other character, or when the
 * spare bits of the last character are not zero (one spelling per value).
 */
export function fromBase32(text: string): Buffer | undefined {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of text) {
    const v = VALUE.get(c);
    if (v === undefined) return undefined;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return value === 0 ? Buffer.from(out) : undefined;
}
