// Per recipient: the pre-encoded template's bytes with the recipient's values
// spliced in. Compiling a template (once per send and process) turns its
// constant stretches into Buffers, pre-computes the canonical form of the
// headers that never change and, when signing, the body hash state over the
// constant prefix of the body. Per recipient only the short values are
// encoded, the Buffers joined, and the DKIM signature computed.
import { createHash, type Hash } from 'node:crypto';
import { headerTextProblem } from '../edition/mailbox.ts';
import { escapeHtml } from '../render/html-escape.ts';
import type { DkimSigner, HeaderLine } from './dkim.ts';
import { relaxedHeader } from './dkim.ts';
import { encodeSlotQp, type MessageTemplate, type Segment, type SlotName } from './message-template.ts';

/** The values of one recipient; none may hold a line break. */
export type RecipientValues = Record<SlotName, string>;

type Chunk = Buffer | { slot: SlotName; as: Exclude<Segment, string>['as'] };

interface CompiledHeader {
  name: string;
  /** The whole header line with CRLF when it is the same for every recipient. */
  constant?: Buffer;
  constantValue?: string;
  canonical?: string;
  segments: Segment[];
}

/** A template ready for splicing; build it once per send and process. */
export interface CompiledMessage {
  /** What it was compiled from: what a message thread compiles again (message-threads.ts). */
  template: MessageTemplate;
  headers: CompiledHeader[];
  /** Body chunks after the constant prefix. */
  body: Chunk[];
  /** The body's constant prefix. */
  prefix: Buffer;
  /** SHA-256 state over the prefix, copied per recipient (only when signing). */
  prefixHash?: Hash;
  signer?: DkimSigner;
}

/** Prepares a template for splicing, optionally with a DKIM signer. */
export function compileMessage(template: MessageTemplate, signer?: DkimSigner): CompiledMessage {
  if (template.version !== 1) throw new Error(`unknown message template version ${String(template.version)}`);
  const headers = template.headers.map((h): CompiledHeader => {
    if (h.value.every((s) => typeof s === 'string')) {
      const value = (h.value as string[]).join('');
      return {
        name: h.name,
        segments: h.value,
        constantValue: value,
        // UTF-8, the bytes DKIM signs: the template is ASCII but for an SMTPUTF8 address.
        constant: Buffer.from(`${h.name}: ${value}\r\n`, 'utf8'),
        canonical: relaxedHeader(h.name, value),
      };
    }
    return { name: h.name, segments: h.value };
  });
  const firstSlot = template.body.findIndex((s) => typeof s !== 'string');
  const prefixEnd = firstSlot < 0 ? template.body.length : firstSlot;
  const prefix = Buffer.from((template.body.slice(0, prefixEnd) as string[]).join(''), 'ascii');
  const body: Chunk[] = template.body.slice(prefixEnd).map((s) => (typeof s === 'string' ? Buffer.from(s, 'ascii') : s));
  const compiled: CompiledMessage = { template, headers, body, prefix };
  if (signer) {
    compiled.signer = signer;
    compiled.prefixHash = createHash('sha256').update(prefix);
  }
  return compiled;
}

/** The complete message of one recipient, ready for SMTP DATA; signed here, on the event loop, when the message has a signer. */
export function spliceMessage(message: CompiledMessage, values: RecipientValues, now: number): Buffer {
  const parts = spliceParts(message, values);
  const signature = parts.signing && message.signer!.signatureHeader(parts.signing.headers, parts.signing.bodyHash, now, parts.signing.canonical);
  return joinParts(parts, signature);
}

/**
 * The same message, its DKIM signature computed on libuv's thread pool
 * (dkim.ts): what a worker builds on its event loop when it has no message
 * threads (message-builder.ts), so that its connections keep writing while
 * the messages in flight are signed.
 */
export async function spliceMessageOffThread(message: CompiledMessage, values: RecipientValues, now: number): Promise<Buffer> {
  const parts = spliceParts(message, values);
  const signature = parts.signing && (await message.signer!.signatureHeaderOffThread(parts.signing.headers, parts.signing.bodyHash, now, parts.signing.canonical));
  return joinParts(parts, signature);
}

interface SplicedParts {
  lines: Buffer[];
  body: Buffer[];
  /** What the signature needs, when the message is signed. */
  signing?: { headers: HeaderLine[]; canonical: Array<string | undefined>; bodyHash: Hash };
}

function spliceParts(message: CompiledMessage, values: RecipientValues): SplicedParts {
  const lines: Buffer[] = [];
  const signed: HeaderLine[] = [];
  const canonical: Array<string | undefined> = [];
  for (const h of message.headers) {
    if (h.constant) {
      lines.push(h.constant);
      if (message.signer) {
        signed.push({ name: h.name, value: h.constantValue! });
        canonical.push(h.canonical);
      }
      continue;
    }
    let value = '';
    for (const s of h.segments) value += typeof s === 'string' ? s : headerValue(values, s.slot);
    lines.push(Buffer.from(`${h.name}: ${value}\r\n`, 'utf8'));
    if (message.signer) {
      signed.push({ name: h.name, value });
      canonical.push(undefined);
    }
  }
  const body: Buffer[] = [message.prefix];
  for (const c of message.body) {
    if (Buffer.isBuffer(c)) body.push(c);
    else body.push(Buffer.from(encodeSlotQp(c.as === 'qp-html' ? escapeHtml(values[c.slot]) : values[c.slot]), 'ascii'));
  }
  if (!message.signer) return { lines, body };
  const bodyHash = message.prefixHash!.copy();
  for (let i = 1; i < body.length; i++) bodyHash.update(body[i]!);
  return { lines, body, signing: { headers: signed, canonical, bodyHash } };
}

function joinParts(parts: SplicedParts, signature: string | undefined): Buffer {
  const head = signature === undefined ? parts.lines : [Buffer.from(signature, 'ascii'), ...parts.lines];
  return Buffer.concat([...head, CRLF, ...parts.body]);
}

const CRLF = Buffer.from('\r\n', 'ascii');

function headerValue(values: RecipientValues, slot: SlotName): string {
  const v = values[slot];
  // A line break in a value would let it write headers of its own; other control characters have no place in one.
  const problem = headerTextProblem(v);
  if (problem) throw new Error(`the ${slot} of a recipient ${problem}`);
  return v;
}
