// Inside a preview worker thread: one preview at a time, asked for and
// answered by message; a failure is answered too, never left hanging. Grammar
// is asked of the main thread (preview-grammar.ts) on the same port.
import { parentPort } from 'node:worker_threads';
import { computePreview, type PreviewInput } from './edition-preview.ts';
import { isGrammarAnswer, RemoteGrammarChecker } from './preview-grammar.ts';

const port = parentPort;
if (!port) throw new Error('preview-thread-loop.ts runs in a worker thread (see preview-runner.ts)');
const grammar = new RemoteGrammarChecker((question) => port.postMessage(question));
port.on('message', (message: { id: number; input: PreviewInput } | unknown) => {
  if (isGrammarAnswer(message)) {
    grammar.answered(message);
    return;
  }
  const job = message as { id: number; input: PreviewInput };
  computePreview(job.input, { grammar }).then(
    (preview) => port.postMessage({ id: job.id, preview }),
    (err: unknown) => port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
