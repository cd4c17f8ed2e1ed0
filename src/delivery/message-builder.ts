// Who builds a recipient's complete message (links, Message-ID, Date, the
// splice, the DKIM signature): the worker asks a MessageBuilder and only
// writes what it gets. Two builders: on the event loop (here, the reference
// and the fallback), or on the message threads (message-threads.ts), which
// give the same bytes.
import type { MessageData } from './message-bytes.ts';
import { recipientValues, type RecipientLinks } from './recipient-values.ts';
import { spliceMessageOffThread, type CompiledMessage } from './splice.ts';

/** The ledger's facts about one recipient that its message is made of. */
export interface MessageRecipient {
  sendId: number;
  recipientId: number;
  publicationId: number;
  subscriberId: number | null;
  email: string;
}

/** Builds recipients' messages; a worker holds one for its life. */
export interface MessageBuilder {
  /** The complete message of one recipient, ready for SMTP DATA; rejects when it cannot be built (the row is retried). */
  build(message: CompiledMessage, recipient: MessageRecipient, now: number): Promise<MessageData>;
  /** Ends what the builder started (threads); a later build may start them again. */
  close(): Promise<void>;
}

/**
 * Builds on the event loop, the RSA signature on libuv's thread pool
 * (splice.ts): what a process on one core uses, and what a message thread's
 * bytes are compared against.
 */
export function loopBuilder(links: RecipientLinks, mailDomain: string): MessageBuilder {
  return {
    build: (message, recipient, now) => spliceMessageOffThread(message, recipientValues(links, recipient, mailDomain, now), now),
    close: async () => {},
  };
}
