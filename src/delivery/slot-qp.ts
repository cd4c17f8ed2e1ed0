// A recipient's value quoted-printable encoded for a slot of the body, per
// message: the same text as message-template.ts's `encodeSlotQp` (nodemailer's
// encode, then its wrap at 76), written faster for the values a send fills
// nearly always: printable ASCII without a space or "=" (links, addresses),
// which QP leaves as they are. Nodemailer builds its result a character at a
// time (about 15 µs a message for six slots); here such a value is only cut
// into lines where nodemailer's wrap cuts it. Any other value goes through
// nodemailer itself. slot-qp.test.ts compares both on many values.
import { encodeSlotQp as encodeWithNodemailer } from './message-template.ts';

/** Characters QP keeps as they are anywhere in a line: printable ASCII but "=" (a space is kept only inside a line). */
const KEPT = /^[\x21-\x3c\x3e-\x7e]*$/;
const LINE = 76;
/** Nodemailer's wrap looks for a place to cut (after . , ! or ?) among a line's last third. */
const MARGIN = Math.floor(LINE / 3);

function cutAfter(c: number): boolean {
  return c === 0x2e || c === 0x2c || c === 0x21 || c === 0x3f;
}

/** A slot value QP-encoded on lines of its own, ending with a soft line break. */
export function encodeSlotQp(value: string): string {
  if (!KEPT.test(value)) return encodeWithNodemailer(value);
  if (value.length <= LINE) return value + '=\r\n';
  // Nodemailer's wrap, for text without line breaks, spaces or escapes: a
  // line of 76 is cut after the last . , ! or ? of its last 25 characters
  // (when longer than 51); one that still has text after it keeps 75, for
  // the "=" of its soft break.
  let out = '';
  const len = value.length;
  for (let pos = 0; pos < len; ) {
    const end = Math.min(pos + LINE, len);
    let n = end - pos;
    if (n > LINE - MARGIN) {
      for (let i = end - 1; i >= end - MARGIN; i--) {
        if (cutAfter(value.charCodeAt(i))) {
          n = i + 1 - pos;
          break;
        }
      }
    }
    if (pos + n < len) {
      if (n === LINE) n--;
      out += value.slice(pos, pos + n) + '=\r\n';
    } else out += value.slice(pos, pos + n);
    pos += n;
  }
  return out + '=\r\n';
}
