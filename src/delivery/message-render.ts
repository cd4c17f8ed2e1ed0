// The rendering of a send's message, from plain data: the edition's source
// parsed, rendered by render/ (MJML email and plain text, placeholders left
// in) and MIME-encoded into the template that every worker splices. No store
// here: send-message.ts reads what it needs, and a render thread
// (render-thread.ts) runs this very function without loading the store.
import { hasErrors } from '../edition/diagnostic.ts';
import type { Publication } from '../edition/publication.ts';
import { publicationUrl } from '../render/urls.ts';
import type { SendKind } from '../store/schema.ts';
import { buildMessageTemplate, HeaderValueError, type MessageTemplate } from './message-template.ts';

/** Thrown when a send's edition cannot be turned into a message (it does not parse, or parses with errors). */
export class MessageBuildError extends Error {}

/** What a send's message is made of: plain data, which a render thread takes as it is. */
export interface SendMessageInput {
  send: { id: number; kind: SendKind };
  editionId: number;
  /** The Briefing Markdown of the edition's current version. */
  source: string;
  publication: Publication;
  publicUrl: string;
  mailDomain: string;
}

/**
 * The parser (micromark and its extensions) and the renderers (MJML, typograf):
 * loaded when the first message is built, once per process (or render
 * thread), not when a worker starts: most of a worker's life is spent on a
 * message built once, and a worker that only waits for sends never needs them.
 */
export function loadRenderers() {
  return Promise.all([import('../edition/parse.ts'), import('../render/edition-parts.ts'), import('../render/email.ts'), import('../render/text.ts')]);
}

/** The pre-encoded message of a send. */
export async function renderSendMessage(input: SendMessageInput): Promise<MessageTemplate> {
  const { send, publication } = input;
  const [{ parseEdition }, { typesetSubject }, { renderEmail }, { renderText }] = await loadRenderers();
  const parsed = parseEdition(input.source, { file: `edition-${input.editionId}.md`, publication });
  // An edition with errors is refused as the CLI and the web refuse it: an
  // edition may come out of the parser despite errors (raw HTML, an unknown
  // key), and what it would mail is not what the newsroom approved.
  if (!parsed.edition || hasErrors(parsed.diagnostics)) {
    const first = parsed.diagnostics.find((d) => d.severity === 'error') ?? parsed.diagnostics[0];
    throw new MessageBuildError(`edition ${input.editionId} does not parse: ${first ? first.message : 'unknown error'}`);
  }
  const render = { publicUrl: input.publicUrl };
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
        listId: `${publication.name.replace(/[<>"]/g, '')} <${publication.slug}.${input.mailDomain}>`,
        listArchive: publicationUrl(input.publicUrl, publication.slug),
        feedbackId: `${send.id}:${publication.slug}:${send.kind}:matinale`,
      },
    );
  } catch (err) {
    // Settings stored before the schema refused such values: the send stops here, saying which header and why.
    if (err instanceof HeaderValueError) throw new MessageBuildError(`publication ${publication.slug}: ${err.message}`);
    throw err;
  }
}

/**
 * The rendering as a render thread or child answers it (plain data through
 * postMessage or IPC): the template, or why there is none and whether it is
 * the edition's fault (a MessageBuildError, which fails the send).
 */
export type RenderAnswer = { template: MessageTemplate } | { error: string; build: boolean };

/** `renderSendMessage`, its failure turned into an answer. */
export function renderToAnswer(input: SendMessageInput): Promise<RenderAnswer> {
  return renderSendMessage(input).then(
    (template) => ({ template }),
    (err: unknown) => ({ error: err instanceof Error ? err.message : String(err), build: err instanceof MessageBuildError }),
  );
}
