// What a member of the newsroom may do with an edition, checked here once for
// the dashboard forms and the JSON API alike: who sees it, who saves it, who
// moves it, and that only an edition without errors goes to review or out.
import type { Account } from './auth/accounts.ts';
import { allows, requireRole } from './auth/guard.ts';
import type { Desk, DeskEdition, DeskPublication, DeskTransition } from './desk.ts';
import { DESK_TRANSITIONS } from './desk.ts';
import { ROLES, type Role } from '../edition/publication.ts';
import { WebError } from './errors.ts';
import { checkSourceLength, previewEdition } from './edition-preview.ts';
import { LOCKED_STATUSES, ruleFor } from '../edition/workflow.ts';
import { editionTemplate } from '../edition/template.ts';

export interface EditionContext {
  edition: DeskEdition;
  publication: DeskPublication;
}

/** The edition and its publication, if the account is on that publication's team. */
export async function editionFor(desk: Desk, account: Account, id: number): Promise<EditionContext> {
  const edition = Number.isSafeInteger(id) ? await desk.edition(id) : undefined;
  // The same answer as the guard gives someone off the edition's team: an id tells nothing.
  if (!edition) throw new WebError('not-found');
  const publication = await desk.publicationById(edition.publicationId);
  if (!publication) throw new WebError('not-found');
  requireRole(account, publication.id, 'author', 'open this edition');
  return { edition, publication };
}

/** The editions the account may open, newest first. */
export async function editionsFor(desk: Desk, account: Account): Promise<Array<EditionContext>> {
  const publications = (await desk.publications()).filter((p) => allows(account, p.id, 'author'));
  const byId = new Map(publications.map((p) => [p.id, p]));
  const editions = await desk.editions({ publicationIds: [...byId.keys()] });
  return editions.map((edition) => ({ edition, publication: byId.get(edition.publicationId)! }));
}

// The workflow's people roles are each a floor ("author and above", "editor
// and above"): the lowest role a move names is the one the guard asks for.
function lowestRole(roles: readonly string[]): Role | undefined {
  return ROLES.find((role) => roles.includes(role));
}

/**
 * The moves the account may ask for now, given the edition's status and the
 * account's role; none towards review or approval while the edition has errors.
 */
export function movesFor(account: Account, context: EditionContext, options: { hasErrors?: boolean } = {}): DeskTransition[] {
  return DESK_TRANSITIONS.filter((to) => {
    if (options.hasErrors && to !== 'draft') return false;
    const role = lowestRole(ruleFor(context.edition.status, to)?.roles ?? []);
    return role !== undefined && allows(account, context.publication.id, role);
  });
}

/** True when the edition can take no new version (being sent, or sent): the editor offers no save. */
export function isLocked(edition: DeskEdition): boolean {
  return LOCKED_STATUSES.includes(edition.status);
}

/** A version number from a form or a body: absent is undefined, anything but a positive integer is refused. */
export function versionNumber(value: unknown, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new WebError('invalid-input', `${what} must be a version number`);
  return n;
}

/**
 * Saves a new version of an edition's source; the front matter must keep its
 * publication and date. With `base` (the version the person's editor showed),
 * refused when another version was saved since: the store's `version-conflict`.
 */
export async function saveSource(desk: Desk, account: Account, id: number, source: unknown, base?: number): Promise<DeskEdition> {
  if (typeof source !== 'string') throw new WebError('invalid-input', 'The source must be text');
  checkSourceLength(source);
  const { edition, publication } = await editionFor(desk, account, id);
  requireRole(account, publication.id, 'author', 'edit this edition');
  const preview = await previewEdition(source, publication.settings, 'http://localhost');
  const parsed = preview.facts;
  if (parsed && (parsed.date !== edition.date || parsed.publication !== publication.slug)) {
    throw new WebError(
      'invalid-input',
      `This is the ${edition.date} edition of ${publication.slug}: keep \`publication: ${publication.slug}\` and \`date: ${edition.date}\` in the front matter`,
    );
  }
  return desk.save(edition.id, source, account.email, parsed ? parsed.subject : null, base);
}

/** Saves the text of an earlier version as a new version (nothing is ever taken out of the history). */
export async function restoreVersion(desk: Desk, account: Account, id: number, number: number | undefined, base: number | undefined): Promise<DeskEdition> {
  const { edition } = await editionFor(desk, account, id);
  const version = number === undefined ? undefined : await desk.version(edition.id, number);
  if (!version) throw new WebError('invalid-input', `Edition ${edition.id} has no version ${number ?? '(none given)'}`);
  return saveSource(desk, account, id, version.source, base);
}

/**
 * Moves an edition (ready, approved, back to draft) if the account's role
 * allows it and the edition has no errors. With `version` (the one the person
 * reviewed), only while that version is still the latest: an approval is of
 * the version seen.
 */
export async function moveEdition(desk: Desk, account: Account, id: number, to: unknown, version?: number): Promise<DeskEdition> {
  if (typeof to !== 'string' || !(DESK_TRANSITIONS as readonly string[]).includes(to)) {
    throw new WebError('invalid-input', `Unknown move; use one of ${DESK_TRANSITIONS.join(', ')}`);
  }
  const target = to as DeskTransition;
  const context = await editionFor(desk, account, id);
  const rule = ruleFor(context.edition.status, target);
  const role = rule && lowestRole(rule.roles);
  if (rule && !role) throw new WebError('transition-refused', `Only the platform moves an edition from ${context.edition.status} to ${target}`);
  if (role) requireRole(account, context.publication.id, role, `move an edition from ${context.edition.status} to ${target}`);
  if (target !== 'draft') {
    const version = await desk.version(context.edition.id, context.edition.currentVersion);
    const words = (await desk.learnedWords(context.publication.id)).map((w) => w.word);
    const preview = await previewEdition(version?.source ?? '', context.publication.settings, 'http://localhost', { words });
    if (preview.hasErrors) {
      throw new WebError('edition-invalid', 'The edition has errors: fix them before sending it for review or approving it', {
        diagnostics: preview.diagnostics.filter((d) => d.severity === 'error'),
      });
    }
  }
  // The store checks the move again inside its transaction: that check is the one that counts.
  return desk.transition(context.edition.id, target, account.email, version);
}

/** Starts the edition of a publication for a date, or finds the one that exists (`created: false`); authors and above. */
export async function startEdition(desk: Desk, account: Account, slug: unknown, date: unknown): Promise<{ edition: DeskEdition; created: boolean; publication: DeskPublication }> {
  if (typeof slug !== 'string' || typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
    throw new WebError('invalid-input', 'Choose a publication and a date (YYYY-MM-DD)');
  }
  const publication = await desk.publicationBySlug(slug);
  if (!publication) throw new WebError('not-found');
  requireRole(account, publication.id, 'author', 'start an edition of this publication');
  const started = await desk.create(publication.id, date, editionTemplate(publication.settings, date, account.name), account.email);
  return { ...started, publication };
}
