// The route matrix's lines for editions (route-matrix.test.ts runs them): the
// newsroom's editions page, starting, opening, saving, restoring an edition,
// discarding one's own unsaved text, the workflow moves, and the same through
// the API. Any member of the publication writes and moves an edition to ready;
// only an editor approves it or sends it back to draft.
import { saveEdition } from '../../src/store/editions.ts';
import { keepUnsavedText } from '../../src/store/unsaved-texts.ts';
import { AUTHOR, EDITOR, OUTSIDER, type Visitor } from './harness.ts';
import {
  EDITORS_ONLY, MEMBERS_LIST, MEMBERS_READ, P_ADMIN, P_EDITOR, dateOf, editionState, source,
  type Action, type MatrixLines, type Member, type World,
} from './route-matrix-harness.ts';

const unsavedTextsOf = async (w: World, id: number) =>
  (await w.n.store.db.selectFrom('edition_drafts').select('author').where('edition_id', '=', id).execute()).map((d) => d.author).sort();
const dateOfEdition = async (w: World, id: number) => (await w.n.store.db.selectFrom('editions').select('date').where('id', '=', id).executeTakeFirstOrThrow()).date;

function moves(api: boolean): Record<string, Action> {
  // Every fresh edition is at version 1: the move names the version seen, as the dashboard's forms do.
  const move = (to: string) => (v: Member, _w: World, id: number) =>
    api ? v.api('POST', `/api/editions/${id}/transitions`, { to, version: 1 }) : v.post(`/newsroom/editions/${id}/transition`, { to, version: '1' });
  const missing = (to: string) => (v: Visitor) =>
    api ? v.api('POST', '/api/editions/99999/transitions', { to, version: 1 }) : v.post('/newsroom/editions/99999/transition', { to, version: '1' });
  return {
    ready: { expect: MEMBERS_READ, prepare: (w) => w.freshEdition('draft'), send: move('ready'), missing: missing('ready'), effect: editionState },
    approved: { expect: EDITORS_ONLY, prepare: (w) => w.freshEdition('ready'), send: move('approved'), missing: missing('approved'), effect: editionState },
    draft: { expect: EDITORS_ONLY, prepare: (w) => w.freshEdition('approved'), send: move('draft'), missing: missing('draft'), effect: editionState },
  };
}

/** One a try of starting an edition: each starts one on a day of its own. */
let dayCounter = 0;

/** The dashboard's edition routes. */
export const EDITION_ROUTES: MatrixLines = {
  'GET /newsroom': {
    list: { expect: MEMBERS_LIST, send: (v) => v.get('/newsroom'), shows: (res, w) => res.body.includes(`/newsroom/editions/${w.n.ids.techEdition}"`) },
  },
  'POST /newsroom/editions': {
    start: {
      expect: MEMBERS_READ,
      prepare: async () => ++dayCounter,
      send: (v, _w, day) => v.post('/newsroom/editions', { publication: 'tech-matin', date: dateOf(day) }),
      missing: (v) => v.post('/newsroom/editions', { publication: 'no-such-title', date: '2026-05-01' }),
      effect: async (w, day) => (await w.n.store.db.selectFrom('editions').select('id').where('date', '=', dateOf(day)).execute()).length,
    },
  },
  'GET /newsroom/editions/:id': {
    open: { expect: MEMBERS_READ, send: (v, _w, id) => v.get(`/newsroom/editions/${id}`), missing: (v) => v.get('/newsroom/editions/99999') },
  },
  'POST /newsroom/editions/:id/save': {
    save: {
      expect: MEMBERS_READ,
      prepare: (w) => w.freshEdition('draft'),
      send: async (v, w, id) => v.post(`/newsroom/editions/${id}/save`, { source: source(await dateOfEdition(w, id)) + '\n', base: '1' }),
      missing: (v) => v.post('/newsroom/editions/99999/save', { source: 'x', base: '1' }),
      effect: editionState,
    },
  },
  'POST /newsroom/editions/:id/restore': {
    restore: {
      expect: MEMBERS_READ,
      // Two versions: version 1 restored becomes version 3.
      prepare: async (w) => {
        const id = await w.freshEdition('draft');
        const date = await dateOfEdition(w, id);
        await saveEdition(w.n.store, { publicationId: w.n.ids.techMatin, date, source: source(date) + '\nSecond.\n', author: AUTHOR.email }, { clock: w.n.clock });
        return id;
      },
      send: (v, _w, id) => v.post(`/newsroom/editions/${id}/restore`, { version: '1', base: '2' }),
      missing: (v) => v.post('/newsroom/editions/99999/restore', { version: '1', base: '2' }),
      effect: editionState,
    },
  },
  'POST /newsroom/editions/:id/unsaved/discard': {
    discard: {
      expect: MEMBERS_READ,
      // Everyone's unsaved text is there: a discard takes away only the asker's.
      prepare: async (w) => {
        const id = await w.freshEdition('draft');
        for (const who of [AUTHOR, EDITOR, OUTSIDER, P_EDITOR, P_ADMIN]) await keepUnsavedText(w.n.store, { editionId: id, author: who.email, baseVersion: 1, source: 'unsaved' });
        return id;
      },
      send: (v, _w, id) => v.post(`/newsroom/editions/${id}/unsaved/discard`, {}),
      missing: (v) => v.post('/newsroom/editions/99999/unsaved/discard', {}),
      effect: unsavedTextsOf,
    },
  },
  'POST /newsroom/editions/:id/transition': moves(false),
  'GET /newsroom/editions/:id/versions': {
    read: { expect: MEMBERS_READ, send: (v, _w, id) => v.get(`/newsroom/editions/${id}/versions`), missing: (v) => v.get('/newsroom/editions/99999/versions') },
  },
};

/** The API's edition routes. */
export const EDITION_API_ROUTES: MatrixLines = {
  'GET /api/editions': {
    list: {
      expect: MEMBERS_LIST,
      send: (v) => v.api('GET', '/api/editions'),
      shows: (res) => (res.json().editions as Array<{ publication: string }>).some((e) => e.publication === 'tech-matin'),
    },
  },
  'GET /api/editions/:id': {
    read: { expect: MEMBERS_READ, send: (v, _w, id) => v.api('GET', `/api/editions/${id}`), missing: (v) => v.api('GET', '/api/editions/99999') },
  },
  'POST /api/editions/:id': {
    save: {
      expect: MEMBERS_READ,
      prepare: (w) => w.freshEdition('draft'),
      send: async (v, w, id) => v.api('POST', `/api/editions/${id}`, { source: source(await dateOfEdition(w, id)) + '\n', base: 1 }),
      missing: (v) => v.api('POST', '/api/editions/99999', { source: 'x', base: 1 }),
      effect: editionState,
    },
  },
  'POST /api/editions/:id/unsaved': {
    keep: {
      expect: MEMBERS_READ,
      prepare: (w) => w.freshEdition('draft'),
      send: (v, _w, id) => v.api('POST', `/api/editions/${id}/unsaved`, { source: 'unsaved text', base: 1 }),
      missing: (v) => v.api('POST', '/api/editions/99999/unsaved', { source: 'unsaved text', base: 1 }),
      effect: unsavedTextsOf,
    },
  },
  'POST /api/editions/:id/transitions': moves(true),
  'POST /api/editions/preview': {
    preview: {
      expect: MEMBERS_READ,
      send: (v) => v.api('POST', '/api/editions/preview', { publication: 'tech-matin', source: 'x' }),
      missing: (v) => v.api('POST', '/api/editions/preview', { publication: 'no-such-title', source: 'x' }),
    },
  },
};
