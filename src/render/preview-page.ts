// The page `matinale preview` serves: the email at desktop and phone widths,
// the plain text and the web page side by side, the diagnostics beside them.
// The frames load from the preview server; a server-sent event tells the page
// to reload them when the source changes.
import { formatDiagnostic, severitySummary, type Diagnostic } from '../edition/diagnostic.ts';
import { escapeHtml } from './html-escape.ts';

export interface PreviewState {
  /** Raised at each rebuild; the frames load `?v=version` so that nothing is served from cache. */
  version: number;
  file: string;
  diagnostics: Diagnostic[];
  /** True when the renderings are those of the last version without errors (or absent). */
  stale: boolean;
  hasRenderings: boolean;
}

/** The diagnostics panel, as an HTML fragment (fetched again on each change). */
export function diagnosticsHtml(state: PreviewState): string {
  const summary = severitySummary(state.diagnostics);
  const items = state.diagnostics
    .map((d) => `<li class="${d.severity}">${escapeHtml(formatDiagnostic(d))}</li>`)
    .join('\n');
  const stale = state.stale
    ? `<p class="stale">${state.hasRenderings ? 'The renderings below are from the last version without errors.' : 'Nothing rendered yet: fix the errors first.'}</p>`
    : '';
  return `<p class="summary" data-version="${state.version}">${summary}</p>${stale}<ul>${items}</ul>`;
}

const CSS = `
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: #e9e6df; color: #1f2328; }
header { padding: 8px 16px; background: #1f2328; color: #f3f0ea; display: flex; gap: 16px; align-items: baseline; }
header h1 { font-size: 16px; margin: 0; }
#diagnostics { padding: 8px 16px; background: #fff; border-bottom: 1px solid #d8d3c8; max-height: 30vh; overflow: auto; }
#diagnostics ul { margin: 0; padding-left: 18px; font-family: ui-monospace, monospace; font-size: 12px; }
#diagnostics .error { color: #a3261e; } #diagnostics .warning { color: #8a5a00; } #diagnostics .info { color: #4a5560; }
#diagnostics .stale { color: #a3261e; font-weight: bold; }
main { display: flex; gap: 16px; padding: 16px; overflow-x: auto; align-items: flex-start; }
figure { margin: 0; flex: none; }
figcaption { font-weight: bold; margin-bottom: 4px; }
iframe { border: 1px solid #c9c3b6; background: #fff; height: 80vh; display: block; }
`;

/** The whole preview page. */
export function previewPageHtml(state: PreviewState): string {
  const frame = (id: string, caption: string, src: string, width: number) =>
    `<figure><figcaption>${caption}</figcaption><iframe id="${id}" title="${caption}" data-src="${src}" src="${src}?v=${state.version}" width="${width}"></iframe></figure>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Preview — ${escapeHtml(state.file)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>Preview of ${escapeHtml(state.file)}</h1><span>refreshed when the file is saved</span></header>
<section id="diagnostics" aria-live="polite">${diagnosticsHtml(state)}</section>
<main>
${frame('email-desktop', 'Email, desktop (640 px)', '/email.html', 640)}
${frame('email-phone', 'Email, phone (375 px)', '/email.html', 375)}
${frame('text', 'Plain text', '/text.txt', 640)}
${frame('web', 'Web page', '/web.html', 640)}
</main>
<script>
const events = new EventSource('/events');
events.addEventListener('message', async (event) => {
  const { version } = JSON.parse(event.data);
  const panel = document.getElementById('diagnostics');
  panel.innerHTML = await (await fetch('/diagnostics.html?v=' + version)).text();
  for (const frame of document.querySelectorAll('iframe')) frame.src = frame.dataset.src + '?v=' + version;
});
</script>
</body>
</html>
`;
}
