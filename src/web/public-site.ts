// Reads shared by the public routes: the published editions of a publication
// (public statuses only, and only versions that parse without errors).
import type { Config } from '../config.ts';
import type { Edition } from '../edition/model.ts';
import type { Desk, DeskEdition, DeskPublication } from './desk.ts';
import { parsedVersion, publishable } from './edition-view.ts';
import { publicStatuses } from './public-statuses.ts';

export interface PublishedEdition {
  row: DeskEdition;
  edition: Edition;
}

/** The published editions of a publication, newest first. */
export async function publishedEditions(desk: Desk, config: Config, publication: DeskPublication, limit = 100): Promise<PublishedEdition[]> {
  const rows = await desk.editions({ publicationIds: [publication.id], statuses: publicStatuses(config) });
  const out: PublishedEdition[] = [];
  for (const row of rows.slice(0, limit)) {
    const one = await publishedEdition(desk, publication, row);
    if (one) out.push(one);
  }
  return out;
}

/** One edition if it is public: a public status and a version without errors. */
export async function publishedEdition(desk: Desk, publication: DeskPublication, row: DeskEdition): Promise<PublishedEdition | undefined> {
  const version = await desk.version(row.id, row.currentVersion);
  if (!version) return undefined;
  const edition = publishable(parsedVersion(row.id, row.currentVersion, version.source, publication.settings));
  return edition ? { row, edition } : undefined;
}

/** The public edition of a publication for a date, or undefined (drafts never). */
export async function publicEditionByDate(desk: Desk, config: Config, publication: DeskPublication, date: string): Promise<PublishedEdition | undefined> {
  const row = await desk.editionByDate(publication.id, date);
  if (!row || !publicStatuses(config).includes(row.status)) return undefined;
  return publishedEdition(desk, publication, row);
}
