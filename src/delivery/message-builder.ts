// Who builds a recipient's complete message (links, Message-ID, Date, the
// splice, the DKIM signature): the worker asks a MessageBuilder and only
// writes what it gets. The event loop builds everything but the RSA
// signature, which a signing thread computes (signing-threads.ts), or
// libuv's thread pool when the process has none.
import type { RsaSigner } from './dkim.ts';
import { libuvRsa } from './dkim.ts';
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
  /** Ends what the builder started (the signing threads); a later build may start them again. */
  close(): Promise<void>;
}

/** What signs off the event loop: the signing threads (signing-threads.ts). */
export interface RsaPool {
  readonly rsa: RsaSigner;
  close(): Promise<void>;
}

/** Builds on the event loop, each RSA signature computed by `signing` (by default on libuv's thread pool). */
export function messageBuilder(links: RecipientLinks, mailDomain: string, signing?: RsaPool): MessageBuilder {
  const rsa = signing?.rsa ?? libuvRsa;
  return {
    build: (message, recipient, now) => spliceMessageOffThread(message, recipientValues(links, recipient, mailDomain, now), now, rsa),
    close: async () => signing?.close(),
  };
}
