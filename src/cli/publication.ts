// `matinale publication add FILE.yaml` creates or updates a publication and its
// team from its settings file; `publication list` shows what is stored. Run
// again, it says whom it took off the team (listed before, no longer in the
// file) and whom it left there (never in the file: `matinale user add`).
// Settings with problems are refused with every problem as FILE:LINE:COL.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatDiagnostic, sortDiagnostics } from '../edition/diagnostic.ts';
import { parsePublicationYaml } from '../edition/publication-file.ts';
import type { Member } from '../store/people.ts';
import { listPublications, upsertPublication } from '../store/publications.ts';
import { withStore } from './context.ts';
import { RefusedError } from './usage-error.ts';

/** Adds `publication add` and `publication list` to the program. */
export function register(program: Command): void {
  const publication = program.command('publication').description('publications and their teams');

  publication
    .command('add')
    .description('create or update a publication from its settings file')
    .argument('<file>', 'the publication settings, YAML (see BRIEFING-MARKDOWN.md)')
    .option('--as <email>', 'who makes the change, for the audit log', 'cli')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { as: string; json?: boolean }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new RefusedError(`${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      const { publication: settings, diagnostics } = parsePublicationYaml(text, file);
      if (!settings) {
        for (const d of sortDiagnostics(diagnostics)) process.stderr.write(`${formatDiagnostic(d)}\n`);
        throw new RefusedError(`${file}: publication refused (${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'})`);
      }
      await withStore(async (store) => {
        const result = await upsertPublication(store, settings, { actor: options.as });
        const { removed, kept } = result.team;
        const who = (m: Member) => ({ email: m.email, role: m.role });
        if (options.json) {
          const out = { id: result.id, slug: settings.slug, created: result.created, team: settings.team.length + kept.length, removed: removed.map(who), kept: kept.map(who) };
          process.stdout.write(`${JSON.stringify(out)}\n`);
          return;
        }
        const verb = result.created ? 'created' : 'updated';
        process.stdout.write(`publication ${settings.slug} ${verb} (id ${result.id}, team of ${settings.team.length + kept.length})\n`);
        const list = (members: Member[]) => members.map((m) => `${m.email} (${m.role})`).join(', ');
        if (removed.length) process.stdout.write(`  removed from the team, no longer in ${file}: ${list(removed)}\n`);
        if (kept.length) process.stdout.write(`  kept on the team, not in ${file} (added with \`matinale user add\`): ${list(kept)}\n`);
      });
    });

  publication
    .command('list')
    .description('the stored publications and their teams')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(async (store) => {
        const all = await listPublications(store);
        if (options.json) {
          const out = all.map((p) => ({ id: p.id, slug: p.settings.slug, name: p.settings.name, team: p.team.map((m) => ({ name: m.name, email: m.email, role: m.role })) }));
          process.stdout.write(`${JSON.stringify(out)}\n`);
          return;
        }
        for (const p of all) {
          process.stdout.write(`${p.settings.slug}\t${p.settings.name}\t${p.team.map((m) => `${m.email} (${m.role})`).join(', ')}\n`);
        }
      });
    });
}
