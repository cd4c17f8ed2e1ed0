// A team member's OpenPGP public key, checked before the tip line relies on
// it: a tip encrypted to a key that is expired, revoked or breakable is a tip
// nobody should be able to read, or that someone else could. Checked when the
// key is set and again each time the desk's keys are gathered (a key expires).
import * as openpgp from 'openpgp';

/** Below this many bits an RSA key is refused (NIST SP 800-131A disallows 1024). */
export const MIN_RSA_BITS = 2048;

// Algorithms OpenPGP.js and GnuPG still read but no newsroom should encrypt to.
const OBSOLETE = new Set(['dsa', 'elgamal']);

export interface CheckedKey {
  key: openpgp.PublicKey;
  /** The fingerprint, upper-case hex in groups of four, as GnuPG shows it. */
  fingerprint: string;
  /** The key as stored: ASCII armour of the public key only. */
  armored: string;
  /** When it expires, if it does. */
  expires: Date | undefined;
}

/** Why a key was refused, in a sentence for the person who gave it. */
export class KeyRefusedError extends Error {}

/** Spaced fingerprint: `ABCD EF01 …`. */
export function spacedFingerprint(hex: string): string {
  return hex.toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
}

/** Reads and checks an armoured public key at `now`; throws KeyRefusedError saying why it cannot serve. */
export async function checkMemberKey(armored: string, now: Date): Promise<CheckedKey> {
  let key: openpgp.Key;
  try {
    key = await openpgp.readKey({ armoredKey: armored });
  } catch (err) {
    throw new KeyRefusedError(`this is not an OpenPGP public key (${(err as Error).message})`);
  }
  const fingerprint = spacedFingerprint(key.getFingerprint());
  if (key.isPrivate()) throw new KeyRefusedError(`this is a private key (${fingerprint}): give the public key only (gpg --armor --export)`);
  weakness(key.getAlgorithmInfo(), 'primary key', fingerprint);
  for (const sub of key.subkeys) weakness(sub.getAlgorithmInfo(), 'subkey', fingerprint);
  if (await key.isRevoked(undefined, undefined, now)) throw new KeyRefusedError(`the key ${fingerprint} is revoked`);
  const expiration = await key.getExpirationTime();
  if (expiration instanceof Date && expiration.getTime() <= now.getTime()) {
    throw new KeyRefusedError(`the key ${fingerprint} expired on ${expiration.toISOString().slice(0, 10)}: extend it (gpg --quick-set-expire) and export it again`);
  }
  try {
    await key.verifyPrimaryKey(now);
    await key.getEncryptionKey(undefined, now);
  } catch (err) {
    throw new KeyRefusedError(`the key ${fingerprint} cannot encrypt now (${(err as Error).message})`);
  }
  return { key, fingerprint, armored: key.armor(), expires: expiration instanceof Date ? expiration : undefined };
}

function weakness(info: openpgp.AlgorithmInfo, which: string, fingerprint: string): void {
  const algorithm = String(info.algorithm);
  if (algorithm.startsWith('rsa') && (info.bits ?? 0) < MIN_RSA_BITS) {
    throw new KeyRefusedError(`the key ${fingerprint} is too weak: its ${which} is RSA of ${info.bits} bits, and ${MIN_RSA_BITS} is the least`);
  }
  if (OBSOLETE.has(algorithm)) throw new KeyRefusedError(`the key ${fingerprint} is too weak: its ${which} uses ${algorithm.toUpperCase()}, which is obsolete`);
}
