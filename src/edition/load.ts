// The one entry point from a file on disk to a checked Edition: reads the
// source, finds and validates its publication settings, parses. The CLI
// (lint, render, edition add) and the preview all go through here.
import { readFile } from 'node:fs/promises';
import type { Diagnostic } from './diagnostic.ts';
import type { Edition, PartialEdition } from './model.ts';
import type { Language, Publication } from './publication.ts';
import { parseEdition } from './parse.ts';
import { publicationRefOf } from './front-matter.ts';
import { findPublicationFile, languageOfPublicationYaml, parsePublicationYaml, publicationCandidates } from './publication-file.ts';
import { diagnostic } from './rules.ts';

export interface LoadOptions {
  /** The publication settings file (`--publication`); found beside the edition when absent. */
  publicationFile?: string;
}

export interface LoadedEdition {
  /** The edition's source as read ('' when it could not be read). */
  source: string;
  edition?: Edition;
  /** The body and the valid front-matter values even when the front matter is broken: for lint only. */
  partial?: PartialEdition;
  publication?: Publication;
  /**
   * The publication's language: its settings', or, when they are invalid, the
   * `language` they give if it is a known one (so that lint still runs the rules of the language).
   */
  language?: Language;
  /** Problems of the edition and of its publication settings, each with its own file name. */
  diagnostics: Diagnostic[];
}

/** Reads, checks and parses the edition at `path` with its publication settings. */
export async function loadEdition(path: string, options: LoadOptions = {}): Promise<LoadedEdition> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (err) {
    return { source: '', diagnostics: [diagnostic('file-unreadable', path, undefined, `cannot read the edition: ${reason(err)}`)] };
  }

  const diagnostics: Diagnostic[] = [];
  let publication: Publication | undefined;
  let language: Language | undefined;
  let publicationFile = options.publicationFile;
  if (!publicationFile) {
    const ref = publicationRefOf(source);
    if (ref) {
      const { slug } = ref;
      publicationFile = findPublicationFile(path, slug);
      if (!publicationFile) {
        diagnostics.push(
          diagnostic(
            'publication-not-found',
            path,
            // At the slug the author wrote, where the fix usually is.
            ref.at,
            `no settings for publication \`${slug}\`: looked for ${publicationCandidates(path, slug).join(' and ')} (or pass --publication FILE)`,
          ),
        );
      }
    }
  }
  if (publicationFile) {
    try {
      const text = await readFile(publicationFile, 'utf8');
      const parsed = parsePublicationYaml(text, publicationFile);
      publication = parsed.publication;
      language = publication?.language ?? languageOfPublicationYaml(text);
      diagnostics.push(...parsed.diagnostics);
    } catch (err) {
      diagnostics.push(diagnostic('file-unreadable', publicationFile, undefined, `cannot read the publication settings: ${reason(err)}`));
    }
  }

  const parsed = parseEdition(source, { file: path, ...(publication ? { publication } : {}) });
  return {
    source,
    ...(parsed.edition ? { edition: parsed.edition } : {}),
    ...(parsed.partial ? { partial: parsed.partial } : {}),
    ...(publication ? { publication } : {}),
    ...(language ? { language } : {}),
    diagnostics: [...diagnostics, ...parsed.diagnostics],
  };
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file';
  if (e.code === 'EISDIR') return 'it is a folder';
  if (e.code === 'EACCES') return 'permission denied';
  return e.message ?? String(err);
}
