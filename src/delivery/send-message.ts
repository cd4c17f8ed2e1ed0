// The message of a send, built once when the send starts: what it is made of
// is read from the store (`sendMessageInput`), then rendered
// (send-message-render.ts, pure).
//
// A process that delivers renders in a short-lived child process (`apart`,
// send-message-child.ts): the parser, typograf and MJML load there and go
// with it, instead of staying in the worker for its whole life (about 40 MB
// more through every later send in the worker that held the scheduler lock:
// bench/results/million.md). A child, not a thread: a thread's isolate and
// modules added about 70 MB to the worker's own resident memory while it
// rendered, and left about 10 MB of it behind (measured there).
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Store } from '../store/db.ts';
import { getEdition, getVersion } from '../store/editions.ts';
import { getPublication } from '../store/publications.ts';
import type { SendRow } from '../store/schema.ts';
import type { MessageTemplate } from './message-template.ts';
import { MessageBuildError, renderSendMessage, type RenderAnswer, type RenderOptions, type SendMessageInput } from './send-message-render.ts';

export { MessageBuildError, type SendMessageInput };

/** Where the message goes and what names it, and where it is rendered. */
export interface SendMessageOptions extends RenderOptions {
  /** Render in a child process that ends with the rendering (a delivering process); default: in this process. */
  apart?: boolean;
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

/** How long a rendering may take in the child before it is ended (a rendering takes a second or two). */
const RENDER_TIMEOUT_MS = 120_000;

// Built (dist/), the child runs send-message-child.js; from source (tests,
// `npm run dev`), the .ts file with tsx loaded first, found from here whatever
// the directory the process runs in.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = fileURLToPath(new URL(FROM_SOURCE ? './send-message-child.ts' : './send-message-child.js', import.meta.url));

/** Renders in a new child process; returns once the child has ended. */
async function renderApart(input: SendMessageInput, options: RenderOptions): Promise<MessageTemplate> {
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
