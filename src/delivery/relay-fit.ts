// Whether the relays can take a send's message at all, decided once before
// any reader of the send is tried: a message bigger than a relay's SIZE, or
// one with a UTF-8 address sent to a relay without SMTPUTF8, would be refused
// (or mangled) for every reader alike. That is a fault of the send, not of
// any reader: the send pauses with the reason, and no row is touched.
import type { Clock } from '../clock.ts';
import type { ClaimedRecipient } from './ledger.ts';
import { recipientValues, type RecipientLinks } from './recipient-values.ts';
import type { ReturnPaths } from './return-path.ts';
import type { MessageData } from './message-bytes.ts';
import { needsSmtputf8 } from './smtp-data.ts';
import { spliceMessage, type CompiledMessage } from './splice.ts';
import type { RelayLimits, Transport } from './transport.ts';

/** What the relays need to know of a send's message: one recipient's message, as it would go out. */
export interface MessageSample {
  bytes: number;
  smtputf8: boolean;
}

/** The sample of one spliced message and its envelope. */
export function messageSample(envelope: { from: string; to: string }, raw: MessageData): MessageSample {
  return { bytes: raw.length, smtputf8: needsSmtputf8(envelope, raw) };
}

const count = new Intl.NumberFormat('en-US');

/** Why a relay of `limits` cannot take the message, or undefined when every one can. */
export function relayRefusal(sample: MessageSample, limits: readonly RelayLimits[]): string | undefined {
  for (const relay of limits) {
    if (relay.maxSize !== undefined && sample.bytes > relay.maxSize) {
      return (
        `the message is ${count.format(sample.bytes)} bytes and the relay ${relay.relay} takes at most ${count.format(relay.maxSize)} (its SIZE): ` +
        'no reader was tried; shorten the edition or raise the relay’s limit, then resume the send'
      );
    }
    if (sample.smtputf8 && !relay.smtputf8) {
      return (
        `the message has an address outside ASCII (the publication’s From or Reply-To) and the relay ${relay.relay} does not offer SMTPUTF8: ` +
        'no reader was tried; give the publication an ASCII address or use a relay with SMTPUTF8, then resume the send'
      );
    }
  }
  return undefined;
}

/**
 * Why the relays cannot take a send's message, judged on the message of one
 * of its recipients (`row`) as it would go out; null when they can, undefined
 * when the transport states no limits or no relay could be asked.
 */
export async function relayRefusalFor(
  deps: { transport: Transport; links: RecipientLinks; mailDomain: string; returnPaths: ReturnPaths; clock: Clock },
  compiled: CompiledMessage,
  row: ClaimedRecipient,
): Promise<string | null | undefined> {
  const limits = (await deps.transport.limits?.()) ?? [];
  if (limits.length === 0) return undefined;
  const now = deps.clock.now();
  const values = recipientValues(
    deps.links,
    { sendId: row.sendId, recipientId: row.id, publicationId: row.publicationId, subscriberId: row.subscriberId, email: row.email },
    deps.mailDomain,
    now,
  );
  const envelope = { from: deps.returnPaths.addressFor(row.sendId, row.id), to: row.email };
  return relayRefusal(messageSample(envelope, spliceMessage(compiled, values, now)), limits) ?? null;
}
