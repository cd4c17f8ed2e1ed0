// Inside a preview worker thread: one preview at a time, asked for and
// answered by message; a failure is answered too, never left hanging.
import { parentPort } from 'node:worker_threads';
import { computePreview, type PreviewInput } from './edition-preview.ts';

const port = parentPort;
if (!port) throw new Error('preview-thread-loop.ts runs in a worker thread (see preview-runner.ts)');
port.on('message', (job: { id: number; input: PreviewInput }) => {
  computePreview(job.input).then(
    (preview) => port.postMessage({ id: job.id, preview }),
    (err: unknown) => port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
