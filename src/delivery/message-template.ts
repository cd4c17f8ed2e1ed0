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
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as MimeFuncs from 'nodemailer/lib/mime-funcs';
import type * as Qp from 'nodemailer/lib/qp';
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
    header('From', mailboxHeader(settings.from)),
    ...(settings.replyTo ? [header('Reply-To', mailboxHeader(settings.replyTo))] : []),
    { name: 'To', value: ['<', { slot: 'to', as: 'header' }, '>'] },
    header('Subject', encodedText('Subject', content.subject)),
    { name: 'Date', value: [{ slot: 'date', as: 'header' }] },
    { name: 'Message-ID', value: ['<', { slot: 'messageId', as: 'header' }, '>'] },
    header('List-Id', encodedText('List-Id', settings.listId)),
    header('List-Archive', `<${settings.listArchive}>`),
    {
      name: 'List-Unsubscribe',
      value: ['<', { slot: 'unsubscribeUrl', as: 'header' }, '>,\r\n <', { slot: 'unsubscribeMailto', as: 'header' }, '>'],
    },
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

function header(name: string, value: string): TemplateHeader {
  return { name, value: [value] };
}

/** A text header value: encoded words where it is not ASCII, folded to 76 columns. */
function encodedText(name: string, value: string): string {
  const encoded = mimeFuncs.encodeWords(value.replace(/[\r\n]+/g, ' '), 'Q', 52);
  return mimeFuncs.foldLines(`${name}: ${encoded}`, 76).slice(name.length + 2);
}

/** `Name <address>` with the name quoted or encoded as needed. */
function mailboxHeader(mailbox: string): string {
  const m = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(mailbox);
  if (!m || !m[1]) return mailbox.trim();
  const name = m[1].replace(/^"|"$/g, '');
  let shown: string;
  if (/[^\x20-\x7e]/.test(name)) shown = mimeFuncs.encodeWord(name, 'Q', 52);
  else if (/[()<>@,;:\\".[\]]/.test(name)) shown = `"${name.replace(/(["\\])/g, '\\$1')}"`;
  else shown = name;
  return `${shown} <${m[2]!.trim()}>`;
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
