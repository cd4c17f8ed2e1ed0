// Reads the messages the audience wrote (outbox .eml files, or what an SMTP
// server received) as a person's mail program would: headers unfolded and
// decoded, text and HTML parts decoded from quoted-printable or base64.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReadMail {
  headers: Map<string, string>;
  subject: string;
  to: string;
  text: string;
  html: string;
}

function decodeQp(body: string): Buffer {
  const soft = body.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]!;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes);
}

const ENCODED_WORD = /=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g;

/** The bytes of one encoded-word (RFC 2047 §4: B is base64, Q is quoted-printable with _ for space). */
function wordBytes(enc: string, text: string): Buffer {
  return enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQp(text.replace(/_/g, ' '));
}

/**
 * Decodes the encoded-words of a header. Whitespace between two adjacent
 * encoded-words is folding and disappears (RFC 2047 §6.2); whitespace between
 * an encoded-word and plain text is text and stays. A run of adjacent words is
 * decoded as one byte string, since a writer may split a character's bytes
 * across two words.
 */
function decodeWords(value: string): string {
  const run = new RegExp(`${ENCODED_WORD.source}(?:\\s+${ENCODED_WORD.source})*`, 'g');
  return value.replace(run, (words) => {
    const bytes = [...words.matchAll(ENCODED_WORD)].map((w) => wordBytes(w[2]!, w[3]!));
    return Buffer.concat(bytes).toString('utf8');
  });
}

function split(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, at).replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), decodeWords(line.slice(i + 1).trim()));
  }
  return { headers, body: raw.slice(at).replace(/^\r?\n\r?\n/, '') };
}

function decodeBody(headers: Map<string, string>, body: string): string {
  const enc = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (enc === 'quoted-printable') return decodeQp(body).toString('utf8');
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

/** Parses one message. */
export function readMail(raw: string): ReadMail {
  const { headers, body } = split(raw);
  const mail: ReadMail = { headers, subject: headers.get('subject') ?? '', to: headers.get('to') ?? '', text: '', html: '' };
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
  const parts = boundary
    ? body
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((p) => split(p.replace(/^\r?\n/, '')))
    : [{ headers, body }];
  for (const part of parts) {
    const t = part.headers.get('content-type') ?? 'text/plain';
    if (t.startsWith('text/plain')) mail.text = decodeBody(part.headers, part.body);
    if (t.startsWith('text/html')) mail.html = decodeBody(part.headers, part.body);
  }
  return mail;
}

/** Every message of an outbox folder, oldest first. */
export function outbox(dir: string): ReadMail[] {
  let names: string[];
  try {
    // The index lists every message in the order sent.
    names = readFileSync(join(dir, 'index.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { file: string }).file);
  } catch {
    return [];
  }
  return names.map((n) => readMail(readFileSync(join(dir, n), 'utf8')));
}

/** The first link to `path` in a mail's text. */
export function linkInText(mail: ReadMail | undefined, path: string): string {
  const m = mail && new RegExp(`https?://[^\\s>]*${path}[A-Za-z0-9._-]+`).exec(mail.text);
  if (!m) throw new Error(`no ${path} link in:\n${mail?.text}`);
  return m[0];
}
