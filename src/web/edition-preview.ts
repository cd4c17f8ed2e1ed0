// What the editor shows beside the source: every diagnostic (parser errors and
// lint warnings, with line and column) and the web page as readers would see
// it. Used by the JSON API the live preview calls, the editor page, and the
// checks of a save or a move. Lint and render of a long source take seconds:
// they run on a worker thread (preview-runner.ts), never on the event loop
// that answers everyone else, on a source of bounded length.
import { parseEdition } from '../edition/parse.ts';
import { lintEdition } from '../edition/lint.ts';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../edition/diagnostic.ts';
import { subjectOf } from '../edition/inline-text.ts';
import type { Publication } from '../edition/publication.ts';
import { renderWeb } from '../render/web.ts';
import { WebError } from './errors.ts';
import { previewRunner } from './preview-runner.ts';

/** The longest source the newsroom previews or saves, in characters (a long briefing is a tenth of it). */
export const MAX_SOURCE_LENGTH = 200_000;

export interface EditionPreview {
  diagnostics: Diagnostic[];
  /** True when any diagnostic is an error (the edition cannot be approved as is). */
  hasErrors: boolean;
  /** The rendered web page, when the source parses far enough to show one. */
  html?: string;
  /** What the front matter says, when the source parses into an edition. */
  facts?: { publication: string; date: string; subject: string };
}

/** What one preview needs: plain data, so that it crosses to a worker thread. */
export interface PreviewInput {
  source: string;
  publication: Publication;
  publicUrl: string;
}

/** Parses, lints and renders a source for a publication, on the calling thread (the worker thread's job). */
export async function computePreview({ source, publication, publicUrl }: PreviewInput): Promise<EditionPreview> {
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
  const edition = parsed.edition;
  return {
    diagnostics: sorted,
    hasErrors: hasErrors(sorted),
    ...(html ? { html } : {}),
    ...(edition ? { facts: { publication: edition.publication, date: edition.date, subject: subjectOf(edition) } } : {}),
  };
}

/** Refuses a source longer than the newsroom previews, saying by how much. */
export function checkSourceLength(source: string): void {
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new WebError(
      'invalid-input',
      `The source is ${source.length.toLocaleString('en')} characters long; an edition holds at most ${MAX_SOURCE_LENGTH.toLocaleString('en')}: split it or cut it`,
    );
  }
}

/**
 * Parses, lints and renders a source for a publication on a worker thread.
 * With a `key` (a person and an edition), a newer preview of the same key
 * cancels this one, which then rejects with `superseded`.
 */
export async function previewEdition(source: string, publication: Publication, publicUrl: string, options: { key?: string } = {}): Promise<EditionPreview> {
  checkSourceLength(source);
  return previewRunner().run({ source, publication, publicUrl }, options.key);
}
