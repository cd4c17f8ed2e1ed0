// The message of a send, built once when the send starts: the edition's current
// version parsed, rendered by render/ (MJML email and plain text, placeholders
// left in), and MIME-encoded into the template that every worker splices.
//
// Two steps: what the message is made of is read from the store
// (`sendMessageInput`), then rendered (`renderSendMessage`, pure). A process
// that delivers renders in a short-lived child process (`apart`,
// send-message-child.ts): the parser, typograf and MJML load there and go
// with it, instead of staying in the worker for its whole life (about 40 MB
// more through every later send in the worker that held the scheduler lock:
// bench/results/million.md). A child, not a thread: a thread's isolate and
// modules add about 70 MB to the worker's own resident memory while it
// renders, and leave about 10 MB of it behind (measured there).
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hasErrors } from '../edition/diagnostic.ts';
import type { Publication } from '../edition/publication.ts';
import { publicationUrl } from '../render/urls.ts';
import type { Store } from '../store/db.ts';
import { getEdition, getVersion } from '../store/editions.ts';
import { getPublication } from '../store/publications.ts';
import type { SendKind, SendRow } from '../store/schema.ts';
import { buildMessageTemplate, HeaderValueError, type MessageTemplate } from './message-template.ts';

/** Thrown when a send's edition cannot be turned into a message (it does not parse, or parses with errors). */
export class MessageBuildError extends Error {}

/** Where the message goes and what names it. */
export interface SendMessageOptions {
  publicUrl: string;
  mailDomain: string;
  /** Render in a child process that ends with the rendering (a delivering process); default: in this process. */
  apart?: boolean;
}

/** What a send's message is made of: plain data, so that it can travel to a child process. */
export interface SendMessageInput {
  sendId: number;
  kind: SendKind;
  editionId: number;
  source: string;
  publication: Publication;
}

/** The pre-encoded message of a send. */
export async function buildSendMessage(store: Store, send: SendRow, options: SendMessageOptions): Promise<MessageTemplate> {
  const input = await sendMessageInput(store, send);
  const render = { publicUrl: options.publicUrl, mailDomain: options.mailDomain };
  return options.apart ? renderApart(input, render) : renderSendMessage(input, render);
}

/** Reads the edition's current version and the publication's settings of a send. */
export async function sendMessageInput(store: Store, send: SendRow): Promise<SendMessageInput> {
  const edition = await getEdition(store, send.edition_id);
  if (!edition) throw new MessageBuildError(`send ${send.id}: no edition ${send.edition_id}`);
  const version = await getVersion(store, edition.id, edition.currentVersion);
  const stored = await getPublication(store, send.publication_id);
  if (!version || !stored) throw new MessageBuildError(`edition ${edition.id} has no source or no publication`);
  return { sendId: send.id, kind: send.kind, editionId: edition.id, source: version.source, publication: stored.settings };
}

/** Parses, renders and MIME-encodes the message; throws MessageBuildError when the edition cannot be sent as it is. */
export async function renderSendMessage(input: SendMessageInput, options: { publicUrl: string; mailDomain: string }): Promise<MessageTemplate> {
  const { publication } = input;
  // The parser (micromark and its extensions) and the renderers (MJML, typograf)
  // load here, once per process, not when a worker starts: most of
  // a worker's life is spent on a message built once, and a worker that only
  // waits for sends never needs them.
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

/** What the rendering child answers: the message, or why it could not be built. */
export type RenderAnswer = { template: MessageTemplate } | { error: string; buildError: boolean };

/** How long a rendering may take in the child before it is ended (a rendering takes a second or two). */
const RENDER_TIMEOUT_MS = 120_000;

// Built (dist/), the child runs send-message-child.js; from source (tests,
// `npm run dev`), the .ts file with tsx loaded first, found from here whatever
// the directory the process runs in.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = fileURLToPath(new URL(FROM_SOURCE ? './send-message-child.ts' : './send-message-child.js', import.meta.url));

/** Renders in a new child process; returns once the child has ended. */
async function renderApart(input: SendMessageInput, options: { publicUrl: string; mailDomain: string }): Promise<MessageTemplate> {
  const execArgv = FROM_SOURCE ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  // stdin closed; its stdout and stderr are this process's (it writes nothing but a crash).
  const child = fork(ENTRY, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  let answer: RenderAnswer | undefined;
  let failure: Error | undefined;
  child.on('message', (a: RenderAnswer) => (answer = a));
  const ended = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`exit ${code ?? signal}`));
    child.on('error', (err) => {
      failure ??= err;
      // A process that could not start (no memory, too many processes) never exits.
      if (child.pid === undefined) resolve(err.message);
    });
  });
  const timer = setTimeout(() => {
    failure = new Error(`no answer in ${RENDER_TIMEOUT_MS / 1000} s`);
    child.kill('SIGKILL');
  }, RENDER_TIMEOUT_MS);
  child.send({ input, options });
  const status = await ended;
  clearTimeout(timer);
  if (answer && 'template' in answer) return answer.template;
  if (answer) throw answer.buildError ? new MessageBuildError(answer.error) : new Error(answer.error);
  throw new Error(`the process rendering the message of send ${input.sendId} ended without an answer (${failure?.message ?? status})`);
}

/** The domain of Message-IDs, List-Id and the return path: DKIM_DOMAIN (aligned with the signature), else PUBLIC_URL's host. */
export function mailDomainOf(options: { dkimDomain?: string; publicUrl: string }): string {
  if (options.dkimDomain) return options.dkimDomain;
  return new URL(options.publicUrl).hostname || 'localhost';
}
