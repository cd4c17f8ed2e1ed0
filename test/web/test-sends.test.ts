// Test sends from the dashboard: addresses checked as subscribers' are (a
// control character never reaches a To: header), authors mail only their
// publication's team, and each person has an hourly limit that parallel
// requests cannot get around.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, Visitor, newsroom } from './harness.ts';
import { buildApp } from '../../src/web/app.ts';

const TEAMMATE = 'paul.girard@example.org'; // an author of Tech Matin (examples/publications/tech-matin.yaml)

for (const backend of await testBackends()) {
  test(`test sends on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const app = await buildApp({ store: n.store, clock: n.clock, config: { ...n.config, delivery: { retry: {}, errorRate: {}, testSendsPerHour: 3 } } });
    t.after(() => app.close());
    const url = `/newsroom/editions/${n.ids.techEdition}/send`;
    const testSends = async () =>
      (await n.store.db.selectFrom('sends').innerJoin('recipients', 'recipients.send_id', 'sends.id').select(['sends.created_by', 'recipients.email']).where('sends.kind', '=', 'test').execute());

    await t.test('an address with a control character is refused, naming it; nothing is created', async () => {
      const editor = new Visitor(app);
      await editor.signIn(EDITOR);
      const res = await editor.post(url, { kind: 'test', to: 'a\x01b@example.org' });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /not an address: &quot;a\\u0001b@example.org&quot; \(invalid characters before the @\)/);
      for (const bad of ['a@b@example.org', 'x@example', 'first@example.net,<x@example.net>']) {
        assert.equal((await editor.post(url, { kind: 'test', to: bad })).statusCode, 400, bad);
      }
      assert.deepEqual(await testSends(), []);
    });

    await t.test('an author tests to the team only; an editor to anyone', async () => {
      const author = new Visitor(app);
      await author.signIn(AUTHOR);
      const outside = await author.post(url, { kind: 'test', to: `${TEAMMATE} outside@example.net` });
      assert.equal(outside.statusCode, 403);
      assert.match(outside.body, /an author tests only to the publication&#39;s team; ask an editor to test to outside@example.net/);
      assert.match(outside.body, /<nav aria-label="Newsroom">/);
      // The team's address however it is typed; kept as typed, domain in lower case, as a subscriber's.
      assert.equal((await author.post(url, { kind: 'test', to: 'Paul.Girard@EXAMPLE.org' })).statusCode, 303);
      const editor = new Visitor(app);
      await editor.signIn(EDITOR);
      assert.equal((await editor.post(url, { kind: 'test', to: 'outside@example.net' })).statusCode, 303);
      assert.deepEqual((await testSends()).map((r) => `${r.created_by} ${r.email}`).sort(), [
        `${AUTHOR.email} Paul.Girard@example.org`,
        `${EDITOR.email} outside@example.net`,
      ]);
    });

    await t.test('at most TEST_SENDS_PER_HOUR messages an hour per person, parallel requests included', async () => {
      const editor = new Visitor(app);
      await editor.signIn(EDITOR);
      // One message already this hour (above); eight requests at once of one address each: two pass.
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => editor.post(url, { kind: 'test', to: `burst${i}@example.net` })));
      const codes = answers.map((a) => a.statusCode).sort();
      assert.deepEqual(codes, [303, 303, 429, 429, 429, 429, 429, 429]);
      assert.match(answers.find((a) => a.statusCode === 429)!.body, /at most 3 test messages an hour per person/);
      assert.equal((await testSends()).filter((r) => r.created_by === EDITOR.email).length, 3);
      // Another person has their own hour; an hour later the editor has theirs again.
      const author = new Visitor(app);
      await author.signIn(AUTHOR);
      assert.equal((await author.post(url, { kind: 'test', to: AUTHOR.email })).statusCode, 303);
      n.clock.advance(3_600_001);
      assert.equal((await editor.post(url, { kind: 'test', to: 'later@example.net' })).statusCode, 303);
    });
  });
}
