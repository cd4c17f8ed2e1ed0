// The keyed hashes an import has written so far, kept as their first 48 bits
// in an open-addressing table of doubles (8 bytes a hash, at most three
// quarters full): 16 MiB for a file of 1,000,000 addresses.
//
// An import that rebuilds the address indexes (subscriber-import-rebuild.ts)
// has no unique index to refuse an address repeated from an earlier chunk:
// this table tells which rows of a chunk may be such a repeat. A repeat always
// has the same first bits, so none is missed; two different addresses share
// them about once in 2^48, and the database settles every row the table
// names. Hashes are base64url (43 characters of uniformly random bits).

/** Value of each base64url character (and of anything else: its low six bits, harmless in a filter). */
const SIXBITS = new Uint8Array(128);
for (let i = 0; i < 128; i++) SIXBITS[i] = i & 63;
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('').forEach((c, i) => (SIXBITS[c.charCodeAt(0)] = i));

const sixBits = (hash: string, i: number) => SIXBITS[hash.charCodeAt(i) & 127]!;

/** Which hashes were added, by their first 48 bits: never wrong when it says a hash is new. */
export class SeenHashes {
  private slots: Float64Array;
  private mask: number;
  private count = 0;

  /** Sized for `expected` hashes; grows beyond. */
  constructor(expected: number) {
    let capacity = 1024;
    while (capacity * 0.75 < expected) capacity *= 2;
    this.slots = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Adds a hash; true when one with the same first 48 bits was there already (the same hash, or almost never another). */
  add(hash: string): boolean {
    if ((this.count + 1) * 4 > this.slots.length * 3) this.grow();
    const high = (sixBits(hash, 0) << 18) | (sixBits(hash, 1) << 12) | (sixBits(hash, 2) << 6) | sixBits(hash, 3);
    const low = (sixBits(hash, 4) << 18) | (sixBits(hash, 5) << 12) | (sixBits(hash, 6) << 6) | sixBits(hash, 7);
    // Never 0, the empty slot's value.
    if (!this.place(high * 16_777_216 + low + 1, low)) return true;
    this.count++;
    return false;
  }

  /** Puts a key in its slot; false when it was there already. */
  private place(key: number, low: number): boolean {
    for (let i = low & this.mask; ; i = (i + 1) & this.mask) {
      const slot = this.slots[i]!;
      if (slot === key) return false;
      if (slot === 0) {
        this.slots[i] = key;
        return true;
      }
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.mask = this.slots.length - 1;
    for (const key of old) if (key !== 0) this.place(key, (key - 1) % 16_777_216);
  }
}
