// Mail that comes back to us, whether through the SMTP listener
// (inbound-server.ts) or an MTA's pipe (`matinale inbound --stdin`): a
// reader's mailto unsubscribe, a bounce report to a VERP return path, a
// feedback-loop complaint. Each changes the audience only on a signature of
// ours (the unsubscribe token, the return path's tag); everything else is
// dropped with one log line. A problem with the mail is never an error (the
// sender would only retry it); a problem with the store is, so that the
// message is tried again later. Logs carry ids and outcomes, never an
// address, a token or the mail's content.
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Config } from '../config.ts';
import type { Clock } from '../clock.ts';
import { audienceDeps, type AudienceDeps } from '../audience/deps.ts';
import { resolveToken } from '../audience/resolve-token.ts';
import { suppress } from '../audience/suppression.ts';
import { unsubscribeByToken } from '../audience/unsubscribe.ts';
import type { Store } from '../store/db.ts';
import { ledgerRowOf, markSentBounced } from '../store/bounces.ts';
import { inTransaction } from '../store/transaction.ts';
import { dsnVerdict, feedbackType, originalIdentity, originalPartIn, type DsnVerdict } from './inbound-report.ts';
import { ReturnPaths } from './return-path.ts';
import { mailDomainOf } from './send-message.ts';
import type { DeliveryLogger } from './worker-batch.ts';

/** The largest message taken in (a report quotes the original, which holds the whole edition). */
export const INBOUND_SIZE_LIMIT = 10 * 1024 * 1024;

/** Which of our addresses a recipient is; undefined for any other (refused at RCPT). */
export type InboundAddress =
  | { kind: 'unsubscribe'; token: string }
  | { kind: 'bounces'; address: string }
  | { kind: 'complaints' };

/** Reads an envelope recipient against the mail domain. */
export function inboundAddress(address: string, mailDomain: string): InboundAddress | undefined {
  const at = address.lastIndexOf('@');
  if (at < 1 || address.slice(at + 1).toLowerCase() !== mailDomain.toLowerCase()) return undefined;
  const local = address.slice(0, at);
  // The token is case-sensitive: its local part is taken as written.
  const unsubscribe = /^unsubscribe\+([A-Za-z0-9._-]{1,100})$/i.exec(local);
  if (unsubscribe) return { kind: 'unsubscribe', token: unsubscribe[1]! };
  if (/^bounces\+[0-9a-z-]{1,64}$/i.test(local)) return { kind: 'bounces', address };
  if (local.toLowerCase() === 'complaints') return { kind: 'complaints' };
  return undefined;
}

export interface InboundDeps {
  /** resolveToken and suppress need the store, the keys, the clock and the policy. */
  audience: AudienceDeps;
  returnPaths: ReturnPaths;
  mailDomain: string;
  logger: DeliveryLogger;
}

/** The inbound handler's dependencies from the configuration, on the same mail domain as the worker's. */
export function inboundDeps(config: Config, store: Store, options: { clock?: Clock; logger: DeliveryLogger }): InboundDeps {
  const mailDomain = mailDomainOf({ dkimDomain: config.dkim?.domain, publicUrl: config.publicUrl });
  return {
    audience: audienceDeps(config, store, options.clock ? { clock: options.clock } : {}),
    returnPaths: new ReturnPaths(config.secret, mailDomain),
    mailDomain,
    logger: options.logger,
  };
}

export type InboundResult =
  | 'unsubscribed'
  | 'already-unsubscribed'
  | 'bounced'
  | 'complaint'
  | 'delayed'
  /** Nothing done: unknown address, unsigned or forged, not a report, nothing to act on. */
  | 'dropped';

/** What a report mail holds, taken out of its MIME parts. */
type Report =
  | { type: 'delivery-status'; status: string }
  | { type: 'feedback-report'; feedback: string; original: string }
  | { type: 'none' };

/**
 * Handles one message for each of its envelope recipients; returns one result
 * per recipient. Throws only when the store fails (the caller answers 451 or
 * exits 75, and the message comes again).
 */
export async function handleInbound(deps: InboundDeps, raw: Buffer, recipients: readonly string[]): Promise<InboundResult[]> {
  let report: Report;
  try {
    const mail = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
    report = reportOf(mail, raw);
  } catch {
    report = { type: 'none' };
  }
  const results: InboundResult[] = [];
  for (const recipient of recipients) {
    const address = inboundAddress(recipient, deps.mailDomain);
    const result = address ? await handleOne(deps, address, report) : drop(deps, 'unknown', 'not one of our addresses');
    results.push(result);
  }
  return results;
}

function reportOf(mail: ParsedMail, raw: Buffer): Report {
  const type = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (type?.value?.toLowerCase() !== 'multipart/report') return { type: 'none' };
  const reportType = type.params?.['report-type']?.toLowerCase();
  const part = (...types: string[]) => mail.attachments.find((a) => types.includes(a.contentType.toLowerCase()))?.content.toString('utf8');
  if (reportType === 'delivery-status') {
    const status = part('message/delivery-status', 'message/global-delivery-status');
    return status === undefined ? { type: 'none' } : { type: 'delivery-status', status };
  }
  if (reportType === 'feedback-report') {
    const feedback = part('message/feedback-report');
    const boundary = type.params?.boundary;
    const original = part('message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers') ?? (boundary && originalPartIn(raw, boundary)) ?? '';
    return feedback === undefined ? { type: 'none' } : { type: 'feedback-report', feedback, original };
  }
  return { type: 'none' };
}

async function handleOne(deps: InboundDeps, address: InboundAddress, report: Report): Promise<InboundResult> {
  if (address.kind === 'unsubscribe') return unsubscribeByMail(deps, address.token);
  if (address.kind === 'bounces') {
    // A report about a confirmation or welcome mail: ours, but no reader's list bounce (delivery/README.md).
    const mail = deps.returnPaths.verifyMail(address.address);
    if (mail) return drop(deps, 'bounces', `report about the transactional mail t.${mail}: no list bounce`);
    const verp = deps.returnPaths.verify(address.address);
    if (!verp.ok) return drop(deps, 'bounces', `return path refused (${verp.reason})`);
    if (report.type === 'delivery-status') return bounce(deps, verp, dsnVerdict(report.status));
    // Some feedback loops report to the envelope sender: the signed VERP names the reader.
    if (report.type === 'feedback-report') return complaint(deps, report, verp);
    return drop(deps, 'bounces', 'not a report (auto-reply?)', { send: verp.sendId, recipient: verp.recipientId });
  }
  if (report.type === 'feedback-report') return complaint(deps, report, undefined);
  return drop(deps, 'complaints', 'not a feedback report');
}

/** The mailto of List-Unsubscribe: the same change as the one-click POST, recorded as having come by mail. */
async function unsubscribeByMail(deps: InboundDeps, token: string): Promise<InboundResult> {
  const r = await unsubscribeByToken(deps.audience, token, { method: 'mail' });
  if (r.status === 'invalid') return drop(deps, 'unsubscribe', `token refused (${r.reason})`);
  deps.logger.info({ inbound: 'unsubscribe', result: r.status, publication: r.publication.id, subscriber: r.subscriberId }, 'inbound mail');
  return r.status;
}

async function bounce(deps: InboundDeps, verp: { sendId: number; recipientId: number }, verdict: DsnVerdict): Promise<InboundResult> {
  const ids = { send: verp.sendId, recipient: verp.recipientId };
  if (verdict.kind === 'delayed') {
    deps.logger.info({ inbound: 'bounces', result: 'delayed', ...ids, status: verdict.status }, 'inbound mail');
    return 'delayed';
  }
  if (verdict.kind === 'other') return drop(deps, 'bounces', `delivery status ${verdict.action}: nothing to do`, ids);
  const { store, keys, clock } = deps.audience;
  const outcome = await inTransaction(store, async (tx) => {
    const row = await ledgerRowOf(tx, verp.sendId, verp.recipientId);
    if (!row) return undefined;
    const marked = await markSentBounced(tx, row.id, { code: verdict.code, response: verdict.diagnostic }, clock.now());
    // A test send's address is nobody's subscription; an erased reader is suppressed everywhere already.
    const suppressed = row.subscriberId !== null && !row.erased;
    if (suppressed) await suppress({ store: tx, keys, clock }, row.publicationId, row.email, 'hard-bounce', { send: row.sendId, status: verdict.status, via: 'report' });
    return { ledger: marked ? 'bounced' : row.state, suppressed };
  });
  if (!outcome) return drop(deps, 'bounces', 'no such ledger row', ids);
  deps.logger.info({ inbound: 'bounces', result: 'bounced', ...ids, status: verdict.status, ...outcome }, 'inbound mail');
  return 'bounced';
}

/**
 * A complaint names its reader by our signatures only: the VERP it was sent
 * to, or the one in the original's Return-Path, else the unsubscribe token of
 * the original's List-Unsubscribe. Any of them forged or missing: dropped.
 */
async function complaint(
  deps: InboundDeps,
  report: Extract<Report, { type: 'feedback-report' }>,
  envelope: { sendId: number; recipientId: number } | undefined,
): Promise<InboundResult> {
  const kind = envelope ? 'bounces' : 'complaints';
  const type = feedbackType(report.feedback);
  // `not-spam`, `auth-failure` (DMARC), `fraud`…: reports, but not a reader asking to stop.
  if (type !== 'abuse') return drop(deps, kind, `feedback type ${type ?? 'missing'}`);
  const { store, keys, clock } = deps.audience;
  const identity = originalIdentity(report.original, deps.mailDomain);
  const fromOriginal = identity.returnPath ? deps.returnPaths.verify(identity.returnPath) : undefined;
  const verp = envelope ?? (fromOriginal?.ok ? fromOriginal : undefined);
  if (verp) {
    const row = await ledgerRowOf(store, verp.sendId, verp.recipientId);
    if (!row || row.subscriberId === null || row.erased) return drop(deps, kind, 'complaint about no reader', { send: verp.sendId, recipient: verp.recipientId });
    await suppress({ store, keys, clock }, row.publicationId, row.email, 'complaint', { send: row.sendId, via: 'feedback-loop' });
    deps.logger.info({ inbound: kind, result: 'complaint', send: row.sendId, recipient: row.id, publication: row.publicationId }, 'inbound mail');
    return 'complaint';
  }
  if (!identity.unsubscribeToken) return drop(deps, kind, 'complaint names no reader we signed');
  const r = await resolveToken(deps.audience, identity.unsubscribeToken, 'unsubscribe');
  if (!r.ok) return drop(deps, kind, `complaint token refused (${r.reason})`);
  if (r.subscriber.erased_at !== null || r.subscriber.email === null) return drop(deps, kind, 'complaint about an erased reader');
  await suppress({ store, keys, clock }, r.publication.id, r.subscriber.email, 'complaint', { via: 'feedback-loop' });
  deps.logger.info({ inbound: kind, result: 'complaint', publication: r.publication.id, subscriber: r.subscriber.id }, 'inbound mail');
  return 'complaint';
}

function drop(deps: InboundDeps, inbound: string, reason: string, ids: Record<string, number> = {}): InboundResult {
  deps.logger.info({ inbound, result: 'dropped', reason, ...ids }, 'inbound mail');
  return 'dropped';
}
