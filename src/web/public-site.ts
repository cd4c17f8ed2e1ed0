// Reads shared by the public routes and the static copy of the archive: the
// published editions of a publication (public statuses only, and only
// versions that parse without errors).
import type { Edition } from '../edition/model.ts';
import type { Desk, DeskPublication } from './desk.ts';
import { parsedVersion, publishable } from './edition-view.ts';
import type { PublicRule } from '../edition/published.ts';

/** What the public pages show of an edition's row. */
export interface PublishedRow {
  id: number;
  date: string;
  currentVersion: number;
  updatedAt: number;
}

export interface PublishedEdition {
  row: PublishedRow;
  edition: Edition;
}

/** The published editions of a publication, newest first. */
export async function publishedEditions(desk: Desk, rule: PublicRule, publication: DeskPublication, limit = 100): Promise<PublishedEdition[]> {
  const rows = await desk.editions({ publicationIds: [publication.id], statuses: rule.statuses });
  // Embargoed editions are left out before the limit, or they would take the places of public ones.
  return publicArchive(desk, publication, rows.filter((r) => rule.isPublic(r, publication)).slice(0, limit));
}

/** The editions of rows already found public, in their order, less those whose version has errors. */
export async function publicArchive(
  desk: Desk,
  publication: DeskPublication,
  rows: readonly PublishedRow[],
): Promise<PublishedEdition[]> {
  const out: PublishedEdition[] = [];
  for (const r of rows) {
    const row = { id: r.id, date: r.date, currentVersion: r.currentVersion, updatedAt: Number(r.updatedAt) };
    const one = await publishedEdition(desk, publication, row);
    if (one) out.push(one);
  }
  return out;
}

/** One edition if its version parses without errors (the caller checked that it is public). */
export async function publishedEdition(desk: Desk, publication: DeskPublication, row: PublishedRow): Promise<PublishedEdition | undefined> {
  const edition = await publishedVersion(desk, publication, row.id, row.currentVersion);
  return edition ? { row, edition } : undefined;
}

/** One version of an edition, parsed, if it has no errors (the caller checked that the edition is public). */
export async function publishedVersion(desk: Desk, publication: DeskPublication, editionId: number, number: number): Promise<Edition | undefined> {
  const version = await desk.version(editionId, number);
  return version && publishable(parsedVersion(editionId, number, version.source, publication.settings));
}
