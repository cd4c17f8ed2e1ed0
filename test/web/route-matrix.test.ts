// The role × action × publication matrix of every newsroom and API route,
// checked against the app's own route table: a route added without its line
// here fails this test. Each action is tried by nobody signed in, an author,
// an editor and an admin of the publication the data belongs to (Tech Matin),
// and an editor of another publication (Policy Morning), each on fresh data.
// Refusals: 403 inside the newsroom's navigation when the person is on the
// publication's team with too low a role; 404, the very answer of data that
// does not exist, when they are not on its team (nothing tells them it exists).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse, RouteOptions } from 'fastify';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, OUTSIDER, Visitor, newsroom, samplePublication, sampleSource, type Newsroom } from './harness.ts';
import { buildApp } from '../../src/web/app.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';
import { getEdition, listVersions, saveEdition, transitionEdition } from '../../src/store/editions.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { sendProgress } from '../../src/delivery/progress.ts';
import { startWorker } from '../../src/delivery/worker.ts';
import { keepUnsavedText } from '../../src/store/unsaved-texts.ts';
import { controlSend } from '../../src/delivery/send-controls.ts';
import { getSend } from '../../src/store/sends.ts';
import { learnWord, learnedWordsOf } from '../../src/store/learned-words.ts';
import { sendToList } from './send-confirmation.ts';
import { Readable } from 'node:stream';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { audienceDeps } from '../../src/audience/deps.ts';
import { addByHand } from '../../src/audience/by-hand.ts';
import { importJobs } from '../../src/web/import-jobs.ts';
import { openSession } from '../../src/web/auth/sessions.ts';
import { fileTip, sealText } from '../../src/tips/tip-line.ts';
import { goodKey } from '../helpers/tip-keys.ts';
import * as openpgp from 'openpgp';

const ACTORS = ['nobody', 'author', 'editor', 'admin', 'otherEditor'] as const;
type Actor = (typeof ACTORS)[number];

/**
 * ok: done (2xx, or a redirect that is not to the sign-in page), and for a
 * list, the publication's data is in it; absent: a list without it;
 * sign-in: 401, or the sign-in page for a dashboard GET; forbidden: 403 in
 * the newsroom's navigation; hidden: 404, the same answer as for no such data.
 */
type Outcome = 'ok' | 'absent' | 'sign-in' | 'forbidden' | 'hidden';

const P_EDITOR = { email: 'editor.p@example.org', password: 'p-editor-password-1' };
const P_ADMIN = { email: 'admin.p@example.org', password: 'p-admin-password-1' };

type EditionStatus = 'draft' | 'ready' | 'approved';
/** A visitor who signed in as a person (or, for nobody, a made-up address). */
type Member = Visitor & { email: string };

interface World {
  n: Newsroom;
  /** A new edition of Tech Matin in that status, for one try of a write. */
  freshEdition(status: EditionStatus): Promise<number>;
  /** A new edition of Tech Matin scheduled to go out tomorrow. */
  scheduledEdition(): Promise<number>;
  /** A new test send of Tech Matin in that status (no worker runs it). */
  freshSend(status: 'running' | 'paused'): Promise<number>;
  /** The outbox file of a message of a Tech Matin send. */
  outboxFile: string;
  /** A new tip for Tech Matin, with one part. */
  freshTip(): Promise<number>;
  /** An armoured public key any member may set as theirs. */
  publicKey: string;
}

interface Action {
  expect: Record<Actor, Outcome>;
  /** Sends the request; `target` is what `prepare` made. */
  send(v: Member, w: World, target: number): Promise<LightMyRequestResponse>;
  /** Fresh data for one try (an edition id); defaults to Tech Matin's approved edition. */
  prepare?(w: World): Promise<number>;
  /** The same request for data that does not exist: a `hidden` refusal must answer exactly this. */
  missing?(v: Member, w: World): Promise<LightMyRequestResponse>;
  /** For a list: whether the answer holds the publication's data. */
  shows?(res: LightMyRequestResponse, w: World): boolean;
  /** What the action changes: read before and after; `ok` changes it, a refusal does not. */
  effect?(w: World, target: number): Promise<unknown>;
}

const MEMBERS_READ: Record<Actor, Outcome> = { nobody: 'sign-in', author: 'ok', editor: 'ok', admin: 'ok', otherEditor: 'hidden' };
const MEMBERS_LIST: Record<Actor, Outcome> = { nobody: 'sign-in', author: 'ok', editor: 'ok', admin: 'ok', otherEditor: 'absent' };
const EDITORS_ONLY: Record<Actor, Outcome> = { nobody: 'sign-in', author: 'forbidden', editor: 'ok', admin: 'ok', otherEditor: 'hidden' };
const ADMINS_ONLY: Record<Actor, Outcome> = { nobody: 'sign-in', author: 'forbidden', editor: 'forbidden', admin: 'ok', otherEditor: 'hidden' };
/** What belongs to no publication (a new one, the relays): the admins of any publication, a 403 for every other member. */
const NEWSROOM_ADMINS: Record<Actor, Outcome> = { nobody: 'sign-in', author: 'forbidden', editor: 'forbidden', admin: 'ok', otherEditor: 'forbidden' };
const tipPartsOf = async (w: World, id: number) => (await w.n.store.db.selectFrom('tip_parts').select(['id', 'kind']).where('tip_id', '=', id).orderBy('id').execute()).map((p) => p.kind);
const firstPart = async (w: World, id: number) => (await w.n.store.db.selectFrom('tip_parts').select('id').where('tip_id', '=', id).orderBy('id').executeTakeFirstOrThrow()).id;

const editionState = async (w: World, id: number) => {
  const e = await getEdition(w.n.store, id);
  return { status: e?.status, versions: (await listVersions(w.n.store, id)).length };
};
const sendsOf = async (w: World, id: number) =>
  (await w.n.store.db.selectFrom('sends').select(['kind']).where('edition_id', '=', id).execute()).map((s) => s.kind).sort().join(',');
const unsavedTextsOf = async (w: World, id: number) =>
  (await w.n.store.db.selectFrom('edition_drafts').select('author').where('edition_id', '=', id).execute()).map((d) => d.author).sort();
const dateOfEdition = async (w: World, id: number) => (await w.n.store.db.selectFrom('editions').select('date').where('id', '=', id).executeTakeFirstOrThrow()).date;
/** Tech Matin's settings as its form posts them, with a new greeting (the name stays: other lists look for it). */
function techMatinForm(greeting: string): Record<string, string> {
  const p = samplePublication('tech-matin');
  return {
    name: p.name, greeting, language: p.language, timezone: p.timezone, schedule_mode: 'cron', schedule: p.schedule, from: p.from, replyTo: p.replyTo ?? '',
    address: p.address, words: (p.words ?? []).join('\n'), welcome: p.welcome ?? '',
  };
}
const techMatinSettings = async (w: World) => (await w.n.store.db.selectFrom('publications').select('settings').where('id', '=', w.n.ids.techMatin).executeTakeFirstOrThrow()).settings;
const source = (date: string) => sampleSource('tech-matin').replace('date: 2026-03-02', `date: ${date}`);

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

const WORDS = '/newsroom/publications/tech-matin/words';
let wordCounter = 0;
const learnedWordIn = async (w: World, word: string) => (await learnedWordsOf(w.n.store, w.n.ids.techMatin)).includes(word);

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

// The audience's and the team's routes (dashboard-subscribers.ts, dashboard-import.ts, dashboard-team.ts).
const ANY_MEMBER: Record<Actor, Outcome> = { nobody: 'sign-in', author: 'ok', editor: 'ok', admin: 'ok', otherEditor: 'ok' };
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

const PEOPLE_MATRIX: Record<string, Record<string, Action> | { open: string }> = {
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

/** Every newsroom and API route: its actions, or why it is open to anyone. */
const MATRIX: Record<string, Record<string, Action> | { open: string }> = {
  'GET /newsroom/sign-in': { open: 'the sign-in form' },
  'POST /newsroom/sign-in': { open: 'signing in (checked by the sign-in tests)' },
  'POST /newsroom/sign-out': { open: 'signing out ends only the session that asks' },
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
  'GET /newsroom/publications/new': {
    form: { expect: NEWSROOM_ADMINS, send: (v) => v.get('/newsroom/publications/new') },
  },
  'POST /newsroom/publications/new': {
    create: {
      expect: NEWSROOM_ADMINS,
      prepare: async () => ++dayCounter,
      send: (v, _w, k) =>
        v.post('/newsroom/publications/new', {
          slug: `new-title-${k}`, name: `New ${k}`, language: 'en', timezone: 'UTC', schedule_mode: 'cron', schedule: '0 6 * * *',
          from: 'New <new@example.org>', address: '1 Main Street', member_name: 'Admin', member_email: v.email, member_role: 'admin',
        }),
      effect: async (w, k) => (await w.n.store.db.selectFrom('publications').select('id').where('slug', '=', `new-title-${k}`).execute()).length,
    },
  },
  'GET /newsroom/publications/:slug/settings': {
    open: { expect: ADMINS_ONLY, send: (v) => v.get('/newsroom/publications/tech-matin/settings'), missing: (v) => v.get('/newsroom/publications/no-such-title/settings') },
  },
  'POST /newsroom/publications/:slug/settings': {
    save: {
      expect: ADMINS_ONLY,
      prepare: async () => ++dayCounter,
      // The whole team of the file, so that a save keeps everyone on it.
      send: (v, _w, k) => {
        const team = samplePublication('tech-matin').team;
        const body = new URLSearchParams(Object.entries(techMatinForm(`Bonjour ${k}`)));
        for (const m of team) {
          body.append('member_name', m.name);
          body.append('member_email', m.email);
          body.append('member_role', m.role);
        }
        return v.post('/newsroom/publications/tech-matin/settings', body);
      },
      missing: (v) => v.post('/newsroom/publications/no-such-title/settings', techMatinForm('x')),
      effect: techMatinSettings,
    },
  },
  'GET /newsroom/publications/:slug/settings.yaml': {
    download: {
      expect: ADMINS_ONLY,
      send: (v) => v.get('/newsroom/publications/tech-matin/settings.yaml'),
      missing: (v) => v.get('/newsroom/publications/no-such-title/settings.yaml'),
    },
  },
  'GET /newsroom/publications': {
    list: { expect: MEMBERS_LIST, send: (v) => v.get('/newsroom/publications'), shows: (res) => res.body.includes('Tech Matin') },
  },
  // The word list: any member adds a word (from the editor's diagnostics), only editors remove one.
  'GET /newsroom/publications/:slug/words': {
    read: { expect: MEMBERS_READ, send: (v) => v.get(WORDS), missing: (v) => v.get('/newsroom/publications/no-such-title/words') },
  },
  'POST /newsroom/publications/:slug/words': {
    add: {
      expect: MEMBERS_READ,
      prepare: async () => ++wordCounter,
      send: (v, _w, k) => v.post(WORDS, { word: `Zorbalux${k}` }),
      missing: (v) => v.post('/newsroom/publications/no-such-title/words', { word: 'Zorbalux' }),
      effect: (w, k) => learnedWordIn(w, `Zorbalux${k}`),
    },
  },
  'POST /api/publications/:slug/words': {
    add: {
      expect: MEMBERS_READ,
      prepare: async () => ++wordCounter,
      send: (v, _w, k) => v.api('POST', '/api/publications/tech-matin/words', { word: `Zorbalux${k}` }),
      missing: (v) => v.api('POST', '/api/publications/no-such-title/words', { word: 'Zorbalux' }),
      effect: (w, k) => learnedWordIn(w, `Zorbalux${k}`),
    },
  },
  'POST /newsroom/publications/:slug/words/remove': {
    remove: {
      expect: EDITORS_ONLY,
      prepare: async (w) => {
        const k = ++wordCounter;
        await learnWord(w.n.store, { publicationId: w.n.ids.techMatin, word: `Zorbalux${k}`, by: 'matrix' });
        return k;
      },
      send: (v, _w, k) => v.post(`${WORDS}/remove`, { word: `Zorbalux${k}` }),
      missing: (v) => v.post('/newsroom/publications/no-such-title/words/remove', { word: 'Zorbalux' }),
      effect: (w, k) => learnedWordIn(w, `Zorbalux${k}`),
    },
  },
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
  ...PEOPLE_MATRIX,
};

let dayCounter = 0;
function dateOf(day: number): string {
  return new Date(Date.parse('2026-06-01T00:00:00Z') + day * 86_400_000).toISOString().slice(0, 10);
}

/** The newsroom and API routes of the app's route table (HEAD mirrors GET). */
function newsroomRoutes(table: RouteOptions[]): string[] {
  const keys = table.flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((m) => `${m} ${r.url}`));
  return [...new Set(keys.filter((k) => /^(?!HEAD )\S+ \/(newsroom|api)(\/|$)/.test(k)))].sort();
}

function isSignInAnswer(res: LightMyRequestResponse): boolean {
  return res.statusCode === 401 || (res.statusCode === 303 && String(res.headers.location).startsWith('/newsroom/sign-in'));
}

async function check(outcome: Outcome, res: LightMyRequestResponse, action: Action, v: Member, w: World, where: string): Promise<void> {
  const status = `${where}: got ${res.statusCode} ${res.body.slice(0, 160)}`;
  switch (outcome) {
    case 'ok':
    case 'absent':
      assert.ok(res.statusCode < 400 && !isSignInAnswer(res), status);
      if (action.shows) assert.equal(action.shows(res, w), outcome === 'ok', `${where}: the publication's data ${outcome === 'ok' ? 'missing' : 'shown'}`);
      else assert.equal(outcome, 'ok', `${where}: "absent" is for lists`);
      break;
    case 'sign-in':
      assert.ok(isSignInAnswer(res), status);
      break;
    case 'forbidden':
      assert.equal(res.statusCode, 403, status);
      if (String(res.headers['content-type']).startsWith('application/json')) assert.equal(res.json().error.code, 'forbidden', where);
      else assert.match(res.body, /<nav aria-label="Newsroom">/, `${where}: the refusal keeps the newsroom's navigation`);
      break;
    case 'hidden': {
      assert.equal(res.statusCode, 404, status);
      assert.ok(action.missing, `${where}: a hidden refusal needs the answer for missing data to compare with`);
      const none = await action.missing(v, w);
      assert.equal(none.statusCode, 404, `${where}: missing data`);
      assert.equal(res.body, none.body, `${where}: the refusal tells apart existing data from none`);
      break;
    }
  }
}

for (const backend of await testBackends()) {
  test(`every newsroom and API route checks the role in the data's publication, on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    await addAccount(n.store, { ...P_EDITOR, role: 'editor', publicationSlugs: ['tech-matin'] }, n.clock);
    await addAccount(n.store, { ...P_ADMIN, role: 'admin', publicationSlugs: ['tech-matin'] }, n.clock);
    const table: RouteOptions[] = [];
    const app = await buildApp({ store: n.store, config: n.config, clock: n.clock, onRoute: (route) => table.push(route) });
    t.after(() => app.close());

    // One test message of each publication in the outbox, through the worker.
    const deps = { store: n.store, clock: n.clock, publicUrl: n.config.publicUrl, mailDomain: 'news.test' };
    const sends = [
      await requestSend(deps, { editionId: n.ids.techEdition, test: ['reader.p@example.net'], createdBy: EDITOR.email }),
      await requestSend(deps, { editionId: n.ids.policyEdition, test: ['reader.q@example.net'], createdBy: OUTSIDER.email }),
    ];
    const quiet = { info() {}, warn() {}, error() {}, debug() {} };
    const worker = startWorker({ store: n.store, config: n.config, clock: n.clock, scheduler: false, pollMs: 20, logger: quiet as never });
    try {
      for (let i = 0; i < 500; i++) {
        const done = await Promise.all(sends.map(async (s) => (await sendProgress(n.store, s.id, n.clock.now()))?.remaining === 0));
        if (done.every(Boolean)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await worker.stop();
    }

    let day = 0;
    const deskKey = await goodKey();
    const desk = [await openpgp.readKey({ armoredKey: deskKey.publicKey })];
    const world: World = {
      n,
      publicKey: deskKey.publicKey,
      async freshTip() {
        const tips = { store: n.store, secret: n.config.secret, clock: n.clock };
        await fileTip(tips, { id: n.ids.techMatin, language: 'fr' }, [await sealText('a tip', desk, '2026-03-02', 'message')]);
        return (await n.store.db.selectFrom('tips').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
      },
      outboxFile: `${sends[0]!.id}.1.matinale@news.test.eml`,
      async freshEdition(status) {
        const date = dateOf(1000 + ++day);
        const saved = await saveEdition(n.store, { publicationId: n.ids.techMatin, date, source: source(date), author: AUTHOR.email }, { clock: n.clock });
        if (status !== 'draft') await transitionEdition(n.store, saved.editionId, 'ready', { kind: 'person', email: AUTHOR.email }, { clock: n.clock });
        if (status === 'approved') await transitionEdition(n.store, saved.editionId, 'approved', { kind: 'person', email: EDITOR.email }, { clock: n.clock });
        return saved.editionId;
      },
      async scheduledEdition() {
        const id = await world.freshEdition('approved');
        await requestSend(deps, { editionId: id, at: n.clock.now() + 86_400_000, createdBy: EDITOR.email });
        return id;
      },
      async freshSend(status) {
        const send = await requestSend(deps, { editionId: n.ids.techEdition, test: ['reader.r@example.net'], createdBy: EDITOR.email });
        if (status === 'paused') await controlSend(n, send.id, 'pause', EDITOR.email);
        return send.id;
      },
    };
    const outboxRow = await n.store.db.selectFrom('recipients').select('id').where('send_id', '=', sends[0]!.id).executeTakeFirstOrThrow();
    world.outboxFile = `${sends[0]!.id}.${outboxRow.id}.matinale@news.test.eml`;
    await world.freshTip();

    const visitors = {} as Record<Actor, Member>;
    const people: Record<Exclude<Actor, 'nobody'>, { email: string; password: string }> = { author: AUTHOR, editor: P_EDITOR, admin: P_ADMIN, otherEditor: OUTSIDER };
    for (const actor of ACTORS) {
      const v = Object.assign(new Visitor(app), { email: actor === 'nobody' ? 'nobody@example.net' : people[actor].email });
      if (actor === 'nobody') await v.get('/newsroom/sign-in');
      else await v.signIn(people[actor]);
      visitors[actor] = v;
    }

    await t.test('the matrix has a line for every newsroom and API route, and none for a route that does not exist', () => {
      assert.deepEqual(Object.keys(MATRIX).sort(), newsroomRoutes(table));
    });

    for (const [route, actions] of Object.entries(MATRIX)) {
      if ('open' in actions) continue;
      for (const [name, action] of Object.entries(actions)) {
        await t.test(`${route} (${name})`, async () => {
          for (const actor of ACTORS) {
            const target = action.prepare ? await action.prepare(world) : n.ids.techEdition;
            const before = await action.effect?.(world, target);
            const res = await action.send(visitors[actor], world, target);
            const where = `${route} (${name}) by ${actor}`;
            const outcome = action.expect[actor];
            await check(outcome, res, action, visitors[actor], world, where);
            if (action.effect) {
              const after = await action.effect(world, target);
              if (outcome === 'ok') assert.notDeepEqual(after, before, `${where}: nothing changed`);
              else assert.deepEqual(after, before, `${where}: a refusal changed something`);
            }
          }
        });
      }
    }
  });
}
