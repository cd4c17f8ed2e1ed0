// The machine-readable parts of the reports that come back to us: a delivery
// status notification (RFC 3464, multipart/report; report-type=delivery-status)
// and a feedback-loop complaint (RFC 5965 ARF, report-type=feedback-report),
// with the headers of the original message they carry. Pure functions over
// text that mailparser has already taken out of the MIME structure.

/** Header-style fields (`Name: value`, folded lines joined), names lower-cased; the first of a name wins. */
export type Fields = Map<string, string>;

/** The groups of fields of a report body, separated by blank lines (RFC 3464 §2.1: per message, then per recipient). */
export function fieldGroups(text: string): Fields[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map(fieldsOf)
    .filter((g) => g.size > 0);
}

/** The fields of one header block; what does not read as `Name: value` is skipped. */
export function fieldsOf(block: string): Fields {
  const fields: Fields = new Map();
  for (const line of block.replace(/\r\n?/g, '\n').replace(/\n[ \t]+/g, ' ').split('\n')) {
    const m = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (m && !fields.has(m[1]!.toLowerCase())) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
  }
  return fields;
}

/** What a delivery status notification says about the one recipient our VERP names. */
export type DsnVerdict =
  | { kind: 'bounce'; status: string; code: number | null; diagnostic: string }
  | { kind: 'delayed'; status: string }
  | { kind: 'other'; action: string };

/**
 * A permanent failure is `Action: failed` with a 5.x.x status; a 4.x.x status
 * or `Action: delayed` is a delay, which changes nothing; `delivered`,
 * `relayed`, `expanded` or no recipient group at all is nothing to act on.
 * We send each message to one recipient, so any failed group is that one.
 */
export function dsnVerdict(deliveryStatus: string): DsnVerdict {
  const recipients = fieldGroups(deliveryStatus).filter((g) => g.has('action'));
  const failed = recipients.find((g) => g.get('action')!.toLowerCase() === 'failed' && /^5\.\d{1,3}\.\d{1,3}\b/.test(g.get('status') ?? ''));
  if (failed) {
    const diagnostic = failed.get('diagnostic-code') ?? '';
    // `smtp; 550 5.1.1 <…>: User unknown`: the remote server's code, as a relay's would be kept.
    const code = /^\s*smtp\s*;\s*([2-5]\d\d)\b/i.exec(diagnostic)?.[1];
    const status = failed.get('status')!.split(/\s/)[0]!;
    return { kind: 'bounce', status, code: code ? Number(code) : null, diagnostic: diagnostic.replace(/^\s*smtp\s*;\s*/i, '') || `status ${status}` };
  }
  const delayed = recipients.find((g) => g.get('action')!.toLowerCase() === 'delayed' || /^4\./.test(g.get('status') ?? ''));
  if (delayed) return { kind: 'delayed', status: (delayed.get('status') ?? '').split(/\s/)[0]! };
  return { kind: 'other', action: recipients[0]?.get('action')?.toLowerCase() ?? 'none' };
}

/** The Feedback-Type of an ARF report (`abuse`, `not-spam`, `auth-failure`…), lower-cased. */
export function feedbackType(report: string): string | undefined {
  return fieldGroups(report)[0]?.get('feedback-type')?.toLowerCase().split(/[\s;]/)[0];
}

/**
 * The original message part of a report, as written in the raw message, for
 * when mailparser shows a message/rfc822 part inline (merged into the text)
 * rather than as an attachment. Such a part is never transfer-encoded
 * (RFC 2046 §5.2.1), so its text is the original's.
 */
export function originalPartIn(raw: Buffer, boundary: string): string | undefined {
  const parts = raw.toString('utf8').replace(/\r\n?/g, '\n').split(`\n--${boundary}`);
  for (const part of parts.slice(1)) {
    const [head = '', ...body] = part.replace(/^[^\n]*\n/, '').split(/\n[ \t]*\n/);
    const type = fieldsOf(head).get('content-type')?.toLowerCase() ?? '';
    if (/^(message\/rfc822|text\/rfc822-headers|message\/global|message\/global-headers)\b/.test(type)) return body.join('\n\n');
  }
  return undefined;
}

/** Where the original message we sent says whose it was; both still to be verified. */
export interface OriginalIdentity {
  /** Our VERP envelope sender, as the receiving server wrote it into Return-Path. */
  returnPath?: string;
  /** The signed unsubscribe token of its List-Unsubscribe header. */
  unsubscribeToken?: string;
}

/** Reads the header of an original message (a message/rfc822 part or text/rfc822-headers). */
export function originalIdentity(original: string, mailDomain: string): OriginalIdentity {
  const head = original.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)[0] ?? '';
  const fields = fieldsOf(head);
  const identity: OriginalIdentity = {};
  const returnPath = /<([^<>\s]+)>/.exec(fields.get('return-path') ?? '')?.[1];
  if (returnPath) identity.returnPath = returnPath;
  const listUnsubscribe = fields.get('list-unsubscribe') ?? '';
  const domain = mailDomain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const token =
    new RegExp(`<mailto:unsubscribe\\+([A-Za-z0-9._-]+)@${domain}[?>]`, 'i').exec(listUnsubscribe)?.[1] ??
    /<https?:\/\/[^<>\s]*\/unsubscribe\/([A-Za-z0-9._-]+)>/.exec(listUnsubscribe)?.[1];
  if (token) identity.unsubscribeToken = token;
  return identity;
}
