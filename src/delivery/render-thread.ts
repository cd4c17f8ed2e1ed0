// The render thread (node:worker_threads; started by send-render.ts): renders
// a send's message with the very function the event loop uses
// (message-render.ts), so the template is the same wherever it was made.
// Started as the `send` command starts, it loads the parser, the renderers
// and MJML (most of a second of a core: MJML alone is some 670 modules) while
// the command loads its own modules and opens the store, then renders what it
// is sent. In: one SendMessageInput per request. Out: one RenderAnswer each.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { loadRenderers, renderToAnswer, type RenderAnswer, type SendMessageInput } from './message-render.ts';

const port = parentPort;
if (!port) throw new Error('render-thread.ts runs on a worker thread (see send-render.ts)');

// render/email.ts requires MJML on the first email it renders: required here
// first, it is in this thread's module cache by then.
const loaded = loadRenderers().then(() => createRequire(import.meta.url)('mjml') as unknown);

port.on('message', (input: SendMessageInput) => {
  // A renderer that would not load is the thread's failure, not the edition's: the caller renders on its own.
  void loaded
    .then(
      () => renderToAnswer(input),
      (err: unknown): RenderAnswer => ({ error: err instanceof Error ? err.message : String(err), build: false }),
    )
    .then((answer) => port.postMessage(answer));
});
