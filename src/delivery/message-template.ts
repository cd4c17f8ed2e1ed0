// The message of a send, MIME-encoded once: a multipart/alternative (text, then
// HTML; UTF-8, quoted-printable) in which only per-recipient slots remain. It is
// plain 7-bit data (JSON-serialisable), stored once per send so that every
// worker process splices the very same bytes (splice.ts) without rendering.
//
// Quoted-printable lines are at most 76 characters. To fill a slot without
// re-encoding the body, every constant stretch is encoded on its own and ends
// with a soft line break (`=` CRLF, which decodes to nothing); a slot's value is
// encoded on lines of its own. The decoded text is exactly the rendering with
// the placeholders replaced, and no line of the encoded body is ever too long.
//
// Every header goes through `header()`, which refuses a value it cannot write
// safely rather than pass it through: a line break that is not a fold, a
// control character, or text outside ASCII (only the local part of a From or
// Reply-To address may be UTF-8, for a relay offering SMTPUTF8). Display names
// are encoded (RFC 2047) or quoted, domains written as A-labels (mailbox.ts).
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as MimeFuncs from 'nodemailer/lib/mime-funcs';
import type * as Qp from 'nodemailer/lib/qp';
import { headerTextProblem, parseMailbox } from '../edition/mailbox.ts';
import { PLACEHOLDERS } from '../render/placeholders.ts';

// nodemailer's helpers are CommonJS objects whose methods call each other through `this`.
const require = createRequire(import.meta.url);
const mimeFuncs = require('nodemailer/lib/mime-funcs') as typeof MimeFuncs;
const qp = require('nodemailer/lib/qp') as typeof Qp;

/** The per-recipient values a template leaves open. */
export const SLOTS = ['to', 'messageId', 'date', 'unsubscribeUrl', 'preferencesUrl', 'unsubscribeMailto', 'recipient'] as const;
export type SlotName = (typeof SLOTS)[number];

/** How a slot's value is written: as is in a header, or QP-encoded in the text or (HTML-escaped) in the HTML part. */
export type SlotEncoding = 'header' | 'qp-text' | 'qp-html';

export type Segment = string | { slot: SlotName; as: SlotEncoding };

export interface TemplateHeader {
  name: string;
  /** The value after `Name: `, folded with CRLF + space where long. */
  value: Segment[];
}

export interface MessageTemplate {
  version: 1;
  /** Every header but DKIM-Signature, in order. */
  headers: TemplateHeader[];
  /** Everything after the blank line that ends the headers; ends with one CRLF. */
  body: Segment[];
}

/** What render produced, once per send: placeholders (render/placeholders.ts) left in. */
export interface MessageContent {
  subject: string;
  html: string;
  text: string;
}

/** The publication-level headers of a send. */
export interface MessageSettings {
  /** `Name <address>` or a bare address. */
  from: string;
  replyTo?: string;
  /** List-Id value, `Name <slug.domain>`. */
  listId: string;
  /** The web archive of the publication (List-Archive). */
  listArchive: string;
  /** Feedback-ID value (`a:b:c:SenderId`): mailbox providers report complaints per campaign with it. */
  feedbackId: string;
}

/** A header value that cannot be written safely: the send is refused with this message, naming the header. */
export class HeaderValueError extends Error {
  constructor(
    readonly header: string,
    problem: string,
  ) {
    super(`the ${header} header ${problem}`);
    this.name = 'HeaderValueError';
  }
}

const PLACEHOLDER_SLOTS: Record<string, SlotName> = {
  [PLACEHOLDERS.unsubscribeUrl]: 'unsubscribeUrl',
  [PLACEHOLDERS.preferencesUrl]: 'preferencesUrl',
  [PLACEHOLDERS.recipient]: 'recipient',
};
const PLACEHOLDER_PATTERN = new RegExp(`(${Object.keys(PLACEHOLDER_SLOTS).map(escapeRegExp).join('|')})`);

/** Builds the pre-encoded template of a send's message. */
export function buildMessageTemplate(content: MessageContent, settings: MessageSettings): MessageTemplate {
  const boundary = `=_matinale_${randomBytes(12).toString('hex')}`;
  const headers: TemplateHeader[] = [
    mailboxHeader('From', settings.from),
    ...(settings.replyTo ? [mailboxHeader('Reply-To', settings.replyTo)] : []),
    header('To', ['<', { slot: 'to', as: 'header' }, '>']),
    header('Subject', encodedText('Subject', content.subject)),
    header('Date', [{ slot: 'date', as: 'header' }]),
    header('Message-ID', ['<', { slot: 'messageId', as: 'header' }, '>']),
    header('List-Id', encodedText('List-Id', settings.listId)),
    header('List-Archive', `<${settings.listArchive}>`),
    header('List-Unsubscribe', ['<', { slot: 'unsubscribeUrl', as: 'header' }, '>,\r\n <', { slot: 'unsubscribeMailto', as: 'header' }, '>']),
    header('List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'),
    header('Feedback-ID', settings.feedbackId),
    header('MIME-Version', '1.0'),
    header('Content-Type', `multipart/alternative;\r\n boundary="${boundary}"`),
  ];
  const body: Segment[] = [
    `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`,
    ...encodedPart(content.text, 'qp-text'),
    `\r\n--${boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`,
    ...encodedPart(content.html, 'qp-html'),
    `\r\n--${boundary}--\r\n`,
  ];
  return { version: 1, headers, body: mergeConstants(body) };
}

/** A slot value QP-encoded on lines of its own, ending with a soft line break. */
export function encodeSlotQp(value: string): string {
  return qp.wrap(qp.encode(Buffer.from(value, 'utf8')), 76) + '=\r\n';
}

/**
 * The one way a header is made: its constant text must be printable ASCII,
 * folded only with CRLF and a space or tab; otherwise it is refused, never
 * written raw. `utf8` lets UTF-8 text through (an SMTPUTF8 address), still
 * without any control character.
 */
function header(name: string, value: string | Segment[], options: { utf8?: boolean } = {}): TemplateHeader {
  const segments = typeof value === 'string' ? [value] : value;
  for (const s of segments) {
    if (typeof s !== 'string') continue;
    const unfolded = s.replace(/\r\n(?=[ \t])/g, '');
    const problem = headerTextProblem(unfolded);
    if (problem) throw new HeaderValueError(name, problem);
    if (!options.utf8 && /[^\x20-\x7e]/.test(unfolded)) throw new HeaderValueError(name, `holds text outside ASCII that was not encoded: ${JSON.stringify(unfolded.slice(0, 80))}`);
  }
  return { name, value: segments };
}

/** A text header value: encoded words where it is not ASCII, folded to 76 columns. */
function encodedText(name: string, value: string): string {
  const encoded = mimeFuncs.encodeWords(value.replace(/[\r\n\t]+/g, ' '), 'Q', 52);
  return mimeFuncs.foldLines(`${name}: ${encoded}`, 76).slice(name.length + 2);
}

/**
 * `Name <address>`: the name encoded (RFC 2047) when not ASCII, quoted when it
 * holds specials; the domain as its A-label. A mailbox that does not read is
 * refused (the publication's schema refuses it first; a value stored before
 * that check is caught here).
 */
function mailboxHeader(name: 'From' | 'Reply-To', text: string): TemplateHeader {
  const { mailbox, problem } = parseMailbox(text);
  if (!mailbox) throw new HeaderValueError(name, `${problem} (${JSON.stringify(text.slice(0, 80))})`);
  const address = `${mailbox.local}@${mailbox.domain}`;
  if (!mailbox.name) return header(name, address, { utf8: mailbox.utf8Local });
  let shown: string;
  if (/[^\x20-\x7e]/.test(mailbox.name)) shown = mimeFuncs.encodeWord(mailbox.name, 'Q', 52);
  else if (/[()<>@,;:\\".[\]]|=\?/.test(mailbox.name)) shown = `"${mailbox.name.replace(/(["\\])/g, '\\$1')}"`;
  else shown = mailbox.name;
  const folded = mimeFuncs.foldLines(`${name}: ${shown} <${address}>`, 76).slice(name.length + 2);
  return header(name, folded, { utf8: mailbox.utf8Local });
}

/** One part's content, QP-encoded, split at the placeholders. */
function encodedPart(content: string, as: 'qp-text' | 'qp-html'): Segment[] {
  const normalised = content.replace(/\r?\n/g, '\r\n');
  const out: Segment[] = [];
  for (const piece of normalised.split(PLACEHOLDER_PATTERN)) {
    const slot = PLACEHOLDER_SLOTS[piece];
    if (slot) {
      out.push({ slot, as });
      continue;
    }
    if (piece === '') continue;
    const encoded = qp.wrap(qp.encode(Buffer.from(piece, 'utf8')), 76);
    // A soft break closes every stretch that does not end its line, so a
    // slot's value (or the part's end) always starts on a fresh line.
    out.push(encoded.endsWith('\r\n') ? encoded : encoded + '=\r\n');
  }
  return out;
}

function mergeConstants(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (typeof s === 'string' && typeof last === 'string') out[out.length - 1] = last + s;
    else out.push(s);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
