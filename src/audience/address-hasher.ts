// The keyed hash of an address (HMAC-SHA256, RFC 2104), computed in
// JavaScript from the key's two padded blocks hashed once.
//
// An import hashes every address of its file: `createHmac` per address cost
// about 2.5 µs (a new OpenSSL context each time), a fifth of the import's CPU
// in Node. An address is short, so with the states after the inner and outer
// padded keys kept, its HMAC is two SHA-256 compressions (FIPS 180-4, 6.2.2)
// and no object: about 1 µs. The bytes are those of `createHmac`
// (address-hasher.test.ts compares them over many lengths and characters).

// The first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4, 4.2.2).
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// The initial hash value (FIPS 180-4, 5.3.3).
const INITIAL = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const BLOCK = 64;
const schedule = new Int32Array(64);

/** Folds one 64-byte block of `bytes` at `at` into the state `h`. */
function compress(h: Int32Array, bytes: Uint8Array, at: number): void {
  const w = schedule;
  for (let i = 0; i < 16; i++) {
    const j = at + i * 4;
    w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let f = h[5]!;
  let g = h[6]!;
  let k = h[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (k + s1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    k = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + k) | 0;
}

/** Ends a message of `length` bytes (after `prefix` bytes already folded) in `bytes`: SHA-256's padding; returns the padded length. */
function pad(bytes: Uint8Array, length: number, prefix: number): number {
  let end = length;
  bytes[end++] = 0x80;
  while (end % BLOCK !== 56) bytes[end++] = 0;
  // The message's length in bits, 64-bit big-endian; addresses are far below 2^32 bits.
  const bits = (prefix + length) * 8;
  bytes[end++] = 0;
  bytes[end++] = 0;
  bytes[end++] = 0;
  bytes[end++] = 0;
  bytes[end++] = bits >>> 24;
  bytes[end++] = (bits >>> 16) & 0xff;
  bytes[end++] = (bits >>> 8) & 0xff;
  bytes[end++] = bits & 0xff;
  return end;
}

/** The eight words of a state, big-endian, at the start of `out`. */
function bigEndian(h: Int32Array, out: Uint8Array): void {
  for (let i = 0; i < 8; i++) {
    const v = h[i]!;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = (v >>> 16) & 0xff;
    out[i * 4 + 2] = (v >>> 8) & 0xff;
    out[i * 4 + 3] = v & 0xff;
  }
}

/** HMAC-SHA256 under one key, of short texts, written in base64url. */
export class AddressHasher {
  private readonly innerStart = new Int32Array(INITIAL);
  private readonly outerStart = new Int32Array(INITIAL);
  private readonly state = new Int32Array(8);
  /** The text's UTF-8 and its padding; grown for a longer text. */
  private message = Buffer.alloc(1024);
  /** The inner hash and its padding: the outer hash's last block. */
  private readonly outerBlock = Buffer.alloc(BLOCK);
  private readonly digest = Buffer.alloc(32);

  constructor(key: Uint8Array) {
    // RFC 2104 hashes a key longer than the block first; ours are 32 bytes.
    if (key.length > BLOCK) throw new Error(`an address hash key of ${key.length} bytes is longer than SHA-256's block`);
    const padded = new Uint8Array(BLOCK);
    for (let i = 0; i < BLOCK; i++) padded[i] = (key[i] ?? 0) ^ 0x36;
    compress(this.innerStart, padded, 0);
    for (let i = 0; i < BLOCK; i++) padded[i] = (key[i] ?? 0) ^ 0x5c;
    compress(this.outerStart, padded, 0);
    pad(this.outerBlock, 32, BLOCK);
  }

  /** HMAC-SHA256(key, UTF-8 of `text`), base64url. */
  hash(text: string): string {
    this.room(text.length);
    return this.finish(this.message.write(text, 0, 'utf8'));
  }

  /** The hash of `text.toLowerCase()`; an ASCII text (every address once checked) is lowered as it is copied, without a new string. */
  hashLowerCase(text: string): string {
    this.room(text.length);
    const message = this.message;
    for (let n = 0; n < text.length; n++) {
      let c = text.charCodeAt(n);
      if (c >= 128) return this.hash(text.toLowerCase());
      if (c >= 65 && c <= 90) c += 32;
      message[n] = c;
    }
    return this.finish(text.length);
  }

  /** Room in the message buffer for a text of `length` UTF-16 units (at most 3 bytes of UTF-8 each) and its padding. */
  private room(length: number): void {
    if (length * 3 + 72 > this.message.length) this.message = Buffer.alloc(length * 3 + 72);
  }

  /** The HMAC of the first `bytes` bytes of the message buffer. */
  private finish(bytes: number): string {
    const message = this.message;
    const end = pad(message, bytes, BLOCK);
    const h = this.state;
    h.set(this.innerStart);
    for (let at = 0; at < end; at += BLOCK) compress(h, message, at);
    const outer = this.outerBlock;
    bigEndian(h, outer);
    h.set(this.outerStart);
    compress(h, outer, 0);
    const digest = this.digest;
    bigEndian(h, digest);
    return digest.toString('base64url');
  }
}
