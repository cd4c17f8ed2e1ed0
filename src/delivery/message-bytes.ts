// A recipient's message as the pieces it was spliced from, never joined: the
// template's constant stretches (the same Buffers in every message of a send,
// nearly all of its bytes) and the few the recipient's values fill. Joining
// them copied the whole message (43 KB for the seed edition) into a new
// Buffer per recipient, which the garbage collector then had to follow; the
// SMTP client writes the pieces as they are, in one writev.
//
// And the same bytes as SMTP DATA (RFC 5321 §4.5.2): a dot added before each
// line that begins with one, then the terminator. Where the lines of a
// constant stretch begin with a dot is found once, when the template is
// compiled; per message only the recipient's pieces are scanned, and the
// first byte of each stretch (whether a line begins there depends on the
// piece before it). No byte is copied either way.

const DOT = Buffer.from('.', 'latin1');
const DOT_CRLF = Buffer.from('.\r\n', 'latin1');
const CRLF_DOT_CRLF = Buffer.from('\r\n.\r\n', 'latin1');
const LF = 0x0a;
const CR = 0x0d;
const PERIOD = 0x2e;

/**
 * Appends `bytes` to `out` as slices of itself with a dot before every line
 * that begins with one: after any LF in it (relays, and smtp-server, read a
 * bare LF as a line end), and at its first byte when `atLineStart`.
 */
function stuffInto(out: Buffer[], bytes: Buffer, atLineStart: boolean): void {
  if (bytes.length === 0) return;
  if (atLineStart && bytes[0] === PERIOD) out.push(DOT);
  let from = 0;
  for (let at = bytes.indexOf('\n.', 0, 'latin1'); at >= 0; at = bytes.indexOf('\n.', at + 2, 'latin1')) {
    out.push(bytes.subarray(from, at + 1), DOT);
    from = at + 1;
  }
  out.push(from === 0 ? bytes : bytes.subarray(from));
}

/** A constant stretch of a template: its bytes, and the same cut where a line inside it begins with a dot, found once. */
export class ConstantPiece {
  /** The bytes as DATA, but for a dot its first byte may need: that depends on the piece before it. */
  readonly stuffed: Buffer[] = [];

  constructor(readonly bytes: Buffer) {
    stuffInto(this.stuffed, bytes, false);
  }
}

/** One recipient's message: the template's stretches and the recipient's own Buffers, in order. */
export class SplicedMessage {
  constructor(
    readonly pieces: ReadonlyArray<ConstantPiece | Buffer>,
    /** Its size in bytes, CRLFs counted (what SIZE= states). */
    readonly length: number,
    /** Whether a header holds a byte outside ASCII: an SMTPUTF8 address (smtp-data.ts). */
    readonly utf8Headers: boolean,
  ) {}

  /** The message in one Buffer, for what keeps or reads it whole (the outbox, tests). */
  toBuffer(): Buffer {
    return Buffer.concat(
      this.pieces.map((p) => (p instanceof ConstantPiece ? p.bytes : p)),
      this.length,
    );
  }
}

/** What a message builder gives and a transport takes: one Buffer, or the spliced pieces. */
export type MessageData = Buffer | SplicedMessage;

/** The message in one Buffer (a spliced one is joined). */
export function wholeMessage(raw: MessageData): Buffer {
  return Buffer.isBuffer(raw) ? raw : raw.toBuffer();
}

/**
 * The DATA bytes of a message as slices of its pieces: a dot before every
 * line that begins with one (the first line too), then the terminator. The
 * message must be 7-bit with CRLF line ends, as splice.ts makes it; a message
 * without a line beginning with a dot is written as its pieces.
 */
export function dotStuffed(raw: MessageData): Buffer[] {
  const out: Buffer[] = [];
  // The last two bytes so far: whether the next piece starts a line, and whether the message ends with CRLF.
  let last = LF;
  let beforeLast = CR;
  let empty = true;
  const pieces = Buffer.isBuffer(raw) ? [raw] : raw.pieces;
  for (const piece of pieces) {
    const bytes = piece instanceof ConstantPiece ? piece.bytes : piece;
    if (bytes.length === 0) continue;
    if (piece instanceof ConstantPiece) {
      if (last === LF && bytes[0] === PERIOD) out.push(DOT);
      for (const s of piece.stuffed) out.push(s);
    } else stuffInto(out, bytes, last === LF);
    beforeLast = bytes.length > 1 ? bytes[bytes.length - 2]! : last;
    last = bytes[bytes.length - 1]!;
    empty = false;
  }
  out.push(!empty && beforeLast === CR && last === LF ? DOT_CRLF : CRLF_DOT_CRLF);
  return out;
}
