// A mailbox as a publication's settings write it (`Name <local@domain>` or a
// bare address), read strictly: the one reading that the settings' schema
// validates with and that delivery writes the From and Reply-To headers from,
// so that what passes the schema is exactly what the header writer can encode.
// Nothing here is passed through raw: a control character anywhere (a line
// break would let the value write headers of its own) is refused, the display
// name is kept as text for the writer to encode (RFC 2047), an
// internationalised domain is turned into its A-label (xn--…), and a local
// part outside ASCII is flagged, since only a relay offering SMTPUTF8 may
// carry it.
import { domainToASCII } from 'node:url';

export interface Mailbox {
  /** The display name as text (quotes and escapes removed), if any. */
  name?: string;
  local: string;
  /** The domain as ASCII (an internationalised one as its A-label). */
  domain: string;
  /** The local part holds characters outside ASCII: it needs SMTPUTF8 (RFC 6531). */
  utf8Local: boolean;
}

/** C0 controls, DEL, C1 controls and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Why `text` may not go into a mail header as a value, or undefined when it may. */
export function headerTextProblem(text: string): string | undefined {
  const m = CONTROL.exec(text);
  if (!m) return undefined;
  const what = m[0] === '\r' || m[0] === '\n' ? 'a line break' : `a control character (U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  return `must not hold ${what}`;
}

/** Characters a local part may not hold unquoted (RFC 5322 specials and white space). */
const LOCAL_PART = /^[^\s"(),:;<>@[\\\]]+$/;
const ASCII_DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** Reads a mailbox; `problem` says why it cannot be one (as the end of a sentence « `from` … »). */
export function parseMailbox(text: string): { mailbox: Mailbox; problem?: undefined } | { mailbox?: undefined; problem: string } {
  const control = headerTextProblem(text);
  if (control) return { problem: `${control}: it goes into a mail header` };
  const trimmed = text.trim();
  const angled = /^(.*?)\s*<([^<>]*)>$/.exec(trimmed);
  const address = angled ? angled[2]!.trim() : trimmed;
  let name: string | undefined;
  if (angled) {
    const raw = angled[1]!.trim();
    const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(raw);
    if (quoted) name = quoted[1]!.replace(/\\(.)/g, '$1');
    else if (/[<>"]/.test(raw)) return { problem: 'has a name with <, > or " outside quotes: write it `"Name" <address>`' };
    else name = raw;
    if (name === '') name = undefined;
  } else if (/[<>]/.test(trimmed)) {
    return { problem: 'must be an address or `Name <address>`' };
  }
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return { problem: 'must be an address or `Name <address>`' };
  const local = address.slice(0, at);
  const domainText = address.slice(at + 1);
  if (!LOCAL_PART.test(local)) return { problem: `has an address whose local part ${JSON.stringify(local)} holds a space or one of "(),:;<>@[\\]` };
  // An IDN (matinalé.fr) is written as its A-label (xn--matinal-hya.fr), the form every relay and DNS reads.
  const domain = domainToASCII(domainText);
  if (!domain || !ASCII_DOMAIN.test(domain)) return { problem: `has an address whose domain ${JSON.stringify(domainText)} is not a valid domain name` };
  // eslint-disable-next-line no-control-regex
  return { mailbox: { ...(name ? { name } : {}), local, domain: domain.toLowerCase(), utf8Local: /[^\x00-\x7f]/.test(local) } };
}
