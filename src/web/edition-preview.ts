// What the editor shows beside the source: every diagnostic (parser errors and
// lint warnings, with line and column) and the web page as readers would see
// it. Used by the JSON API the live preview calls and by the editor page.
import { parseEdition } from '../edition/parse.ts';
import { lintEdition } from '../edition/lint.ts';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../edition/diagnostic.ts';
import type { Edition } from '../edition/model.ts';
import type { Publication } from '../edition/publication.ts';
import { renderWeb } from '../render/web.ts';

export interface EditionPreview {
  diagnostics: Diagnostic[];
  /** True when any diagnostic is an error (the edition cannot be approved as is). */
  hasErrors: boolean;
  /** The rendered web page, when the source parses far enough to show one. */
  html?: string;
  edition?: Edition;
}

/** Parses, lints and renders a source for a publication. */
export async function previewEdition(source: string, publication: Publication, publicUrl: string): Promise<EditionPreview> {
  const file = `${publication.slug}.md`;
  const parsed = parseEdition(source, { file, publication });
  const diagnostics = [...parsed.diagnostics];
  let html: string | undefined;
  if (parsed.edition) {
    diagnostics.push(...(await lintEdition({ source, edition: parsed.edition, publication, file, words: publication.words ?? [] })));
    try {
      html = renderWeb(parsed.edition, publication, { publicUrl });
    } catch {
      // A model with errors may not render; the diagnostics say why.
    }
  }
  const sorted = sortDiagnostics(diagnostics);
  return { diagnostics: sorted, hasErrors: hasErrors(sorted), ...(html ? { html } : {}), ...(parsed.edition ? { edition: parsed.edition } : {}) };
}
