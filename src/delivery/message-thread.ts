// A message thread (node:worker_threads; the pool is message-threads.ts):
// builds recipients' complete messages, signatures included, with the very
// functions the event loop uses (recipient-values.ts, splice.ts), so that the
// bytes are the same wherever they were built. Everything per recipient runs
// here: the signed links (HMAC, AES), the splice, the body and header hashes,
// the RSA signature, the join; the event loop only writes the result.
//
// In, one postMessage for all that the pool had for this thread in one turn of
// its loop: `ThreadRequest` (keys and templates first, each sent once, then
// the recipients). Out: `ThreadAnswer`, one per request, each message's bytes
// transferred, not copied. The secrets come once, with the thread's
// workerData (the audience secret) and in `keys` (a DKIM key); nothing here
// logs.
import { parentPort, workerData } from 'node:worker_threads';
import { audienceLinks } from './audience-links.ts';
import { DkimSigner, type DkimKey } from './dkim.ts';
import type { MessageTemplate } from './message-template.ts';
import { recipientValues } from './recipient-values.ts';
import { compileMessage, spliceMessage, type CompiledMessage } from './splice.ts';

/** What a thread is started with. */
export interface ThreadData {
  secret: string;
  publicUrl: string;
  mailDomain: string;
}

/** One recipient's message to build, with the template it is made from. */
export interface ThreadBuild {
  id: number;
  template: number;
  sendId: number;
  recipientId: number;
  publicationId: number;
  subscriberId: number | null;
  email: string;
  now: number;
}

export interface ThreadRequest {
  /** DKIM keys this thread has not had yet. */
  keys?: Array<{ id: number; key: DkimKey }>;
  /** Templates no longer used: dropped before the new ones are compiled. */
  forget?: number[];
  /** Templates this thread has not had yet, with the key that signs them. */
  templates?: Array<{ id: number; template: MessageTemplate; key?: number }>;
  builds: ThreadBuild[];
}

export interface ThreadAnswer {
  built: Array<{ id: number; raw: Uint8Array }>;
  failed: Array<{ id: number; error: string }>;
}

const port = parentPort;
if (!port) throw new Error('message-thread.ts runs on a worker thread (see message-threads.ts)');
const data = workerData as ThreadData;

// The links' issue time is the one the pool gave with each recipient.
let now = 0;
const links = audienceLinks({ secret: data.secret, publicUrl: data.publicUrl, mailDomain: data.mailDomain, clock: { now: () => now } });
const signers = new Map<number, DkimSigner>();
const compiled = new Map<number, CompiledMessage>();

port.on('message', (request: ThreadRequest) => {
  for (const { id, key } of request.keys ?? []) signers.set(id, new DkimSigner(key));
  for (const id of request.forget ?? []) compiled.delete(id);
  for (const t of request.templates ?? []) compiled.set(t.id, compileMessage(t.template, t.key === undefined ? undefined : signers.get(t.key)));
  const answer: ThreadAnswer = { built: [], failed: [] };
  const transfer: ArrayBuffer[] = [];
  for (const b of request.builds) {
    try {
      const message = compiled.get(b.template);
      if (!message) throw new Error(`message thread: template ${b.template} is unknown`);
      now = b.now;
      const raw = spliceMessage(message, recipientValues(links, b, data.mailDomain, b.now), b.now);
      // A message bigger than Buffer's pool owns its ArrayBuffer: moved to the event loop, not copied (a smaller one is copied out of the pool).
      const whole = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? raw : new Uint8Array(raw);
      answer.built.push({ id: b.id, raw: whole });
      transfer.push(whole.buffer as ArrayBuffer);
    } catch (err) {
      answer.failed.push({ id: b.id, error: (err as Error).message });
    }
  }
  port.postMessage(answer, transfer);
});

// Loaded: the pool counts a thread that dies before this as one that cannot start.
port.postMessage('ready');
