// Reads shared by the public routes: the published editions of a publication
// (public statuses only, and only versions that parse without errors).
import type { Edition } from '../edition/model.ts';
import type { Desk, DeskEdition, DeskPublication } from './desk.ts';
import { parsedVersion, publishable } from './edition-view.ts';
import type { PublicRule } from '../edition/published.ts';

export interface PublishedEdition {
  row: DeskEdition;
  edition: Edition;
}

/** The published editions of a publication, newest first. */
export async function publishedEditions(desk: Desk, rule: PublicRule, publication: DeskPublication, limit = 100): Promise<PublishedEdition[]> {
  const rows = await desk.editions({ publicationIds: [publication.id], statuses: rule.statuses });
  const out: PublishedEdition[] = [];
  // Embargoed editions are left out before the limit, or they would take the places of public ones.
  for (const row of rows.filter((r) => rule.isPublic(r, publication)).slice(0, limit)) {
    const one = await publishedEdition(desk, publication, row);
    if (one) out.push(one);
  }
  return out;
}

/** One edition if its version parses without errors (the caller checked that it is public). */
export async function publishedEdition(desk: Desk, publication: DeskPublication, row: DeskEdition): Promise<PublishedEdition | undefined> {
  const version = await desk.version(row.id, row.currentVersion);
  if (!version) return undefined;
  const edition = publishable(parsedVersion(row.id, row.currentVersion, version.source, publication.settings));
  return edition ? { row, edition } : undefined;
}

/** The public edition of a publication for a date, or undefined (drafts never). */
export async function publicEditionByDate(desk: Desk, rule: PublicRule, publication: DeskPublication, date: string): Promise<PublishedEdition | undefined> {
  const row = await desk.editionByDate(publication.id, date);
  if (!row || !rule.isPublic(row, publication)) return undefined;
  return publishedEdition(desk, publication, row);
}
