// Per recipient: the pre-encoded template's bytes with the recipient's values
// spliced in. Compiling a template (once per send and process) lays it out as
// the constant stretches between the recipient's values, each one Buffer
// (consecutive constant headers, the blank line and the body up to the first
// value are one), pre-computes the canonical form of the headers that never
// change and, when signing, the body hash state over the body's constant
// prefix. Per recipient only the short values are encoded; the message is
// those and the shared stretches, never joined (message-bytes.ts), and its
// DKIM signature when it is signed.
import { createHash, type Hash } from 'node:crypto';
import { headerTextProblem } from '../edition/mailbox.ts';
import { escapeHtml } from '../render/html-escape.ts';
import type { DkimSigner, HeaderLine } from './dkim.ts';
import { relaxedHeader } from './dkim.ts';
import { ConstantPiece, SplicedMessage } from './message-bytes.ts';
import type { MessageTemplate, Segment, SlotName } from './message-template.ts';
import { encodeSlotQp } from './slot-qp.ts';

/** The values of one recipient; none may hold a line break. */
export type RecipientValues = Record<SlotName, string>;

interface CompiledHeader {
  name: string;
  /** The header's value when it is the same for every recipient. */
  constantValue?: string;
  canonical?: string;
  segments: Segment[];
}

/** What stands between the constant stretches: a header with a value of the recipient's, or a value in the body. */
type Part = ConstantPiece | { header: number } | { slot: SlotName; as: 'qp-text' | 'qp-html' };

/** A template ready for splicing; build it once per send and process. */
export interface CompiledMessage {
  /** What it was compiled from: what a message thread compiles again (message-threads.ts). */
  template: MessageTemplate;
  headers: CompiledHeader[];
  /** The message in order: constant stretches and what each recipient fills. */
  parts: Part[];
  /** The part holding the blank line that ends the headers (a constant one), and where the body begins in it. */
  bodyPart: number;
  bodyOffset: number;
  /** Whether a constant header holds a byte outside ASCII (an SMTPUTF8 address). */
  utf8Headers: boolean;
  /** SHA-256 state over the body's bytes in `bodyPart`, copied per recipient (only when signing). */
  prefixHash?: Hash;
  signer?: DkimSigner;
}

/** Prepares a template for splicing, optionally with a DKIM signer. */
export function compileMessage(template: MessageTemplate, signer?: DkimSigner): CompiledMessage {
  if (template.version !== 1) throw new Error(`unknown message template version ${String(template.version)}`);
  const parts: Part[] = [];
  // The constant bytes since the last value, joined into one stretch when a value (or the end) comes.
  let pending: Buffer[] = [];
  const close = () => {
    if (pending.length) parts.push(new ConstantPiece(Buffer.concat(pending)));
    pending = [];
  };
  let utf8Headers = false;
  const headers = template.headers.map((h, index): CompiledHeader => {
    if (h.value.every((s) => typeof s === 'string')) {
      const value = (h.value as string[]).join('');
      // UTF-8, the bytes DKIM signs: the template is ASCII but for an SMTPUTF8 address.
      const line = Buffer.from(`${h.name}: ${value}\r\n`, 'utf8');
      if (line.length !== h.name.length + value.length + 4) utf8Headers = true;
      pending.push(line);
      return { name: h.name, segments: h.value, constantValue: value, canonical: relaxedHeader(h.name, value) };
    }
    close();
    parts.push({ header: index });
    return { name: h.name, segments: h.value };
  });
  // The blank line and the body's first stretch: there is always a constant
  // before the body (at least the blank line), so the body begins in a constant part.
  const headEnd = pending.reduce((n, b) => n + b.length, 0);
  pending.push(Buffer.from('\r\n', 'ascii'));
  const bodyPart = parts.length;
  const bodyOffset = headEnd + 2;
  for (const s of template.body) {
    if (typeof s === 'string') pending.push(Buffer.from(s, 'ascii'));
    else if (s.as === 'header') throw new Error(`slot ${s.slot} is written as a header in the body`);
    else {
      close();
      parts.push({ slot: s.slot, as: s.as });
    }
  }
  close();
  const compiled: CompiledMessage = { template, headers, parts, bodyPart, bodyOffset, utf8Headers };
  if (signer) {
    compiled.signer = signer;
    compiled.prefixHash = createHash('sha256').update((parts[bodyPart] as ConstantPiece).bytes.subarray(bodyOffset));
  }
  return compiled;
}

/** The complete message of one recipient in one Buffer, ready for SMTP DATA; signed here, on the event loop, when the message has a signer. */
export function spliceMessage(message: CompiledMessage, values: RecipientValues, now: number): Buffer {
  const spliced = splice(message, values);
  const signature = spliced.signing && message.signer!.signatureHeader(spliced.signing.headers, spliced.signing.bodyHash, now, spliced.signing.canonical);
  return withSignature(spliced, signature).toBuffer();
}

/**
 * The same message as its pieces, its DKIM signature computed on libuv's
 * thread pool (dkim.ts): what a worker builds on its event loop when it has
 * no message threads (message-builder.ts), so that its connections keep
 * writing while the messages in flight are signed.
 */
export async function spliceMessageOffThread(message: CompiledMessage, values: RecipientValues, now: number): Promise<SplicedMessage> {
  const spliced = splice(message, values);
  if (!spliced.signing) return withSignature(spliced, undefined);
  return withSignature(spliced, await message.signer!.signatureHeaderOffThread(spliced.signing.headers, spliced.signing.bodyHash, now, spliced.signing.canonical));
}

interface Spliced {
  pieces: Array<ConstantPiece | Buffer>;
  length: number;
  utf8Headers: boolean;
  /** What the signature needs, when the message is signed. */
  signing?: { headers: HeaderLine[]; canonical: Array<string | undefined>; bodyHash: Hash };
}

function splice(message: CompiledMessage, values: RecipientValues): Spliced {
  const { parts, headers } = message;
  const pieces: Array<ConstantPiece | Buffer> = new Array(parts.length);
  const headerValues: string[] = [];
  let length = 0;
  let utf8Headers = message.utf8Headers;
  // A value that comes twice in the body (a link in the text and in the HTML) is encoded once.
  let lastText = '';
  let lastBytes: Buffer | undefined;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    let piece: ConstantPiece | Buffer;
    if (part instanceof ConstantPiece) {
      piece = part;
      length += part.bytes.length;
    } else if ('header' in part) {
      const h = headers[part.header]!;
      let value = '';
      for (const s of h.segments) value += typeof s === 'string' ? s : headerValue(values, s.slot);
      headerValues[part.header] = value;
      const line = `${h.name}: ${value}\r\n`;
      piece = Buffer.from(line, 'utf8');
      if (piece.length !== line.length) utf8Headers = true;
      length += piece.length;
    } else {
      const text = part.as === 'qp-html' ? escapeHtml(values[part.slot]) : values[part.slot];
      if (text !== lastText || !lastBytes) lastBytes = Buffer.from(encodeSlotQp(text), 'ascii');
      lastText = text;
      piece = lastBytes;
      length += piece.length;
    }
    pieces[i] = piece;
  }
  const spliced: Spliced = { pieces, length, utf8Headers };
  if (!message.signer) return spliced;
  const bodyHash = message.prefixHash!.copy();
  for (let i = message.bodyPart + 1; i < pieces.length; i++) {
    const p = pieces[i]!;
    bodyHash.update(p instanceof ConstantPiece ? p.bytes : p);
  }
  const signed: HeaderLine[] = [];
  const canonical: Array<string | undefined> = [];
  for (const [i, h] of headers.entries()) {
    signed.push({ name: h.name, value: h.constantValue ?? headerValues[i]! });
    canonical.push(h.canonical);
  }
  spliced.signing = { headers: signed, canonical, bodyHash };
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
