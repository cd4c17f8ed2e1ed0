// The route matrix's lines for sending (route-matrix.test.ts runs them): a test
// send, a send to the list through its confirmation page, unscheduling, a
// send's page and its controls, the sends, the outbox and the relays' settings.
// Any member tests an edition to their own address; only an editor sends it
// to the list or steers a send; the relays belong to no publication.
import { getSend } from '../../src/store/sends.ts';
import { sendToList } from './send-confirmation.ts';
import { EDITORS_ONLY, MEMBERS_LIST, MEMBERS_READ, NEWSROOM_ADMINS, editionState, type Action, type MatrixLines, type World } from './route-matrix-harness.ts';

const sendsOf = async (w: World, id: number) =>
  (await w.n.store.db.selectFrom('sends').select(['kind']).where('edition_id', '=', id).execute()).map((s) => s.kind).sort().join(',');
const sendStatus = async (w: World, id: number) => (await getSend(w.n.store, id))?.status;

function sendControl(action: string, from: 'running' | 'paused'): Action {
  return {
    expect: EDITORS_ONLY,
    prepare: (w) => w.freshSend(from),
    send: (v, _w, id) => v.post(`/newsroom/sends/${id}/control`, { action }),
    missing: (v) => v.post('/newsroom/sends/99999/control', { action }),
    effect: sendStatus,
  };
}

export const SENDING_ROUTES: MatrixLines = {
  'POST /newsroom/editions/:id/send': {
    test: {
      expect: MEMBERS_READ,
      prepare: (w) => w.freshEdition('draft'),
      // To the person's own address: a member may always test to themselves.
      send: (v, _w, id) => v.post(`/newsroom/editions/${id}/send`, { kind: 'test', to: v.email }),
      missing: (v) => v.post('/newsroom/editions/99999/send', { kind: 'test', to: v.email }),
      effect: sendsOf,
    },
    list: {
      expect: EDITORS_ONLY,
      prepare: (w) => w.freshEdition('approved'),
      // Through the confirmation page, whose token the send needs.
      send: (v, _w, id) => sendToList(v, id),
      missing: (v) => sendToList(v, 99999),
      effect: sendsOf,
    },
  },
  'GET /newsroom/editions/:id/send/confirm': {
    confirm: {
      expect: EDITORS_ONLY,
      prepare: (w) => w.freshEdition('approved'),
      send: (v, _w, id) => v.get(`/newsroom/editions/${id}/send/confirm?when=now`),
      missing: (v) => v.get('/newsroom/editions/99999/send/confirm?when=now'),
      shows: (res) => /name="confirmation"/.test(res.body),
    },
  },
  'POST /newsroom/editions/:id/unschedule': {
    unschedule: {
      expect: EDITORS_ONLY,
      prepare: (w) => w.scheduledEdition(),
      send: (v, _w, id) => v.post(`/newsroom/editions/${id}/unschedule`, {}),
      missing: (v) => v.post('/newsroom/editions/99999/unschedule', {}),
      effect: editionState,
    },
  },
  'GET /newsroom/sends/:id': {
    read: { expect: MEMBERS_READ, prepare: (w) => w.freshSend('running'), send: (v, _w, id) => v.get(`/newsroom/sends/${id}`), missing: (v) => v.get('/newsroom/sends/99999') },
  },
  'GET /api/sends/:id': {
    read: { expect: MEMBERS_READ, prepare: (w) => w.freshSend('running'), send: (v, _w, id) => v.api('GET', `/api/sends/${id}`), missing: (v) => v.api('GET', '/api/sends/99999') },
  },
  'POST /newsroom/sends/:id/control': {
    pause: sendControl('pause', 'running'),
    resume: sendControl('resume', 'paused'),
    cancel: sendControl('cancel', 'running'),
  },
  'GET /newsroom/settings/sending': {
    read: { expect: NEWSROOM_ADMINS, send: (v) => v.get('/newsroom/settings/sending') },
  },
  // The DNS check asks the machine's resolvers (none of the test's names exist: answered at once).
  'POST /newsroom/settings/sending/check': {
    check: { expect: NEWSROOM_ADMINS, send: (v) => v.post('/newsroom/settings/sending/check', {}) },
  },
  'GET /newsroom/sends': {
    list: { expect: MEMBERS_LIST, send: (v) => v.get('/newsroom/sends'), shows: (res) => res.body.includes('Tech Matin 2026-03-02') },
  },
  'GET /api/sends': {
    list: {
      expect: MEMBERS_LIST,
      send: (v) => v.api('GET', '/api/sends'),
      shows: (res) => (res.json().sends as Array<{ publication: string }>).some((s) => s.publication === 'tech-matin'),
    },
  },
  'GET /newsroom/outbox': {
    list: {
      expect: { nobody: 'sign-in', author: 'forbidden', editor: 'ok', admin: 'ok', otherEditor: 'absent' },
      send: (v) => v.get('/newsroom/outbox'),
      shows: (res) => res.body.includes('reader.p@example.net'),
    },
  },
  'GET /newsroom/outbox/:file': {
    read: { expect: EDITORS_ONLY, send: (v, w) => v.get(`/newsroom/outbox/${w.outboxFile}`), missing: (v) => v.get('/newsroom/outbox/99999.99999.matinale@news.test.eml') },
  },
};
