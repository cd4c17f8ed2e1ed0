// `matinale render EDITION.md --format email|text|web|json|eml`: one rendering
// to stdout or a file. An edition with errors is refused (exit 1) with its
// diagnostics, so that nothing broken is ever handed on.
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { formatDiagnostic, hasErrors, sortDiagnostics } from '../edition/diagnostic.ts';
import { loadEdition } from '../edition/load.ts';
import { loadConfig } from '../config.ts';
import { FORMATS, renderFormat, type Format } from '../render/formats.ts';
import { RefusedError } from './usage-error.ts';

interface RenderCommandOptions {
  format: Format;
  publication?: string;
  out?: string;
}

/** Adds `render` to the program. */
export function register(program: Command): void {
  program
    .command('render')
    .description('render an edition to one format: email HTML, plain text, web page, JSON, or a whole message (eml)')
    .argument('<edition>', 'the edition, a Briefing Markdown file')
    .addOption(new Option('--format <format>', 'the rendering').choices(FORMATS).makeOptionMandatory())
    .option('--publication <file>', 'the publication settings (default: publications/<slug>.yaml beside the edition or in its parent folder)')
    .option('--out <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      '\nLinks are made absolute with PUBLIC_URL. Email and text keep the per-recipient placeholders\n' +
        '(%%unsubscribe_url%%, %%preferences_url%%, %%recipient%%); eml fills them with sample values.\n' +
        'Exit status: 0 rendered, 1 the edition has errors (printed to stderr), 2 on wrong usage.',
    )
    .action(async (path: string, options: RenderCommandOptions) => {
      const output = await renderFile(path, options);
      if (options.out) await writeFile(options.out, output);
      else process.stdout.write(output);
    });
}

/** Loads, checks and renders one edition file; refuses one with errors. */
export async function renderFile(
  path: string,
  options: RenderCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | Buffer> {
  const loaded = await loadEdition(path, options.publication ? { publicationFile: options.publication } : {});
  const diagnostics = sortDiagnostics(loaded.diagnostics);
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (hasErrors(diagnostics) || !loaded.edition || !loaded.publication) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    throw new RefusedError(`${path}: not rendered, ${errors} error${errors === 1 ? '' : 's'}`);
  }
  const { publicUrl } = loadConfig(env);
  return renderFormat(options.format, loaded.edition, loaded.publication, { publicUrl });
}
