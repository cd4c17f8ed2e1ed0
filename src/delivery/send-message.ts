// The message of a send, built once when the send starts: the edition's current
// version parsed, rendered by render/ (MJML email and plain text, placeholders
// left in), and MIME-encoded into the template that every worker splices.
import { hasErrors } from '../edition/diagnostic.ts';
import { publicationUrl } from '../render/urls.ts';
import type { Store } from '../store/db.ts';
import { getEdition, getVersion } from '../store/editions.ts';
import { getPublication } from '../store/publications.ts';
import type { SendRow } from '../store/schema.ts';
import { buildMessageTemplate, HeaderValueError, type MessageTemplate } from './message-template.ts';

/** Thrown when a send's edition cannot be turned into a message (it does not parse, or parses with errors). */
export class MessageBuildError extends Error {}

/** The pre-encoded message of a send. */
export async function buildSendMessage(store: Store, send: SendRow, options: { publicUrl: string; mailDomain: string }): Promise<MessageTemplate> {
  const edition = await getEdition(store, send.edition_id);
  if (!edition) throw new MessageBuildError(`send ${send.id}: no edition ${send.edition_id}`);
  const version = await getVersion(store, edition.id, edition.currentVersion);
  const stored = await getPublication(store, send.publication_id);
  if (!version || !stored) throw new MessageBuildError(`edition ${edition.id} has no source or no publication`);
  const publication = stored.settings;
  // The parser (micromark and its extensions) and the renderers (MJML, typograf)
  // load here, once per process, not when a worker starts: most of a worker's
  // life is spent on a message built once, and a worker that only waits for
  // sends never needs them.
  const [{ parseEdition }, { typesetSubject }, { renderEmail }, { renderText }] = await Promise.all([
    import('../edition/parse.ts'),
    import('../render/edition-parts.ts'),
    import('../render/email.ts'),
    import('../render/text.ts'),
  ]);
  const parsed = parseEdition(version.source, { file: `edition-${edition.id}.md`, publication });
  // An edition with errors is refused as the CLI and the web refuse it: an
  // edition may come out of the parser despite errors (raw HTML, an unknown
  // key), and what it would mail is not what the newsroom approved.
  if (!parsed.edition || hasErrors(parsed.diagnostics)) {
    const first = parsed.diagnostics.find((d) => d.severity === 'error') ?? parsed.diagnostics[0];
    throw new MessageBuildError(`edition ${edition.id} does not parse: ${first ? first.message : 'unknown error'}`);
  }
  const render = { publicUrl: options.publicUrl };
  // The subject the email's title and the web page show, typeset the same way.
  const subject = typesetSubject(parsed.edition, publication);
  try {
    return buildMessageTemplate(
      {
        subject: send.kind === 'test' ? `[TEST] ${subject}` : subject,
        html: renderEmail(parsed.edition, publication, render),
        text: renderText(parsed.edition, publication, render),
      },
      {
        from: publication.from,
        ...(publication.replyTo ? { replyTo: publication.replyTo } : {}),
        listId: `${publication.name.replace(/[<>"]/g, '')} <${publication.slug}.${options.mailDomain}>`,
        listArchive: publicationUrl(options.publicUrl, publication.slug),
        feedbackId: `${send.id}:${publication.slug}:${send.kind}:matinale`,
      },
    );
  } catch (err) {
    // Settings stored before the schema refused such values: the send stops here, saying which header and why.
    if (err instanceof HeaderValueError) throw new MessageBuildError(`publication ${publication.slug}: ${err.message}`);
    throw err;
  }
}

/** The domain of Message-IDs, List-Id and the return path: DKIM_DOMAIN (aligned with the signature), else PUBLIC_URL's host. */
export function mailDomainOf(options: { dkimDomain?: string; publicUrl: string }): string {
  if (options.dkimDomain) return options.dkimDomain;
  return new URL(options.publicUrl).hostname || 'localhost';
}
