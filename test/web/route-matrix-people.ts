// The route matrix's lines for the audience and the team (route-matrix.test.ts
// runs them; the routes are dashboard-subscribers.ts, dashboard-import.ts and
// dashboard-team.ts): the subscribers, one subscriber, their data and their
// erasure, the imports of a list, the team and a member's account. The
// audience is for the publication's editors, erasing a reader and steering
// the team for its admins; the invitation links are open, their signed token
// being the right.
import { Readable } from 'node:stream';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addAccount } from '../../src/web/auth/accounts.ts';
import { openSession } from '../../src/web/auth/sessions.ts';
import { importJobs } from '../../src/web/import-jobs.ts';
import { audienceDeps } from '../../src/audience/deps.ts';
import { addByHand } from '../../src/audience/by-hand.ts';
import { ADMINS_ONLY, ANY_MEMBER, EDITORS_ONLY, NEWSROOM_ADMINS, type MatrixLines, type Member, type World } from './route-matrix-harness.ts';

let peopleCounter = 0;
const SUBSCRIBERS = '/newsroom/publications/tech-matin/subscribers';
/** A new active subscriber of Tech Matin; its id. */
const freshSubscriber = async (w: World) => {
  const r = await addByHand(audienceDeps(w.n.config, w.n.store, { clock: w.n.clock }), {
    publicationId: w.n.ids.techMatin,
    email: `reader${++peopleCounter}@example.net`,
    consentSource: 'matrix',
    by: 'test',
  });
  if (r.status !== 'added') throw new Error(r.status);
  return r.subscriberId;
};
const subscriptionOf = async (w: World, id: number) =>
  (await w.n.store.db.selectFrom('subscriptions').select('status').where('subscriber_id', '=', id).executeTakeFirst())?.status ?? 'none';
const importIds: string[] = [];
/** A new import of Tech Matin, uploaded (or done, with rejects); its index in importIds. */
const freshImport = async (w: World, done = false) => {
  const jobs = importJobs(w.n.config.dataDir);
  const { id, bytes } = await jobs.receive(Readable.from([Buffer.from('email\nx@example.net\n')]));
  await jobs.write({
    id, publicationId: w.n.ids.techMatin, by: 'test', fileName: 'list.csv', bytes, createdAt: w.n.clock.now(), headers: ['email'], encoding: 'utf8', expectedRows: 1,
    ...(done ? { status: 'done', progress: { rows: 1, expectedRows: 1, imported: 0, unchanged: 0, rejected: 1 } } : { status: 'uploaded', suggested: { email: 0 } }),
  });
  if (done) writeFileSync(jobs.paths(id).rejects, 'line,reason,email\n2,suppressed,x@example.net\n');
  return importIds.push(id) - 1;
};
const importState = async (w: World, k: number) => (await importJobs(w.n.config.dataDir).read(importIds[k]!))?.status;
const uploadCsv = (v: Member, w: World, slug: string) =>
  w.n.app.inject({ method: 'POST', url: `/api/publications/${slug}/imports`, payload: 'email\nann@example.net\n', headers: { cookie: v.jar.header(), 'content-type': 'text/csv', 'x-csrf-token': v.csrf } });
const NO_IMPORT = '0'.repeat(32);
/** A new member of Tech Matin only, as an author with an account and one open session; their person id. */
const freshMember = async (w: World) => {
  const email = `member${++peopleCounter}@example.org`;
  const userId = await addAccount(w.n.store, { email, password: 'member-password-1', role: 'author', publicationSlugs: ['tech-matin'] }, w.n.clock);
  await openSession(w.n.store, userId, w.n.clock);
  return (await w.n.store.db.selectFrom('users').select('person_id').where('id', '=', userId).executeTakeFirstOrThrow()).person_id;
};
const accountOfPerson = async (w: World, personId: number) => {
  const user = await w.n.store.db.selectFrom('users').select(['id', 'disabled_at']).where('person_id', '=', personId).executeTakeFirstOrThrow();
  const sessions = await w.n.store.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
  const role = await w.n.store.db.selectFrom('memberships').select('role').where('person_id', '=', personId).execute();
  return { disabled: user.disabled_at !== null, sessions: sessions.length, roles: role.map((r) => r.role) };
};

export const PEOPLE_ROUTES: MatrixLines = {
  'GET /newsroom/publications/:slug/subscribers': {
    list: { expect: EDITORS_ONLY, send: (v) => v.get(SUBSCRIBERS), missing: (v) => v.get('/newsroom/publications/no-such-title/subscribers') },
  },
  'POST /newsroom/publications/:slug/subscribers': {
    add: {
      expect: EDITORS_ONLY,
      prepare: async () => ++peopleCounter,
      send: (v, _w, k) => v.post(SUBSCRIBERS, { email: `added${k}@example.net`, consentSource: 'matrix' }),
      missing: (v) => v.post('/newsroom/publications/no-such-title/subscribers', { email: 'a@example.net', consentSource: 'matrix' }),
      effect: async (w, k) => (await w.n.store.db.selectFrom('subscribers').select('id').where('email', '=', `added${k}@example.net`).execute()).length,
    },
  },
  'GET /newsroom/publications/:slug/subscribers.csv': {
    export: { expect: EDITORS_ONLY, send: (v) => v.get(`${SUBSCRIBERS}.csv`), missing: (v) => v.get('/newsroom/publications/no-such-title/subscribers.csv') },
  },
  'GET /newsroom/publications/:slug/subscribers/:id': {
    open: { expect: EDITORS_ONLY, prepare: freshSubscriber, send: (v, _w, id) => v.get(`${SUBSCRIBERS}/${id}`), missing: (v) => v.get(`${SUBSCRIBERS}/99999`) },
  },
  'POST /newsroom/publications/:slug/subscribers/:id/unsubscribe': {
    unsubscribe: {
      expect: EDITORS_ONLY,
      prepare: freshSubscriber,
      send: (v, _w, id) => v.post(`${SUBSCRIBERS}/${id}/unsubscribe`, {}),
      missing: (v) => v.post(`${SUBSCRIBERS}/99999/unsubscribe`, {}),
      effect: subscriptionOf,
    },
  },
  'POST /newsroom/publications/:slug/subscribers/:id/erase': {
    erase: {
      expect: ADMINS_ONLY,
      prepare: freshSubscriber,
      send: (v, _w, id) => v.post(`${SUBSCRIBERS}/${id}/erase`, { confirm: 'yes' }),
      missing: (v) => v.post(`${SUBSCRIBERS}/99999/erase`, { confirm: 'yes' }),
      effect: subscriptionOf,
    },
  },
  'GET /newsroom/publications/:slug/subscribers/:id/data.json': {
    export: { expect: EDITORS_ONLY, prepare: freshSubscriber, send: (v, _w, id) => v.get(`${SUBSCRIBERS}/${id}/data.json`), missing: (v) => v.get(`${SUBSCRIBERS}/99999/data.json`) },
  },
  'GET /newsroom/publications/:slug/import': {
    form: { expect: EDITORS_ONLY, send: (v) => v.get('/newsroom/publications/tech-matin/import'), missing: (v) => v.get('/newsroom/publications/no-such-title/import') },
  },
  'POST /api/publications/:slug/imports': {
    upload: {
      expect: EDITORS_ONLY,
      send: (v, w) => uploadCsv(v, w, 'tech-matin'),
      missing: (v, w) => uploadCsv(v, w, 'no-such-title'),
      effect: async (w) => (existsSync(join(w.n.config.dataDir, 'imports')) ? readdirSync(join(w.n.config.dataDir, 'imports')).length : 0),
    },
  },
  'GET /newsroom/imports/:id': {
    open: { expect: EDITORS_ONLY, prepare: (w) => freshImport(w), send: (v, _w, k) => v.get(`/newsroom/imports/${importIds[k]}`), missing: (v) => v.get(`/newsroom/imports/${NO_IMPORT}`) },
  },
  'POST /newsroom/imports/:id/start': {
    start: {
      expect: EDITORS_ONLY,
      prepare: (w) => freshImport(w),
      send: (v, _w, k) => v.post(`/newsroom/imports/${importIds[k]}/start`, { email: '0' }),
      missing: (v) => v.post(`/newsroom/imports/${NO_IMPORT}/start`, { email: '0' }),
      effect: importState,
    },
  },
  'GET /newsroom/imports/:id/rejects.csv': {
    rejects: {
      expect: EDITORS_ONLY,
      prepare: (w) => freshImport(w, true),
      send: (v, _w, k) => v.get(`/newsroom/imports/${importIds[k]}/rejects.csv`),
      missing: (v) => v.get(`/newsroom/imports/${NO_IMPORT}/rejects.csv`),
    },
  },
  'GET /newsroom/team': { page: { expect: NEWSROOM_ADMINS, send: (v) => v.get('/newsroom/team') } },
  'POST /newsroom/team/invite': {
    invite: {
      expect: ADMINS_ONLY,
      prepare: async () => ++peopleCounter,
      send: (v, _w, k) => v.post('/newsroom/team/invite', { email: `invited${k}@example.org`, name: 'New', publication: 'tech-matin', role: 'author' }),
      missing: (v) => v.post('/newsroom/team/invite', { email: 'x@example.org', name: 'New', publication: 'no-such-title', role: 'author' }),
      effect: async (w, k) => (await w.n.store.db.selectFrom('people').select('id').where('email', '=', `invited${k}@example.org`).execute()).length,
    },
  },
  'POST /newsroom/team/role': {
    role: {
      expect: ADMINS_ONLY,
      prepare: freshMember,
      send: (v, _w, id) => v.post('/newsroom/team/role', { person: String(id), publication: 'tech-matin', role: 'editor' }),
      missing: (v) => v.post('/newsroom/team/role', { person: '1', publication: 'no-such-title', role: 'editor' }),
      effect: accountOfPerson,
    },
  },
  'POST /newsroom/team/disable': {
    disable: {
      expect: ADMINS_ONLY,
      prepare: freshMember,
      send: (v, _w, id) => v.post('/newsroom/team/disable', { person: String(id) }),
      missing: (v) => v.post('/newsroom/team/disable', { person: '99999' }),
      effect: accountOfPerson,
    },
  },
  'POST /newsroom/team/sign-out': {
    'sign-out': {
      expect: ADMINS_ONLY,
      prepare: freshMember,
      send: (v, _w, id) => v.post('/newsroom/team/sign-out', { person: String(id) }),
      missing: (v) => v.post('/newsroom/team/sign-out', { person: '99999' }),
      effect: accountOfPerson,
    },
  },
  'GET /newsroom/invitation/:token': { open: 'the invitation link: its signed token is the right (checked by dashboard-team.test.ts)' },
  'POST /newsroom/invitation/:token': { open: 'setting the password of an invitation: its signed token is the right (checked by dashboard-team.test.ts)' },
  'GET /newsroom/account': { page: { expect: ANY_MEMBER, send: (v) => v.get('/newsroom/account') } },
  'POST /newsroom/account/password': { open: 'any member, for their own account only, with its current password (checked by dashboard-team.test.ts)' },
};
