// What turns a receipt code into the passphrase of its thread's reply key.
// scrypt is memory-hard: with these parameters each guess costs 32 MiB and
// tens of milliseconds, on top of the code's 80 bits. The passphrase never
// leaves memory; the database holds only the salt.
import { scrypt, type ScryptOptions } from 'node:crypto';

/** scrypt's parameters: N = 2^15, r = 8, p = 1 (128 · N · r = 32 MiB), 32-byte output. */
export const REPLY_KDF = Object.freeze({ N: 2 ** 15, r: 8, p: 1, keyLength: 32, maxmem: 64 * 1024 * 1024 });

/** The passphrase of a thread's reply key, from the receipt code (as issued) and the thread's salt. */
export function replyPassphrase(code: string, salt: Buffer, params: typeof REPLY_KDF = REPLY_KDF): Promise<string> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: params.maxmem };
  return new Promise((resolve, reject) =>
    scrypt(code.normalize('NFC'), salt, params.keyLength, options, (err, key) => (err ? reject(err) : resolve(key.toString('base64url')))),
  );
}
