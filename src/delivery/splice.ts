// Per recipient: the pre-encoded template's bytes with the recipient's values
// spliced in. Compiling a template (once per send and process) lays it out as
// the long constant stretches of its body, each one Buffer shared by every
// message (nearly all of its bytes: message-bytes.ts), and runs between them:
// the headers, and the recipient's values in the body with the short
// stretches around them. When signing, it also works out once which headers
// the signature covers, the constant ones already canonical (dkim.ts,
// `signedHeaders`), and the body hash state over the body's first stretch. Per recipient each run is one string made into one Buffer,
// and the message is those and the shared stretches, never joined; signed, it
// has its DKIM-Signature line first.
import { createHash, type Hash } from 'node:crypto';
import { headerTextProblem } from '../edition/mailbox.ts';
import { escapeHtml } from '../render/html-escape.ts';
import type { DkimSigner, HeaderLine, RsaSigner, SignedHeaders } from './dkim.ts';
import { libuvRsa, signedHeaders } from './dkim.ts';
import { ConstantPiece, SplicedMessage } from './message-bytes.ts';
import type { MessageTemplate, Segment, SlotName } from './message-template.ts';
import { encodeSlotQp } from './slot-qp.ts';

/** The values of one recipient; none may hold a line break. */
export type RecipientValues = Record<SlotName, string>;

interface CompiledHeader {
  name: string;
  /** The header's value when it is the same for every recipient. */
  constantValue?: string;
  segments: Segment[];
}

/**
 * What a run is made of: constant text, a header with a value of the
 * recipient's (its index), or a value in the body.
 */
type RunSegment = string | { header: number } | { slot: SlotName; as: 'qp-text' | 'qp-html' };

/** Bytes made per recipient: the headers (UTF-8: an SMTPUTF8 address), or a stretch of the body (7-bit). */
interface Run {
  segments: RunSegment[];
  encoding: 'utf8' | 'latin1';
}

/**
 * A constant stretch of the body at least this long is shared by every
 * message; a shorter one is copied into the run around it. Each piece is one
 * more write to the socket (about half a microsecond and an object): cheaper
 * than copying a kilobyte, dearer than copying a few hundred bytes.
 */
const SHARED_MIN = 2048;

/** A template ready for splicing; build it once per send and process. */
export interface CompiledMessage {
  headers: CompiledHeader[];
  /** The message in order: the header run (with the blank line), then the body's shared stretches and runs. */
  parts: Array<ConstantPiece | Run>;
  /** SHA-256 state over the body's first part when it is shared, copied per recipient (only when signing). */
  prefixHash?: Hash;
  signer?: DkimSigner;
  /** The headers the signature covers, the constant ones already canonical (only when signing). */
  signedHeaders?: SignedHeaders;
}

/** Prepares a template for splicing, optionally with a DKIM signer. */
export function compileMessage(template: MessageTemplate, signer?: DkimSigner): CompiledMessage {
  if (template.version !== 1) throw new Error(`unknown message template version ${String(template.version)}`);
  const head: RunSegment[] = [];
  const headers = template.headers.map((h, index): CompiledHeader => {
    if (h.value.every((s) => typeof s === 'string')) {
      const value = (h.value as string[]).join('');
      head.push(`${h.name}: ${value}\r\n`);
      return { name: h.name, segments: h.value, constantValue: value };
    }
    head.push({ header: index });
    return { name: h.name, segments: h.value };
  });
  head.push('\r\n');
  const parts: Array<ConstantPiece | Run> = [{ segments: joinStrings(head), encoding: 'utf8' }];
  let run: RunSegment[] = [];
  const closeRun = () => {
    if (run.length) parts.push({ segments: joinStrings(run), encoding: 'latin1' });
    run = [];
  };
  for (const s of joinStrings(template.body)) {
    if (typeof s !== 'string') {
      if (s.as === 'header') throw new Error(`slot ${s.slot} is written as a header in the body`);
      run.push({ slot: s.slot, as: s.as });
    } else if (s.length >= SHARED_MIN) {
      closeRun();
      parts.push(new ConstantPiece(Buffer.from(s, 'latin1')));
    } else run.push(s);
  }
  closeRun();
  const compiled: CompiledMessage = { headers, parts };
  if (signer) {
    compiled.signer = signer;
    compiled.signedHeaders = signedHeaders(headers);
    const first = parts[1];
    compiled.prefixHash = createHash('sha256').update(first instanceof ConstantPiece ? first.bytes : Buffer.alloc(0));
  }
  return compiled;
}

/** Adjacent strings as one. */
function joinStrings<T>(segments: ReadonlyArray<string | T>): Array<string | T> {
  const out: Array<string | T> = [];
  for (const s of segments) {
    const last = out.length ? out[out.length - 1] : undefined;
    if (typeof s === 'string' && typeof last === 'string') out[out.length - 1] = last + s;
    else out.push(s);
  }
  return out;
}

/** The complete message of one recipient in one Buffer, ready for SMTP DATA; signed here, on the event loop, when the message has a signer. */
export function spliceMessage(message: CompiledMessage, values: RecipientValues, now: number): Buffer {
  const spliced = splice(message, values);
  const signature = spliced.signing && message.signer!.signatureHeader(spliced.signing.headers, spliced.signing.bodyHash, now, message.signedHeaders);
  return withSignature(spliced, signature).toBuffer();
}

/**
 * The same message as its pieces, its DKIM signature computed off the event
 * loop by `rsa` (a signing thread: signing-threads.ts; by default libuv's
 * thread pool): what a worker builds, so that its connections keep writing
 * while the messages in flight are signed.
 */
export async function spliceMessageOffThread(message: CompiledMessage, values: RecipientValues, now: number, rsa: RsaSigner = libuvRsa): Promise<SplicedMessage> {
  const spliced = splice(message, values);
  if (!spliced.signing) return withSignature(spliced, undefined);
  const { headers, bodyHash } = spliced.signing;
  return withSignature(spliced, await message.signer!.signatureHeaderWith(rsa, headers, bodyHash, now, message.signedHeaders));
}

interface Spliced {
  pieces: Array<ConstantPiece | Buffer>;
  length: number;
  utf8Headers: boolean;
  /** What the signature needs, when the message is signed: the body hash, and the headers of this recipient's own (by index; the others are in the compiled message's signedHeaders). */
  signing?: { headers: HeaderLine[]; bodyHash: Hash };
}

function splice(message: CompiledMessage, values: RecipientValues): Spliced {
  const { parts, headers } = message;
  const pieces: Array<ConstantPiece | Buffer> = new Array(parts.length);
  const headerValues: string[] = [];
  let length = 0;
  let utf8Headers = false;
  // A value that comes twice in the body (a link in the text and in the HTML) is encoded once.
  let lastText = '';
  let lastEncoded = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part instanceof ConstantPiece) {
      pieces[i] = part;
      length += part.bytes.length;
      continue;
    }
    let text = '';
    for (const s of part.segments) {
      if (typeof s === 'string') text += s;
      else if ('header' in s) {
        const h = headers[s.header]!;
        let value = '';
        for (const v of h.segments) value += typeof v === 'string' ? v : headerValue(values, v.slot);
        headerValues[s.header] = value;
        text += `${h.name}: ${value}\r\n`;
      } else {
        const value = s.as === 'qp-html' ? escapeHtml(values[s.slot]) : values[s.slot];
        if (value !== lastText || !lastEncoded) lastEncoded = encodeSlotQp(value);
        lastText = value;
        text += lastEncoded;
      }
    }
    const bytes = Buffer.from(text, part.encoding);
    // The headers are ASCII but for an SMTPUTF8 address: a byte more than characters says it.
    if (i === 0) utf8Headers = bytes.length !== text.length;
    pieces[i] = bytes;
    length += bytes.length;
  }
  const spliced: Spliced = { pieces, length, utf8Headers };
  if (!message.signer) return spliced;
  const bodyHash = message.prefixHash!.copy();
  for (let i = parts[1] instanceof ConstantPiece ? 2 : 1; i < pieces.length; i++) {
    const p = pieces[i]!;
    bodyHash.update(p instanceof ConstantPiece ? p.bytes : p);
  }
  const own: HeaderLine[] = [];
  for (let i = 0; i < headerValues.length; i++) {
    if (headerValues[i] !== undefined) own[i] = { name: headers[i]!.name, value: headerValues[i]! };
  }
  spliced.signing = { headers: own, bodyHash };
  return spliced;
}

/** The message, with its DKIM-Signature line first when it is signed. */
function withSignature(spliced: Spliced, signature: string | undefined): SplicedMessage {
  if (signature === undefined) return new SplicedMessage(spliced.pieces, spliced.length, spliced.utf8Headers);
  const line = Buffer.from(signature, 'ascii');
  return new SplicedMessage([line, ...spliced.pieces], line.length + spliced.length, spliced.utf8Headers);
}

function headerValue(values: RecipientValues, slot: SlotName): string {
  const v = values[slot];
  // A line break in a value would let it write headers of its own; other control characters have no place in one.
  const problem = headerTextProblem(v);
  if (problem) throw new Error(`the ${slot} of a recipient ${problem}`);
  return v;
}
