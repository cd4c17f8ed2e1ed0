// A send's message rendered in a short-lived child process (send-message-child.ts),
// for `matinale worker`: the parser, typograf and MJML load there and go with
// it, instead of staying in the worker for its whole life (about 40 MB more
// through every later send in the worker that held the scheduler lock:
// bench/results/million.md). A child, not a thread (send-render.ts, which the
// `send` command uses because it ends with its send): a thread's isolate and
// modules added about 70 MB to the worker's own resident memory while it
// rendered, and left about 10 MB of it behind (measured there).
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageBuildError, type RenderAnswer, type SendMessageInput } from './message-render.ts';
import type { MessageTemplate } from './message-template.ts';

/** How long a rendering may take in the child before it is ended (a rendering takes a second or two). */
const RENDER_TIMEOUT_MS = 120_000;

// Built (dist/), the child runs send-message-child.js; from source (tests,
// `npm run dev`), the .ts file with tsx loaded first, found from here whatever
// the directory the process runs in.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = fileURLToPath(new URL(FROM_SOURCE ? './send-message-child.ts' : './send-message-child.js', import.meta.url));

/** Renders in a new child process; returns once the child has ended. */
export async function renderInChild(input: SendMessageInput): Promise<MessageTemplate> {
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
  child.send(input);
  const status = await ended;
  clearTimeout(timer);
  if (answer && 'template' in answer) return answer.template;
  if (answer) throw answer.build ? new MessageBuildError(answer.error) : new Error(answer.error);
  throw new Error(`the process rendering the message of send ${input.send.id} ended without an answer (${failure?.message ?? status})`);
}
