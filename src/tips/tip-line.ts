// The rules of the tip line, over the store: a tip is filed with its receipt
// code, a source comes back with the code to read replies and add to the
// tip, the newsroom replies. Everything that reaches the store is
// ciphertext, the publication, the day and sizes (src/tips/README.md).
import { randomBytes } from 'node:crypto';
import type { PublicKey } from 'openpgp';
import type { Clock } from '../clock.ts';
import type { Language } from '../edition/publication.ts';
import type { Store } from '../store/db.ts';
import { addTipParts, findTipByThread, getTip, insertTip, tipParts, type NewTipPart } from '../store/tips.ts';
import { newReceiptCode, readReceiptCode, type CodeProblem } from './receipt-code.ts';
import { replyPassphrase, type REPLY_KDF } from './reply-kdf.ts';
import { newReplyKey, openReply, sealForDesk, sealReply, unlockReplyKey } from './seal.ts';
import { threadHash } from './thread-hash.ts';

export interface TipLineDeps {
  store: Store;
  /** MATINALE_SECRET: keys the receipt codes' hashes. */
  secret: string;
  clock: Clock;
  /** scrypt's parameters (tests of other things may make it cheaper). */
  kdf?: typeof REPLY_KDF;
}

export interface TipPublication {
  id: number;
  language: Language;
}

/** `YYYY-MM-DD` (UTC) of a time: the only date a tip keeps. */
export function tipDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

async function newThread(deps: TipLineDeps, publication: TipPublication, code: string, day: string, parts: NewTipPart[]): Promise<void> {
  const salt = randomBytes(16);
  const passphrase = await replyPassphrase(code, salt, deps.kdf);
  const key = await newReplyKey(passphrase, day);
  await insertTip(deps.store, {
    publicationId: publication.id,
    day,
    threadHash: threadHash(deps.secret, code),
    replySalt: salt.toString('base64url'),
    replyPublicKey: key.publicKey,
    replyPrivateKey: key.privateKey,
    parts,
  });
}

/** Files a tip whose parts are already sealed to the desk; returns the receipt code, shown once to the source. */
export async function fileTip(deps: TipLineDeps, publication: TipPublication, parts: NewTipPart[]): Promise<string> {
  if (!parts.some((p) => p.kind === 'message' || p.kind === 'attachment')) throw new Error('a tip needs a message or a file');
  const code = newReceiptCode(publication.language);
  await newThread(deps, publication, code, tipDay(deps.clock.now()), parts);
  return code;
}

export type ThreadView = { ok: true; code: string; replies: string[] } | { ok: false; problem: CodeProblem };

// What a code that opens no thread is checked against, so that it costs what a
// right code costs: scrypt of the typed code, then a key unlocked with success
// (OpenPGP checks a key it has unlocked, a cost a failed unlock would skip), so
// the decoy keeps its own passphrase. Made once per process.
let decoy: Promise<{ salt: Buffer; privateKey: string; passphrase: string }> | undefined;
function decoyThread(): Promise<{ salt: Buffer; privateKey: string; passphrase: string }> {
  const passphrase = randomBytes(32).toString('base64url');
  decoy ??= newReplyKey(passphrase, '2000-01-01').then((k) => ({ salt: randomBytes(16), privateKey: k.privateKey, passphrase }));
  return decoy;
}

/**
 * What a source with a code may read: the newsroom's replies. A well-formed
 * code that opens no thread of this publication gets exactly what a thread
 * without replies gets, after the same work (so, the same time): whoever
 * tries codes learns nothing, not even whether a tip exists.
 */
export async function openThread(deps: TipLineDeps, publication: TipPublication, typed: string): Promise<ThreadView> {
  const read = readReceiptCode(typed, publication.language);
  if (!read.ok) return read;
  const found = await findTipByThread(deps.store, threadHash(deps.secret, read.code));
  const thread = found?.publicationId === publication.id ? found : undefined;
  const fake = await decoyThread();
  const salt = thread ? Buffer.from(thread.replySalt, 'base64url') : fake.salt;
  const passphrase = await replyPassphrase(read.code, salt, deps.kdf);
  const key = thread ? await unlockReplyKey(thread.replyPrivateKey, passphrase) : await unlockReplyKey(fake.privateKey, fake.passphrase);
  // The replies are looked up for a code that opens nothing too (tip 0 has
  // none), so the two answers cost the same query; a thread's replies are
  // then on the page, which says more than any timing could.
  const replies: string[] = [];
  const parts = await tipParts(deps.store, thread && key ? thread.id : 0, ['reply']);
  if (thread && key) for (const part of parts) replies.push(await openReply(part.ciphertext, key));
  return { ok: true, code: read.code, replies };
}

/**
 * Adds to the tip a code opens. A code that opens none starts a thread of its
 * own under that code (whoever holds a code it opens is the only one who can
 * read its replies), so that the answer never says whether a tip existed.
 */
export async function addToTip(deps: TipLineDeps, publication: TipPublication, typed: string, parts: NewTipPart[]): Promise<{ ok: true } | { ok: false; problem: CodeProblem }> {
  const read = readReceiptCode(typed, publication.language);
  if (!read.ok) return read;
  const day = tipDay(deps.clock.now());
  const found = await findTipByThread(deps.store, threadHash(deps.secret, read.code));
  if (found?.publicationId === publication.id && (await addTipParts(deps.store, found.id, day, parts))) return { ok: true };
  if (found) return { ok: true }; // another publication's thread: never mixed, never revealed
  await newThread(deps, publication, read.code, day, parts);
  return { ok: true };
}

/** The newsroom's reply to a tip, sealed to the source's reply key and to the desk; false when the tip is gone. */
export async function replyToTip(deps: TipLineDeps, tipId: number, text: string, desk: PublicKey[]): Promise<boolean> {
  const tip = await getTip(deps.store, tipId);
  if (!tip) return false;
  const day = tipDay(deps.clock.now());
  const ciphertext = await sealReply(text, tip.replyPublicKey, desk, day);
  return addTipParts(deps.store, tipId, day, [{ kind: 'reply', ciphertext }]);
}

/** Seals a source's text to the desk, as a part of the given kind. */
export async function sealText(text: string, desk: PublicKey[], day: string, kind: 'message' | 'follow-up'): Promise<NewTipPart> {
  return { kind, ciphertext: await sealForDesk(new TextEncoder().encode(text), desk, day, 'message.txt') };
}
