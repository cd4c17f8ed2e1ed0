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

async function check(linter, text) {
  const units = utf16Offsets(text);
  const at = (i) => units[Math.max(0, Math.min(units.length - 1, i))];
  const organized = await linter.organizedLints(text, { language: 'plaintext' });
  const findings = [];
  for (const [rule, lints] of Object.entries(organized)) {
    for (const lint of lints) {
      const span = lint.span();
      findings.push({
        start: at(span.start),
        end: at(span.end),
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
  findings.sort((a, b) => a.start - b.start || a.end - b.end);
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
    const findings = [];
    for (const text of paragraphs) findings.push(await check(linter, text));
    port.postMessage({ id, findings });
  } catch (err) {
    port.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
