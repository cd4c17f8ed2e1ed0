// The rendering of a send's message, apart from the store: the edition's
// source parsed, rendered by render/ (MJML email and plain text, placeholders
// left in) and MIME-encoded into the template that every worker splices. Pure,
// and importing nothing of the store, so that the child process that renders
// for a delivering process (send-message-child.ts) loads only what rendering needs.
import { hasErrors } from '../edition/diagnostic.ts';
import type { Publication } from '../edition/publication.ts';
import { publicationUrl } from '../render/urls.ts';
import type { SendKind } from '../store/schema.ts';
import { buildMessageTemplate, HeaderValueError, type MessageTemplate } from './message-template.ts';

/** Thrown when a send's edition cannot be turned into a message (it does not parse, or parses with errors). */
export class MessageBuildError extends Error {}

/** What a send's message is made of: plain data, so that it can travel to a child process. */
export interface SendMessageInput {
  sendId: number;
  kind: SendKind;
  editionId: number;
  source: string;
  publication: Publication;
}

/** What names the message and where its links point. */
export interface RenderOptions {
  publicUrl: string;
  mailDomain: string;
}

/** What the rendering child answers: the message, or why it could not be built. */
export type RenderAnswer = { template: MessageTemplate } | { error: string; buildError: boolean };

/** Parses, renders and MIME-encodes the message; throws MessageBuildError when the edition cannot be sent as it is. */
export async function renderSendMessage(input: SendMessageInput, options: RenderOptions): Promise<MessageTemplate> {
  const { publication } = input;
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
  const parsed = parseEdition(input.source, { file: `edition-${input.editionId}.md`, publication });
  // An edition with errors is refused as the CLI and the web refuse it: an
  // edition may come out of the parser despite errors (raw HTML, an unknown
  // key), and what it would mail is not what the newsroom approved.
  if (!parsed.edition || hasErrors(parsed.diagnostics)) {
    const first = parsed.diagnostics.find((d) => d.severity === 'error') ?? parsed.diagnostics[0];
    throw new MessageBuildError(`edition ${input.editionId} does not parse: ${first ? first.message : 'unknown error'}`);
  }
  const render = { publicUrl: options.publicUrl };
  // The subject the email's title and the web page show, typeset the same way.
  const subject = typesetSubject(parsed.edition, publication);
  try {
    return buildMessageTemplate(
      {
        subject: input.kind === 'test' ? `[TEST] ${subject}` : subject,
        html: renderEmail(parsed.edition, publication, render),
        text: renderText(parsed.edition, publication, render),
      },
      {
        from: publication.from,
        ...(publication.replyTo ? { replyTo: publication.replyTo } : {}),
        listId: `${publication.name.replace(/[<>"]/g, '')} <${publication.slug}.${options.mailDomain}>`,
        listArchive: publicationUrl(options.publicUrl, publication.slug),
        feedbackId: `${input.sendId}:${publication.slug}:${input.kind}:matinale`,
      },
    );
  } catch (err) {
    // Settings stored before the schema refused such values: the send stops here, saying which header and why.
    if (err instanceof HeaderValueError) throw new MessageBuildError(`publication ${publication.slug}: ${err.message}`);
    throw err;
  }
}
