// What the editor shows beside the source: every diagnostic (parser errors and
// lint warnings, with line and column) and what readers get: the email (with
// sample values in place of each recipient's links), the plain text and the
// web page. Used by the JSON API the live preview calls, the editor page, and the
// checks of a save or a move. Lint and render of a long source take seconds:
// they run on a worker thread (preview-runner.ts), never on the event loop
// that answers everyone else, on a source of bounded length.
import { parseEdition } from '../edition/parse.ts';
import { lintReport } from '../edition/lint.ts';
import type { GrammarChecker } from '../edition/grammar.ts';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../edition/diagnostic.ts';
import { subjectOf } from '../edition/inline-text.ts';
import type { Publication } from '../edition/publication.ts';
import { renderWeb } from '../render/web.ts';
import { renderEmail } from '../render/email.ts';
import { renderText } from '../render/text.ts';
import { escapeHtml } from '../render/html-escape.ts';
import { fillPlaceholders, SAMPLE_PLACEHOLDER_VALUES } from '../render/placeholders.ts';
import { WebError } from './errors.ts';
import { previewRunner } from './preview-runner.ts';

/** The longest source the newsroom previews or saves, in characters (a long briefing is a tenth of it). */
export const MAX_SOURCE_LENGTH = 200_000;

export interface EditionPreview {
  diagnostics: Diagnostic[];
  /** What lint could not check (grammar without its checker…), said once each. */
  notes: string[];
  /** True when any diagnostic is an error (the edition cannot be approved as is). */
  hasErrors: boolean;
  /** The rendered web page, when the source parses far enough to show one. */
  html?: string;
  /** The email's HTML, sample values in its per-recipient placeholders, when it renders. */
  email?: string;
  /** The email's plain text, likewise. */
  text?: string;
  /** What the front matter says, when the source parses into an edition. */
  facts?: { publication: string; date: string; subject: string };
}

/** What one preview needs: plain data, so that it crosses to a worker thread. */
export interface PreviewInput {
  source: string;
  publication: Publication;
  publicUrl: string;
  /** The publication's learned word list (the publication's own `words` are in its settings). */
  words?: readonly string[];
}

/**
 * Parses, lints and renders a source for a publication, on the calling thread
 * (the worker thread's job). Grammar is checked when a checker is given (the
 * preview thread's asks the server's, preview-grammar.ts), as `matinale lint` does.
 */
export async function computePreview({ source, publication, publicUrl, words = [] }: PreviewInput, options: { grammar?: GrammarChecker } = {}): Promise<EditionPreview> {
  const file = `${publication.slug}.md`;
  const parsed = parseEdition(source, { file, publication });
  const diagnostics = [...parsed.diagnostics];
  const notes: string[] = [];
  let html: string | undefined;
  let email: string | undefined;
  let text: string | undefined;
  if (parsed.edition) {
    const report = await lintReport({
      source,
      edition: parsed.edition,
      publication,
      file,
      words: [...(publication.words ?? []), ...words],
      ...(options.grammar ? { grammar: options.grammar } : {}),
    });
    diagnostics.push(...report.diagnostics);
    notes.push(...report.notes);
    // A model with errors may not render; the diagnostics say why. Each rendering on its own: one failing leaves the others.
    html = attempt(() => renderWeb(parsed.edition!, publication, { publicUrl }));
    email = attempt(() => fillPlaceholders(renderEmail(parsed.edition!, publication, { publicUrl }), SAMPLE_PLACEHOLDER_VALUES, escapeHtml));
    text = attempt(() => fillPlaceholders(renderText(parsed.edition!, publication, { publicUrl }), SAMPLE_PLACEHOLDER_VALUES));
  }
  const sorted = sortDiagnostics(diagnostics);
  const edition = parsed.edition;
  return {
    diagnostics: sorted,
    notes,
    hasErrors: hasErrors(sorted),
    ...(html ? { html } : {}),
    ...(email ? { email } : {}),
    ...(text ? { text } : {}),
    ...(edition ? { facts: { publication: edition.publication, date: edition.date, subject: subjectOf(edition) } } : {}),
  };
}

function attempt(render: () => string): string | undefined {
  try {
    return render();
  } catch {
    return undefined;
  }
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
 * Parses, lints and renders a source for a publication on a worker thread,
 * with the publication's learned word list (`words`) when the caller has it.
 * With a `key` (a person and an edition), a newer preview of the same key
 * cancels this one, which then rejects with `superseded`.
 */
export async function previewEdition(
  source: string,
  publication: Publication,
  publicUrl: string,
  options: { key?: string; words?: readonly string[] } = {},
): Promise<EditionPreview> {
  checkSourceLength(source);
  return previewRunner().run({ source, publication, publicUrl, words: [...(options.words ?? [])] }, options.key);
}
