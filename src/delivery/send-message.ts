// The message of a send, built once when the send starts: what it is made of
// read from the store (the edition's current version, its publication), then
// rendered and MIME-encoded (message-render.ts) into the template that every
// worker splices; on a render thread or child when the caller has one (send-render.ts, render-child.ts).
import type { Store } from '../store/db.ts';
import { getEdition, getVersion } from '../store/editions.ts';
import { getPublication } from '../store/publications.ts';
import type { SendRow } from '../store/schema.ts';
import { MessageBuildError, type SendMessageInput } from './message-render.ts';
import type { MessageTemplate } from './message-template.ts';

export { MessageBuildError } from './message-render.ts';

/** Renders a send's message from what it is made of: `renderSendMessage` here, or the same on a render thread. */
export type RenderMessage = (input: SendMessageInput) => Promise<MessageTemplate>;

/** Reads what the message of a send is made of. */
export async function sendMessageInput(store: Store, send: SendRow, options: { publicUrl: string; mailDomain: string }): Promise<SendMessageInput> {
  const edition = await getEdition(store, send.edition_id);
  if (!edition) throw new MessageBuildError(`send ${send.id}: no edition ${send.edition_id}`);
  const version = await getVersion(store, edition.id, edition.currentVersion);
  const stored = await getPublication(store, send.publication_id);
  if (!version || !stored) throw new MessageBuildError(`edition ${edition.id} has no source or no publication`);
  return { send: { id: send.id, kind: send.kind }, editionId: edition.id, source: version.source, publication: stored.settings, ...options };
}

/** The domain of Message-IDs, List-Id and the return path: DKIM_DOMAIN (aligned with the signature), else PUBLIC_URL's host. */
export function mailDomainOf(options: { dkimDomain?: string; publicUrl: string }): string {
  if (options.dkimDomain) return options.dkimDomain;
  return new URL(options.publicUrl).hostname || 'localhost';
}
