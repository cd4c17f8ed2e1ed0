// The route matrix's lines for tips (route-matrix.test.ts runs them): the
// tips, a tip, its parts as OpenPGP files, a reply and a deletion, which take
// an editor of the tip's publication, and the member's own key, which every
// member sets.
import { ANY_MEMBER, EDITORS_ONLY, type MatrixLines, type World } from './route-matrix-harness.ts';

const tipPartsOf = async (w: World, id: number) => (await w.n.store.db.selectFrom('tip_parts').select(['id', 'kind']).where('tip_id', '=', id).orderBy('id').execute()).map((p) => p.kind);
const firstPart = async (w: World, id: number) => (await w.n.store.db.selectFrom('tip_parts').select('id').where('tip_id', '=', id).orderBy('id').executeTakeFirstOrThrow()).id;

export const TIP_ROUTES: MatrixLines = {
  'GET /newsroom/tips': {
    list: {
      expect: { nobody: 'sign-in', author: 'forbidden', editor: 'ok', admin: 'ok', otherEditor: 'absent' },
      send: (v) => v.get('/newsroom/tips'),
      shows: (res) => res.body.includes('<td>Tech Matin</td>'),
    },
  },
  'GET /newsroom/tips/:id': {
    read: { expect: EDITORS_ONLY, prepare: (w) => w.freshTip(), send: (v, _w, id) => v.get(`/newsroom/tips/${id}`), missing: (v) => v.get('/newsroom/tips/99999') },
  },
  'GET /newsroom/tips/:id/parts/:part': {
    download: {
      expect: EDITORS_ONLY,
      prepare: (w) => w.freshTip(),
      send: async (v, w, id) => v.get(`/newsroom/tips/${id}/parts/${await firstPart(w, id)}`),
      missing: (v) => v.get('/newsroom/tips/99999/parts/1'),
    },
  },
  'POST /newsroom/tips/:id/reply': {
    reply: {
      expect: EDITORS_ONLY,
      prepare: (w) => w.freshTip(),
      send: (v, _w, id) => v.post(`/newsroom/tips/${id}/reply`, { text: 'Thank you' }),
      missing: (v) => v.post('/newsroom/tips/99999/reply', { text: 'Thank you' }),
      effect: tipPartsOf,
    },
  },
  'POST /newsroom/tips/:id/delete': {
    delete: {
      expect: EDITORS_ONLY,
      prepare: (w) => w.freshTip(),
      send: (v, _w, id) => v.post(`/newsroom/tips/${id}/delete`, {}),
      missing: (v) => v.post('/newsroom/tips/99999/delete', {}),
      effect: tipPartsOf,
    },
  },
  'GET /newsroom/key': {
    read: { expect: ANY_MEMBER, send: (v) => v.get('/newsroom/key') },
  },
  'POST /newsroom/key': {
    set: { expect: ANY_MEMBER, send: (v, w) => v.post('/newsroom/key', { key: w.publicKey }) },
  },
};
