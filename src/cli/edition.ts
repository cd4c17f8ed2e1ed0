// `matinale edition …`: store an edition (lint first: an edition with errors is
// refused), list a publication's editions, compare two versions, and move an
// edition through the workflow. A refused workflow step exits 1 with the reason.
import type { Command } from 'commander';
import { formatDiagnostic, hasErrors } from '../edition/diagnostic.ts';
import { loadEdition } from '../edition/load.ts';
import type { Store } from '../store/db.ts';
import { WorkflowError, type Actor } from '../edition/workflow.ts';
import { getEdition, listEditions, saveEdition, transitionEdition, type SaveResult } from '../store/editions.ts';
import { diffVersions } from '../store/version-diff.ts';
import { normaliseEmail, type Member } from '../store/people.ts';
import { getPublicationBySlug, listPublications, type StoredPublication } from '../store/publications.ts';
import { EDITION_STATUSES, type EditionStatus } from '../store/schema.ts';
import { inTransaction } from '../store/transaction.ts';
import { withStore } from './context.ts';
import { lintFile } from './lint.ts';
import { RefusedError, UsageError } from './usage-error.ts';

interface AddOptions {
  publication?: string;
  approve?: boolean;
  as?: string;
  json?: boolean;
}

/** Adds `edition add|list|diff|status` to the program. */
export function register(program: Command): void {
  const edition = program.command('edition').description('editions: store, list, compare, move through the workflow');

  edition
    .command('add')
    .description('lint and store an edition (a new version when it exists); prints its id and version')
    .argument('<edition>', 'the edition, a Briefing Markdown file')
    .option('--publication <file>', 'the publication settings (default: publications/<slug>.yaml beside the edition or in its parent folder)')
    .option('--approve', 'also move it to approved (through ready), as the publication’s editor or the --as person')
    .option('--as <email>', 'who saves (and approves) it: a member of the publication’s team')
    .option('--json', 'print the result as JSON')
    .action(async (path: string, options: AddOptions) => {
      const diagnostics = await lintFile(path, options.publication ? { publication: options.publication } : {});
      for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      if (hasErrors(diagnostics)) throw new RefusedError(`${path}: refused, the edition has errors`);
      const loaded = await loadEdition(path, options.publication ? { publicationFile: options.publication } : {});
      const model = loaded.edition;
      if (!model) throw new RefusedError(`${path}: refused, the edition could not be parsed`);

      await withStore(async (store) => {
        const publication = await getPublicationBySlug(store, model.publication);
        if (!publication) {
          throw new RefusedError(`publication ${model.publication} is not in the database: run \`matinale publication add\` with its settings first`);
        }
        const author = options.as ? memberOrRefuse(publication, options.as).email : authorOf(publication, model.by);
        const { saved, approved } = await refuseWorkflowErrors(() =>
          inTransaction(store, async (tx) => {
            // The subject stored is the source's own (saveEdition derives it).
            const saved = await saveEdition(tx, { publicationId: publication.id, date: model.date, source: loaded.source, author });
            if (!options.approve) return { saved, approved: false };
            // The same source again: what was approved (or scheduled, or sent) is still what would go out.
            if (saved.unchanged && saved.status !== 'draft' && saved.status !== 'ready') return { saved, approved: false };
            const approver: Actor = { kind: 'person', email: options.as ? author : approverOf(publication).email };
            if (saved.status === 'draft') await transitionEdition(tx, saved.editionId, 'ready', approver);
            await transitionEdition(tx, saved.editionId, 'approved', approver);
            return { saved, approved: true };
          }),
        );
        const status: EditionStatus = approved ? 'approved' : saved.status;
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ id: saved.editionId, version: saved.version, created: saved.created, unchanged: saved.unchanged === true, status, publication: model.publication, date: model.date, warnings: diagnostics.filter((d) => d.severity === 'warning').length, info: diagnostics.filter((d) => d.severity === 'info').length })}\n`);
        } else {
          process.stdout.write(`${describe(saved, status, model.publication, model.date)}\n`);
        }
      });
    });

  edition
    .command('list')
    .description('the editions of a publication (default: of every publication), newest first')
    .option('--publication <slug>', 'only this publication')
    .option('--json', 'print them as JSON')
    .action(async (options: { publication?: string; json?: boolean }) => {
      await withStore(async (store) => {
        let publications: StoredPublication[];
        if (options.publication) {
          const publication = await getPublicationBySlug(store, options.publication);
          if (!publication) throw new RefusedError(`no publication ${options.publication}`);
          publications = [publication];
        } else {
          publications = await listPublications(store);
        }
        const lists = await Promise.all(publications.map(async (p) => ({ slug: p.settings.slug, editions: await listEditions(store, p.id) })));
        if (options.json) {
          process.stdout.write(`${JSON.stringify(options.publication ? lists[0]!.editions : lists.flatMap((l) => l.editions.map((e) => ({ publication: l.slug, ...e }))))}\n`);
          return;
        }
        for (const { slug, editions } of lists) {
          // A heading per publication only when several are listed: one publication's lines stay as scripts read them.
          if (!options.publication) process.stdout.write(`${slug}${editions.length ? '' : ' (no editions)'}\n`);
          for (const e of editions) process.stdout.write(`${e.id}\t${e.date}\t${e.status}\tv${e.currentVersion}\t${e.subject ?? ''}\n`);
        }
      });
    });

  edition
    .command('diff')
    .description('compare two versions of an edition as a unified diff (default: the last two)')
    .argument('<id>', 'the edition id')
    .argument('[from]', 'the older version number')
    .argument('[to]', 'the newer version number')
    .action(async (id: string, from: string | undefined, to: string | undefined) => {
      const editionId = positive(id, 'edition id');
      await withStore(async (store) => {
        const edition = await existing(store, editionId);
        const b = to === undefined ? edition.currentVersion : positive(to, 'version');
        const a = from === undefined ? Math.max(1, b - 1) : positive(from, 'version');
        const patch = await diffVersions(store, editionId, a, b);
        if (patch === undefined) throw new RefusedError(`edition ${editionId} has versions 1 to ${edition.currentVersion}, not ${a} and ${b}`);
        process.stdout.write(patch);
      });
    });

  edition
    .command('status')
    .description(`move an edition through the workflow (${EDITION_STATUSES.join(', ')})`)
    .argument('<id>', 'the edition id')
    .argument('<to>', 'the state to move it to')
    .requiredOption('--as <email>', 'who makes the move: a member of the publication’s team')
    .option('--json', 'print the move as JSON')
    .action(async (id: string, to: string, options: { as: string; json?: boolean }) => {
      const editionId = positive(id, 'edition id');
      if (!(EDITION_STATUSES as readonly string[]).includes(to)) throw new UsageError(`unknown state ${to}: one of ${EDITION_STATUSES.join(', ')}`);
      await withStore(async (store) => {
        const moved = await refuseWorkflowErrors(() => transitionEdition(store, editionId, to as EditionStatus, { kind: 'person', email: options.as }));
        if (options.json) process.stdout.write(`${JSON.stringify({ id: editionId, ...moved })}\n`);
        else process.stdout.write(`edition ${editionId}: ${moved.from} → ${moved.to} by ${moved.actor}\n`);
      });
    });
}

// Workflow refusals are refused input (exit 1) with the store's own words.
async function refuseWorkflowErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof WorkflowError) throw new RefusedError(`${err.message} (${err.code})`);
    throw err;
  }
}

function describe(saved: SaveResult, status: EditionStatus, slug: string, date: string): string {
  if (saved.unchanged) {
    // Nothing was saved; the state is the one it had, unless --approve moved a draft or ready edition on.
    const state = status === saved.status ? `still ${status}` : `${status}`;
    return `edition ${saved.editionId} version ${saved.version} (${slug} ${date}, unchanged, ${state})`;
  }
  const back = saved.sentBackFrom ? `; was ${saved.sentBackFrom}, back to ready for approval` : '';
  return `edition ${saved.editionId} version ${saved.version} (${slug} ${date}, ${status}${back})`;
}

function memberOrRefuse(publication: StoredPublication, email: string): Member {
  const member = publication.team.find((m) => m.email === normaliseEmail(email));
  if (!member) throw new RefusedError(`${email} is not on the team of ${publication.settings.slug}`);
  return member;
}

// The saver by default: the first lead author found on the team, else the byline as written.
function authorOf(publication: StoredPublication, by: readonly string[]): string {
  for (const name of by) {
    const member = publication.team.find((m) => m.name.toLocaleLowerCase() === name.toLocaleLowerCase());
    if (member) return member.email;
  }
  return by.join(', ') || 'cli';
}

function approverOf(publication: StoredPublication): Member {
  const member = publication.team.find((m) => m.role === 'editor') ?? publication.team.find((m) => m.role === 'admin');
  if (!member) throw new RefusedError(`${publication.settings.slug} has no editor or admin to approve it: pass --as`);
  return member;
}

async function existing(store: Store, id: number) {
  const edition = await getEdition(store, id);
  if (!edition) throw new RefusedError(`no edition ${id}`);
  return edition;
}

function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a positive whole number, not ${text}`);
  return n;
}
