// `matinale lint EDITION.md`: every problem of an edition at once, parse
// errors and lint warnings, one per line as `FILE:LINE:COL severity rule-id
// message`, sorted. Like other linters, the diagnostics are the command's
// output and go to stdout (so that they can be piped into an editor's quickfix
// list); the one-line summary goes to stderr.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { formatDiagnostic, hasErrors, severitySummary, sortDiagnostics } from '../edition/diagnostic.ts';
import type { Diagnostic } from '../edition/diagnostic.ts';
import { loadEdition } from '../edition/load.ts';
import { lintReport } from '../edition/lint.ts';
import type { LintReport } from '../edition/lint.ts';
import { publicationSlugOf } from '../edition/front-matter.ts';
import { newsroomWordsFor } from '../edition/spelling.ts';
import type { GrammarChecker } from '../edition/grammar.ts';
import { GrammarService } from '../grammar/service.ts';
import { EXIT_REFUSED, UsageError } from './usage-error.ts';

interface LintOptions {
  publication?: string;
  words?: string;
  json?: boolean;
  /** False with `--no-grammar`. */
  grammar?: boolean;
  /** False with `--no-database`: the learned word list is not read. */
  database?: boolean;
}

/** What lintFileReport takes besides the command's options: the grammar checker to use (default: one for this run, closed at its end). */
interface LintRun extends Pick<LintOptions, 'publication' | 'words' | 'grammar' | 'database'> {
  checker?: GrammarChecker;
}

/** Adds `lint` to the program. */
export function register(program: Command): void {
  program
    .command('lint')
    .description('check an edition: parse errors and lint warnings, as FILE:LINE:COL severity rule-id message')
    .argument('<edition>', 'the edition, a Briefing Markdown file')
    .option('--publication <file>', 'the publication settings (default: publications/<slug>.yaml beside the edition or in its parent folder)')
    .option('--words <file>', 'the newsroom word list, one word a line (default: <slug>.words.txt beside the publication settings)')
    .option('--json', 'print the diagnostics as a JSON array')
    .option('--no-grammar', 'leave out the grammar check (Grammalecte for French, Harper for English)')
    .option('--no-database', 'do not read the publication’s learned word list from the database (read by default when there is one: DATABASE_URL, or the SQLite file in DATA_DIR)')
    .addHelpText(
      'after',
      '\nDiagnostics go to stdout, sorted by file, line and column; a one-line summary goes to stderr.\n' +
        'Exit status: 0 with warnings and info only, 1 with any error, 2 on wrong usage.',
    )
    .action(async (edition: string, options: LintOptions) => {
      const { diagnostics, notes } = await lintFileReport(edition, options);
      if (options.json) process.stdout.write(`${JSON.stringify(diagnostics, null, 2)}\n`);
      else for (const d of diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`);
      for (const note of notes) process.stderr.write(`${edition}: note: ${note}\n`);
      process.stderr.write(`${summary(diagnostics)}\n`);
      if (hasErrors(diagnostics)) process.exitCode = EXIT_REFUSED;
    });
}

/** Parses and lints one edition file; every problem, sorted. */
export async function lintFile(path: string, options: LintRun = {}): Promise<Diagnostic[]> {
  return (await lintFileReport(path, options)).diagnostics;
}

/**
 * Parses and lints one edition file: every problem, sorted, and notes on what
 * could not be checked. Lint runs even when the front matter has errors (on
 * what parsed of the edition) or the publication settings are missing, so
 * that all problems are reported at once.
 */
export async function lintFileReport(path: string, options: LintRun = {}): Promise<LintReport> {
  if (options.words && !existsSync(options.words)) throw new UsageError(`--words ${options.words}: no such file`);
  const loaded = await loadEdition(path, options.publication ? { publicationFile: options.publication } : {});
  const diagnostics = [...loaded.diagnostics];
  const notes: string[] = [];
  if (loaded.partial) {
    const slug = publicationSlugOf(loaded.source);
    const words = await newsroomWordsFor({
      editionPath: path,
      slug,
      publicationFile: options.publication,
      wordsFile: options.words,
    });
    if (options.database !== false && slug) {
      const learned = await learnedWordsInDatabase(slug);
      words.push(...learned.words);
      if (learned.note) notes.push(learned.note);
    }
    // One checker for the run (one Grammalecte process, one Harper thread), ended with it.
    const own = options.grammar !== false && !options.checker ? new GrammarService() : undefined;
    const grammar = options.grammar === false ? undefined : (options.checker ?? own);
    try {
      const report = await lintReport({
        source: loaded.source,
        edition: loaded.partial,
        ...(loaded.publication ? { publication: loaded.publication } : {}),
        ...(loaded.language ? { language: loaded.language } : {}),
        file: path,
        words,
        ...(grammar ? { grammar } : {}),
      });
      diagnostics.push(...report.diagnostics);
      notes.push(...report.notes);
    } finally {
      await own?.close();
    }
  }
  return { diagnostics: sortDiagnostics(diagnostics), notes };
}

/**
 * The publication's learned word list, when the newsroom has a database
 * (DATABASE_URL, or the SQLite file in DATA_DIR; none is created for a lint).
 * A database that does not answer, or is not migrated yet, leaves a note and
 * the lint goes on without it.
 */
async function learnedWordsInDatabase(slug: string, env: NodeJS.ProcessEnv = process.env): Promise<{ words: string[]; note?: string }> {
  const dataDir = resolve(env.DATA_DIR || './data');
  const has = Boolean(env.DATABASE_URL) || existsSync(join(dataDir, 'matinale.yaml')) || existsSync(join(dataDir, 'matinale.sqlite'));
  if (!has) return { words: [] };
  try {
    // Loaded only when there is a database: a lint without one stays off the store and its drivers.
    const [{ withStore }, { getPublicationBySlug }, { learnedWordsOf }] = await Promise.all([
      import('./context.ts'),
      import('../store/publications.ts'),
      import('../store/learned-words.ts'),
    ]);
    return await withStore(
      async (store) => {
        const publication = await getPublicationBySlug(store, slug);
        return { words: publication ? await learnedWordsOf(store, publication.id) : [] };
      },
      { env, migrate: false },
    );
  } catch (err) {
    return { words: [], note: `the learned word list was not read from the database (${(err as Error).message.split('\n')[0]}); run \`matinale migrate\`, or lint with --no-database` };
  }
}

function summary(diagnostics: readonly Diagnostic[]): string {
  return severitySummary(diagnostics);
}
