// A signing thread (node:worker_threads; the pool is signing-threads.ts):
// computes DKIM's RSA signatures, nothing else. The event loop builds the
// whole message (links, splice, body hash: together about a tenth of a
// signed message's cost) and hands over only the signing input, the signed
// headers' canonical text of a few hundred bytes (dkim.ts); the signature
// comes back in base64, as the DKIM-Signature header writes it.
//
// In, one postMessage for all that the pool had for this thread in one turn
// of its loop: `SigningRequest` (a key the thread has not had yet, then the
// inputs). Out: `SigningAnswer`, one per request. Texts travel as strings: a
// small Buffer is a view of Node's 8 KB pool, which a postMessage would copy
// whole. The keys come once per thread; nothing here logs.
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

export interface SigningRequest {
  /** DKIM private keys (PEM) this thread has not had yet. */
  keys?: Array<{ id: number; pem: string }>;
  /** Each a signing input (`DkimSigner.signingInput`) and the key to sign it with. */
  inputs: Array<{ id: number; key: number; text: string }>;
}

export interface SigningAnswer {
  signed: Array<{ id: number; signature: string }>;
  failed: Array<{ id: number; error: string }>;
}

const port = parentPort;
if (!port) throw new Error('signing-thread.ts runs on a worker thread (see signing-threads.ts)');

const keys = new Map<number, KeyObject>();

port.on('message', (request: SigningRequest) => {
  for (const { id, pem } of request.keys ?? []) keys.set(id, createPrivateKey(pem));
  const answer: SigningAnswer = { signed: [], failed: [] };
  for (const { id, key, text } of request.inputs) {
    try {
      const privateKey = keys.get(key);
      if (!privateKey) throw new Error(`signing thread: key ${key} is unknown`);
      answer.signed.push({ id, signature: sign('sha256', Buffer.from(text, 'utf8'), privateKey).toString('base64') });
    } catch (err) {
      answer.failed.push({ id, error: (err as Error).message });
    }
  }
  port.postMessage(answer);
});

// Loaded: the pool counts a thread that dies before this as one that cannot start.
port.postMessage('ready');
