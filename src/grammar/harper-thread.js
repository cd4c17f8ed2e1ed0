// Harper, the English grammar checker (WebAssembly), on a worker thread of
// its own (harper.ts): linting is synchronous inside the WebAssembly, and a
// long edition must not hold the event loop of a newsroom server. Plain
// JavaScript, so that the thread needs no TypeScript loader.
//
// In: { id, paragraphs, rulesOff }. Out: { id, findings: [[{ start, end (UTF-16
// offsets), rule, kind, message, suggestions }] per paragraph] } or { id, error },
// or { id, unavailable } when harper.js cannot be loaded.
import { parentPort, workerData } from 'node:worker_threads';

const port = parentPort;
if (!port) throw new Error('harper-thread.js runs in a worker thread (see harper.ts)');

/** @type {Promise<any> | undefined} */
let linterPromise;

// The package is a setting so that a test can name one that is not there (harper.ts).
const HARPER = workerData?.module ?? 'harper.js';

async function load(rulesOff) {
  const harper = await import(HARPER);
  const { binary } = await import(`${HARPER}/binary`);
  const linter = new harper.LocalLinter({ binary, dialect: harper.Dialect.American });
  await linter.setup();
  const config = await linter.getLintConfig();
  for (const rule of rulesOff) if (rule in config) config[rule] = false;
  await linter.setLintConfig(config);
  return linter;
}

/** UTF-16 offset of each character index (Harper counts Unicode characters). */
function utf16Offsets(text) {
  const offsets = [0];
  for (const ch of text) offsets.push(offsets[offsets.length - 1] + ch.length);
  return offsets;
}

// The paragraphs go to Harper as one text, parted by blank lines: its
// organizedLints (which names the rule of each lint, needed to sort it into a
// family) costs about as much for one paragraph as for forty.
async function check(linter, paragraphs) {
  const joined = paragraphs.join('\n\n');
  const starts = [];
  let at = 0;
  for (const p of paragraphs) {
    starts.push(at);
    at += p.length + 2;
  }
  const units = utf16Offsets(joined);
  const unit = (i) => units[Math.max(0, Math.min(units.length - 1, i))];
  const organized = await linter.organizedLints(joined, { language: 'plaintext' });
  const findings = paragraphs.map(() => []);
  for (const [rule, lints] of Object.entries(organized)) {
    for (const lint of lints) {
      const span = lint.span();
      const start = unit(span.start);
      const end = unit(span.end);
      // The paragraph the lint starts in; one that runs into the next is not about either.
      let index = starts.length - 1;
      while (index > 0 && starts[index] > start) index--;
      const from = starts[index];
      if (end > from + paragraphs[index].length) continue;
      findings[index].push({
        start: start - from,
        end: end - from,
        rule,
        kind: lint.lint_kind(),
        message: lint.message(),
        suggestions: lint
          .suggestions()
          .slice(0, 5)
          .map((s) => s.get_replacement_text()),
      });
    }
  }
  for (const list of findings) list.sort((a, b) => a.start - b.start || a.end - b.end);
  return findings;
}

port.on('message', async ({ id, paragraphs, rulesOff }) => {
  let linter;
  try {
    linterPromise ??= load(rulesOff);
    linter = await linterPromise;
  } catch (err) {
    port.postMessage({ id, unavailable: err instanceof Error ? err.message : String(err) });
    return;
  }
  try {
    port.postMessage({ id, findings: paragraphs.length ? await check(linter, paragraphs) : [] });
  } catch (err) {
    port.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
