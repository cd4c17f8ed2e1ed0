// What the web app needs from the newsroom's data, declared by the web (the
// consumer) so that routes never see SQL: publications, editions with their
// versions, and the guarded workflow. `store-desk.ts` implements it with the
// store's modules; tests could swap it. Its rows are the store's own
// (store/editions.ts), less what the dashboard never shows.
import type { Publication } from '../edition/publication.ts';
import type { EditionRecord, EditionTransition, EditionVersion } from '../store/editions.ts';
import type { EditionStatus } from '../store/schema.ts';
import type { LearnedWord } from '../store/learned-words.ts';

export type DeskLearnedWord = LearnedWord;

export interface DeskPublication {
  id: number;
  slug: string;
  name: string;
  language: string;
  settings: Publication;
}

export type DeskEdition = Omit<EditionRecord, 'createdAt'>;

export type DeskVersion = Omit<EditionVersion, 'editionId'>;

export type DeskMove = EditionTransition;

/** A person's autosaved, unsaved text of an edition, with the version it started from. */
export interface DeskUnsavedText {
  baseVersion: number;
  source: string;
  savedAt: number;
}

/** Statuses an editor may ask for from the dashboard (the rest belong to delivery). */
export const DESK_TRANSITIONS = ['draft', 'ready', 'approved'] as const;
export type DeskTransition = (typeof DESK_TRANSITIONS)[number];

export interface Desk {
  publications(): Promise<DeskPublication[]>;
  publicationBySlug(slug: string): Promise<DeskPublication | undefined>;
  publicationById(id: number): Promise<DeskPublication | undefined>;
  /** Editions of some publications (all when `publicationIds` is absent), newest date first. */
  editions(filter: { publicationIds?: number[]; statuses?: readonly EditionStatus[] }): Promise<DeskEdition[]>;
  edition(id: number): Promise<DeskEdition | undefined>;
  editionByDate(publicationId: number, date: string): Promise<DeskEdition | undefined>;
  versions(editionId: number): Promise<DeskVersion[]>;
  version(editionId: number, number: number): Promise<DeskVersion | undefined>;
  /** The moves the edition made, oldest first: who moved it, from what to what, when. */
  transitions(editionId: number): Promise<DeskMove[]>;
  /** Starts the edition of a publication for a date with its first version; an existing one is returned as is. */
  create(publicationId: number, date: string, source: string, author: string): Promise<{ edition: DeskEdition; created: boolean }>;
  /**
   * Saves a new version (the store sends an approved edition back to ready); returns the edition after.
   * With `baseVersion`, refused (`version-conflict`) when another version was saved since that one.
   */
  save(editionId: number, source: string, author: string, subject: string | null, baseVersion?: number): Promise<DeskEdition>;
  /** A guarded transition; throws the store's error when the current status does not allow it, or (`version`) when it is no longer the latest. */
  transition(editionId: number, to: DeskTransition, actor: string, version?: number): Promise<DeskEdition>;
  /** The version the edition stood at when it was last marked ready (null: not recorded; undefined: never). */
  readyVersion(editionId: number): Promise<number | null | undefined>;
  /** A person's unsaved text of an edition, if any. */
  unsavedText(editionId: number, author: string): Promise<DeskUnsavedText | undefined>;
  /** Keeps a person's unsaved text of an edition (one per person, replaced each time). */
  keepUnsavedText(editionId: number, author: string, baseVersion: number, source: string): Promise<DeskUnsavedText>;
  discardUnsavedText(editionId: number, author: string): Promise<void>;
  /** The publication's learned word list, with how, by whom and when each word was learned. */
  learnedWords(publicationId: number): Promise<DeskLearnedWord[]>;
  /** Adds a word a person accepted; false when the publication knew it already. */
  learnWord(publicationId: number, word: string, by: string): Promise<boolean>;
  /** Removes a word (and what approved editions taught of it); false when the list did not hold it. */
  forgetWord(publicationId: number, word: string, by: string): Promise<boolean>;
}
