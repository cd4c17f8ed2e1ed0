// Every OpenPGP operation of the tip line, with OpenPGP.js: sealing what a
// source sends to the desk's keys (streamed: the plain bytes pass through
// memory once, in chunks, and only ciphertext comes out), the source's reply
// key, and the replies. Outputs are standard OpenPGP messages (RFC 9580
// packets OpenPGP.js writes for v4 keys) that GnuPG decrypts.
import type * as openpgp from 'openpgp';

// OpenPGP.js loads on the first tip or reply, not in every process that can
// reach the tip line (a worker only purges old tips; see src/cli/README.md).
const loadOpenpgp = () => import('openpgp');

/** Bytes or a stream of them. */
export type PlainInput = Uint8Array | ReadableStream<Uint8Array>;

// A literal packet carries a date: the day's midnight, never the time of arrival.
function dayDate(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** Encrypts plain bytes to the desk's keys; the file name, if any, is sealed inside. Returns the armoured message. */
export async function sealForDesk(input: PlainInput, keys: openpgp.PublicKey[], day: string, filename = ''): Promise<string> {
  const pgp = await loadOpenpgp();
  if (keys.length === 0) throw new Error('no key to encrypt the tip to');
  const date = dayDate(day);
  const message = await pgp.createMessage({ binary: input, filename, date, format: 'binary' });
  // Keys are checked as of now (the day's midnight may precede a key made this morning).
  const sealed = await pgp.encrypt({ message, encryptionKeys: keys, format: 'armored' });
  return typeof sealed === 'string' ? sealed : await readAll(sealed);
}

async function readAll(stream: ReadableStream<string>): Promise<string> {
  let out = '';
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out += value;
  }
}

/** A reply key for a new thread: the private key locked with the code's passphrase; its dates are the day's. */
export async function newReplyKey(passphrase: string, day: string): Promise<{ publicKey: string; privateKey: string }> {
  const pgp = await loadOpenpgp();
  const { publicKey, privateKey } = await pgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'source' }],
    passphrase,
    date: dayDate(day),
    format: 'armored',
    // The passphrase is already scrypt's output (reply-kdf.ts): the memory-hard
    // work is done; OpenPGP's own iterated S2K adds none and is kept at its least.
    config: { s2kIterationCountByte: 0 },
  });
  return { publicKey, privateKey };
}

/** Encrypts a reply to the source's reply key and to the desk (so that the newsroom can read what it wrote). */
export async function sealReply(text: string, replyPublicKey: string, deskKeys: openpgp.PublicKey[], day: string): Promise<string> {
  const pgp = await loadOpenpgp();
  const sourceKey = await pgp.readKey({ armoredKey: replyPublicKey });
  const message = await pgp.createMessage({ text, date: dayDate(day) });
  return pgp.encrypt({ message, encryptionKeys: [sourceKey, ...deskKeys], format: 'armored' });
}

/** Unlocks a reply key; undefined when the passphrase is not its own. */
export async function unlockReplyKey(armoredPrivateKey: string, passphrase: string): Promise<openpgp.PrivateKey | undefined> {
  const pgp = await loadOpenpgp();
  try {
    const privateKey = await pgp.readPrivateKey({ armoredKey: armoredPrivateKey });
    return await pgp.decryptKey({ privateKey, passphrase });
  } catch {
    return undefined;
  }
}

/** The text of a reply, with the unlocked reply key. */
export async function openReply(armored: string, key: openpgp.PrivateKey): Promise<string> {
  const pgp = await loadOpenpgp();
  const message = await pgp.readMessage({ armoredMessage: armored });
  const { data } = await pgp.decrypt({ message, decryptionKeys: key, format: 'utf8' });
  return data as string;
}

/**
 * Checks a message sealed in the source's browser before it is stored: an
 * OpenPGP message of public-key encrypted session keys, one for every desk
 * key, and one encrypted data packet, nothing else (so that a broken or
 * hostile script cannot make the server store plain text). Returns the
 * armoured message as checked, or undefined when it is not that.
 */
export async function checkSealedForDesk(armored: string, keys: openpgp.PublicKey[]): Promise<string | undefined> {
  const pgp = await loadOpenpgp();
  let message: openpgp.Message<string>;
  try {
    message = await pgp.readMessage({ armoredMessage: armored });
  } catch {
    return undefined;
  }
  const packets = [...message.packets];
  const sessionKeys = packets.filter((p) => p instanceof pgp.PublicKeyEncryptedSessionKeyPacket);
  const data = packets.filter((p) => p instanceof pgp.SymEncryptedIntegrityProtectedDataPacket || p instanceof pgp.AEADEncryptedDataPacket);
  if (data.length !== 1 || sessionKeys.length + data.length !== packets.length) return undefined;
  const to = new Set(message.getEncryptionKeyIDs().map((id) => id.toHex()));
  for (const key of keys) {
    const encryption = await key.getEncryptionKey().catch(() => undefined);
    if (!encryption || !to.has(encryption.getKeyID().toHex())) return undefined;
  }
  return armored;
}
