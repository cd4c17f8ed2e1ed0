// The token of a confirmed send to the list: the confirmation page signs what
// the person saw (edition, version, when, how many readers, who) and the send
// form posts it back. A send starts only with a token that is the server's,
// the person's, recent, and about the edition's current version: an author's
// save after the confirmation voids it, as does a token copied to another
// account or kept for later.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { WebError } from './errors.ts';

/** How long a confirmation holds. */
export const CONFIRMATION_TTL_MS = 15 * 60_000;

export interface ConfirmedSend {
  editionId: number;
  version: number;
  /** When to send (ms); null: now. */
  at: number | null;
  /** The readers counted on the confirmation page. */
  recipients: number;
  /** The address of the person who confirmed. */
  by: string;
  issuedAt: number;
}

const payloadSchema = z.strictObject({
  editionId: z.number().int().positive(),
  version: z.number().int().positive(),
  at: z.number().int().nullable(),
  recipients: z.number().int().nonnegative(),
  by: z.string(),
  issuedAt: z.number().int(),
});

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(`send-confirmation:${body}`).digest('base64url');
}

/** The signed token for a confirmation. */
export function signConfirmation(secret: string, confirmed: ConfirmedSend): string {
  const body = Buffer.from(JSON.stringify(confirmed)).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/**
 * What a token confirmed, checked: signed by this server, for this person and
 * edition, not older than CONFIRMATION_TTL_MS, about `currentVersion`.
 * Refuses with a sentence that says which and what to do.
 */
export function verifyConfirmation(
  secret: string,
  token: unknown,
  expected: { editionId: number; by: string; currentVersion: number; now: number },
): ConfirmedSend {
  const again = 'open the confirmation again';
  if (typeof token !== 'string' || token.length > 2000 || !token.includes('.')) {
    throw new WebError('invalid-input', `A send to the list needs its confirmation first: ${again}`);
  }
  const [body = '', signature = ''] = token.split('.');
  const wanted = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (wanted.length !== given.length || !timingSafeEqual(wanted, given)) throw new WebError('invalid-input', `The confirmation is not valid: ${again}`);
  const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  if (!parsed.success) throw new WebError('invalid-input', `The confirmation is not valid: ${again}`);
  const confirmed = parsed.data;
  if (confirmed.editionId !== expected.editionId || confirmed.by !== expected.by) {
    throw new WebError('invalid-input', `This confirmation is for another edition or person: ${again}`);
  }
  if (expected.now - confirmed.issuedAt > CONFIRMATION_TTL_MS || confirmed.issuedAt - expected.now > 60_000) {
    throw new WebError('invalid-input', `The confirmation is more than ${CONFIRMATION_TTL_MS / 60_000} minutes old: ${again}`);
  }
  if (confirmed.version !== expected.currentVersion) {
    throw new WebError(
      'conflict',
      `The edition changed since the confirmation (version ${confirmed.version} was confirmed, version ${expected.currentVersion} is the latest): ${again}`,
    );
  }
  return confirmed;
}
