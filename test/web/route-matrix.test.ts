// The role × action × publication matrix of every newsroom and API route,
// checked against the app's own route table: a route added without its line
// here fails this test. Each action is tried by nobody signed in, an author,
// an editor and an admin of the publication the data belongs to (Tech Matin),
// and an editor of another publication (Policy Morning), each on fresh data.
// Refusals: 403 inside the newsroom's navigation when the person is on the
// publication's team with too low a role; 404, the very answer of data that
// does not exist, when they are not on its team (nothing tells them it exists).
// The matrix's lines are kept by area beside this file (route-matrix-editions,
// -publications, -sending, -tips and -people.ts), in the words of
// route-matrix-harness.ts; this file builds the world they run in and checks
// them, all in one test per backend so that the check of the route table
// sees the whole matrix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse, RouteOptions } from 'fastify';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, OUTSIDER, Visitor, newsroom } from './harness.ts';
import { buildApp } from '../../src/web/app.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';
import { saveEdition, transitionEdition } from '../../src/store/editions.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { sendProgress } from '../../src/delivery/progress.ts';
import { startWorker } from '../../src/delivery/worker.ts';
import { controlSend } from '../../src/delivery/send-controls.ts';
import { fileTip, sealText } from '../../src/tips/tip-line.ts';
import { goodKey } from '../helpers/tip-keys.ts';
import * as openpgp from 'openpgp';
import { ACTORS, P_ADMIN, P_EDITOR, dateOf, source, type Action, type Actor, type MatrixLines, type Member, type Outcome, type World } from './route-matrix-harness.ts';
import { EDITION_API_ROUTES, EDITION_ROUTES } from './route-matrix-editions.ts';
import { PUBLICATION_ROUTES } from './route-matrix-publications.ts';
import { SENDING_ROUTES } from './route-matrix-sending.ts';
import { TIP_ROUTES } from './route-matrix-tips.ts';
import { PEOPLE_ROUTES } from './route-matrix-people.ts';

/** Every newsroom and API route: its actions, or why it is open to anyone. */
const MATRIX: MatrixLines = {
  'GET /newsroom/sign-in': { open: 'the sign-in form' },
  'POST /newsroom/sign-in': { open: 'signing in (checked by the sign-in tests)' },
  'POST /newsroom/sign-out': { open: 'signing out ends only the session that asks' },
  ...EDITION_ROUTES,
  ...PUBLICATION_ROUTES,
  ...SENDING_ROUTES,
  ...TIP_ROUTES,
  ...EDITION_API_ROUTES,
  ...PEOPLE_ROUTES,
};

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
