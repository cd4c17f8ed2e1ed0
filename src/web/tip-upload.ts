// Reads the tip form's multipart upload and seals it as it arrives: each
// file's bytes stream from the socket through a byte counter into OpenPGP.js
// and come out as ciphertext; the message field is sealed as soon as it is
// read. Nothing of it is written anywhere in clear, not even a temporary
// file: the only copies are the chunks in memory on their way to encryption.
import { Readable, Transform } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import Busboy from '@fastify/busboy';
import type { PublicKey } from 'openpgp';
import type { NewTipPart } from '../store/tips.ts';
import { checkSealedForDesk, sealForDesk } from '../tips/seal.ts';
import { sealText } from '../tips/tip-line.ts';

/** The most a source may send at once, message and files together (stated on the page). */
export const TIP_UPLOAD_LIMIT = 10 * 1024 * 1024;

export class TipUploadError extends Error {
  constructor(readonly reason: 'too-large' | 'malformed') {
    super(reason === 'too-large' ? `a tip holds at most ${TIP_UPLOAD_LIMIT} bytes` : 'the form did not read as multipart/form-data');
  }
}

export interface TipUpload {
  /** The receipt code field, when the form has one (adding to a tip). */
  code?: string;
  /** The proof of work the form's script sends with parts it sealed (tip-proof-of-work.ts). */
  pow?: string;
  /** True when some parts came sealed by the browser (the script's `sealed-message`, `sealed-files`). */
  sealedInBrowser: boolean;
  parts: NewTipPart[];
}

// Parts the form's script sealed in the browser, and the kind each becomes.
const SEALED: Record<string, 'text' | 'attachment'> = { 'sealed-message': 'text', 'sealed-files': 'attachment' };

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A file name as the desk will see it (inside the ciphertext): its last path segment, printable, not too long. */
function fileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  return base.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 200) || 'file';
}

/** Reads and seals the upload to `keys`; `messageKind` is what the text field becomes. */
export function readTipUpload(raw: IncomingMessage, keys: PublicKey[], day: string, messageKind: 'message' | 'follow-up'): Promise<TipUpload> {
  const contentType = raw.headers['content-type'] ?? '';
  return new Promise((resolve, reject) => {
    let bb: ReturnType<typeof Busboy>;
    try {
      bb = Busboy({
        headers: { ...raw.headers, 'content-type': contentType },
        limits: { fileSize: TIP_UPLOAD_LIMIT + 1, fieldSize: TIP_UPLOAD_LIMIT + 1, files: 20, fields: 5, parts: 30 },
      });
    } catch {
      reject(new TipUploadError('malformed'));
      return;
    }
    let total = 0;
    let failure: Error | undefined;
    let code: string | undefined;
    let pow: string | undefined;
    let sealedInBrowser = false;
    const pending: Array<Promise<NewTipPart | undefined>> = [];
    const count = (bytes: number): boolean => {
      total += bytes;
      if (total > TIP_UPLOAD_LIMIT) failure ??= new TipUploadError('too-large');
      return !failure;
    };
    /** The stream through the byte counter; it errors past the limit. */
    const counted = (stream: NodeJS.ReadableStream) => {
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          if (count(chunk.length)) done(null, chunk);
          else done(failure);
        },
      });
      // A refused or failed part is still read to its end, so that the rest of the form arrives.
      counter.on('error', () => stream.resume());
      return stream.pipe(counter);
    };
    bb.on('field', (name, value) => {
      if (name === 'code') code = value;
      if (name === 'pow') pow = value;
      if (name !== 'message' || !value.trim() || !count(Buffer.byteLength(value))) return;
      pending.push(sealText(value, keys, day, messageKind));
    });
    bb.on('file', (name, stream, filename) => {
      const sealed = SEALED[name];
      if (sealed && !failure) {
        sealedInBrowser = true;
        pending.push(
          readAll(counted(stream))
            .then((armored) => checkSealedForDesk(armored, keys))
            .then(
              (ciphertext): NewTipPart | undefined => {
                if (!ciphertext) failure ??= new TipUploadError('malformed');
                return ciphertext ? { kind: sealed === 'text' ? messageKind : 'attachment', ciphertext } : undefined;
              },
              (err: Error) => {
                failure ??= err;
                stream.resume();
                return undefined;
              },
            ),
        );
        return;
      }
      if (name !== 'files' || !filename || failure) {
        stream.resume();
        return;
      }
      const sealing = sealForDesk(Readable.toWeb(counted(stream)) as ReadableStream<Uint8Array>, keys, day, fileName(filename)).then(
        (ciphertext): NewTipPart => ({ kind: 'attachment', ciphertext }),
        (err: Error) => {
          failure ??= err;
          stream.resume();
          return undefined;
        },
      );
      pending.push(sealing);
    });
    bb.on('error', () => {
      failure ??= new TipUploadError('malformed');
      raw.resume();
      Promise.allSettled(pending).then(() => reject(failure));
    });
    bb.on('finish', () => {
      Promise.all(pending).then(
        (parts) =>
          failure
            ? reject(failure)
            : resolve({
                ...(code !== undefined ? { code } : {}),
                ...(pow !== undefined ? { pow } : {}),
                sealedInBrowser,
                parts: parts.filter((p): p is NewTipPart => !!p),
              }),
        (err) => reject(failure ?? err),
      );
    });
    raw.pipe(bb);
  });
}
