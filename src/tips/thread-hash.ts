// The keyed hash that finds a thread from its receipt code. Keyed with a key
// derived from MATINALE_SECRET for this purpose only (HKDF), so that a copy
// of the database alone cannot even test guesses.
import { createHmac, hkdfSync } from 'node:crypto';

/** The hash of a receipt code (as issued) under the server's secret. */
export function threadHash(secret: string, code: string): string {
  const key = Buffer.from(hkdfSync('sha256', secret, 'matinale-tips', 'matinale:tip-thread', 32));
  return createHmac('sha256', key).update(code).digest('base64url');
}
