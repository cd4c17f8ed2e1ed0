// The Desk (desk.ts) on the store's own modules: publications.ts, editions.ts.
import type { Store } from '../store/db.ts';
import type { Clock } from '../clock.ts';
import { getPublication, getPublicationBySlug, listPublications, type StoredPublication } from '../store/publications.ts';
import {
  getEdition,
  findEdition,
  lastMoveTo,
  listTransitions,
  getVersion,
  listEditions,
  listVersions,
  saveEdition,
  transitionEdition,
  type EditionRecord,
  type EditionVersion,
} from '../store/editions.ts';
import { discardUnsavedText, findUnsavedText, keepUnsavedText } from '../store/unsaved-texts.ts';
import { forgetWord, learnWord, listLearnedWords } from '../store/learned-words.ts';
import type { Desk, DeskEdition, DeskPublication, DeskVersion } from './desk.ts';
import type { Publication } from '../edition/publication.ts';

function publication(p: StoredPublication): DeskPublication {
  return { id: p.id, slug: p.settings.slug, name: p.settings.name, language: p.settings.language, settings: p.settings };
}

/** A publication as the desk gives it, from its id and its settings as stored (JSON, validated when saved). */
export function deskPublication(id: number, settings: string): DeskPublication {
  const parsed = JSON.parse(settings) as Publication;
  return { id, slug: parsed.slug, name: parsed.name, language: parsed.language, settings: parsed };
}

function edition({ createdAt: _, ...shown }: EditionRecord): DeskEdition {
  return shown;
}

function version({ editionId: _, ...shown }: EditionVersion): DeskVersion {
  return shown;
}

/** The desk of the web app, over the store. */
export function storeDesk(store: Store, clock: Clock): Desk {
  return {
    publications: async () => (await listPublications(store)).map(publication),
    publicationBySlug: async (slug) => {
      const p = await getPublicationBySlug(store, slug);
      return p && publication(p);
    },
    publicationById: async (id) => {
      const p = await getPublication(store, id);
      return p && publication(p);
    },
    async editions(filter) {
      const ids = filter.publicationIds ?? (await listPublications(store)).map((p) => p.id);
      const all = (await Promise.all(ids.map((id) => listEditions(store, id)))).flat().map(edition);
      const statuses = filter.statuses;
      return all
        .filter((e) => !statuses || statuses.includes(e.status))
        .sort((a, b) => b.date.localeCompare(a.date) || a.publicationId - b.publicationId);
    },
    edition: async (id) => {
      const e = await getEdition(store, id);
      return e && edition(e);
    },
    editionByDate: async (publicationId, date) => {
      const e = await findEdition(store, publicationId, date);
      return e && edition(e);
    },
    versions: async (editionId) => (await listVersions(store, editionId)).map(version),
    version: async (editionId, number) => {
      const v = await getVersion(store, editionId, number);
      return v && version(v);
    },
    transitions: (editionId) => listTransitions(store, editionId),
    async create(publicationId, date, source, author) {
      const existing = await findEdition(store, publicationId, date);
      if (existing) return { edition: edition(existing), created: false };
      const saved = await saveEdition(store, { publicationId, date, source, author }, { clock });
      return { edition: edition((await getEdition(store, saved.editionId))!), created: saved.created };
    },
    async save(editionId, source, author, subject, baseVersion) {
      const current = await getEdition(store, editionId);
      if (!current) throw Object.assign(new Error(`no edition ${editionId}`), { code: 'edition-not-found' });
      const base = baseVersion === undefined ? {} : { baseVersion };
      await saveEdition(store, { publicationId: current.publicationId, date: current.date, source, author, subject, ...base }, { clock });
      return edition((await getEdition(store, editionId))!);
    },
    async transition(editionId, to, actor, version) {
      await transitionEdition(store, editionId, to, { kind: 'person', email: actor }, { clock, ...(version === undefined ? {} : { version }) });
      return edition((await getEdition(store, editionId))!);
    },
    readyVersion: async (editionId) => {
      const move = await lastMoveTo(store, editionId, 'ready');
      return move ? move.version : undefined;
    },
    unsavedText: async (editionId, author) => {
      const d = await findUnsavedText(store, editionId, author);
      return d && { baseVersion: d.baseVersion, source: d.source, savedAt: d.savedAt };
    },
    keepUnsavedText: async (editionId, author, baseVersion, source) => {
      const d = await keepUnsavedText(store, { editionId, author, baseVersion, source }, { clock });
      return { baseVersion: d.baseVersion, source: d.source, savedAt: d.savedAt };
    },
    discardUnsavedText: (editionId, author) => discardUnsavedText(store, editionId, author),
    learnedWords: (publicationId) => listLearnedWords(store, publicationId),
    learnWord: (publicationId, word, by) => learnWord(store, { publicationId, word, by }, { clock }),
    forgetWord: (publicationId, word, by) => forgetWord(store, { publicationId, word, by }, { clock }),
  };
}
