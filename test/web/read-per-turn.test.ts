// readPerTurn (web/read-per-turn.ts): the calls of one turn of the event loop
// with the same arguments share one read, made after all of them were asked;
// a call in a later turn reads again, so a change made in between shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPerTurn } from '../../src/web/read-per-turn.ts';
import { testBackends } from '../helpers/store.ts';
import { saveEdition } from '../../src/store/editions.ts';
import { AUTHOR, newsroom, sampleSource } from './harness.ts';

test('one read for the same arguments in one turn, made after the last of them was asked', async () => {
  let state = 'first';
  const reads: string[] = [];
  const read = readPerTurn(async (slug: string, date: string) => {
    reads.push(`${slug}/${date}`);
    return `${slug}/${date}: ${state}`;
  });
  const a = read('tech-matin', '2026-03-02');
  const b = read('tech-matin', '2026-03-02');
  const c = read('policy-morning', '2026-03-02');
  // Asked in this turn, before the read: the read must see it.
  state = 'second';
  assert.deepEqual(await Promise.all([a, b, c]), ['tech-matin/2026-03-02: second', 'tech-matin/2026-03-02: second', 'policy-morning/2026-03-02: second']);
  assert.deepEqual(reads, ['tech-matin/2026-03-02', 'policy-morning/2026-03-02']);
  // A later turn reads again and sees what changed meanwhile.
  state = 'third';
  assert.equal(await read('tech-matin', '2026-03-02'), 'tech-matin/2026-03-02: third');
  assert.equal(reads.length, 3);
});

test("a failed read fails that turn's callers, and the next turn tries again", async () => {
  let fail = true;
  const read = readPerTurn(async (key: string) => {
    if (fail) throw new Error(`the database did not answer for ${key}`);
    return key;
  });
  const settled = await Promise.allSettled([read('a'), read('a')]);
  assert.deepEqual(
    settled.map((s) => s.status),
    ['rejected', 'rejected'],
  );
  assert.match(String((settled[0] as PromiseRejectedResult).reason), /did not answer for a/);
  fail = false;
  assert.equal(await read('a'), 'a');
});

for (const backend of await testBackends()) {
  test(`${backend.name}: concurrent requests for the edition page share one stamp read, and a change shows on the next request`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const url = '/tech-matin/2026-03-02';
    // On SQLite the stamp's prepared statement is wrapped to count its reads (prepared at the first request).
    let stampReads = 0;
    const sqlite = n.store.sqlite;
    if (sqlite) {
      const prepare = sqlite.prepare.bind(sqlite);
      sqlite.prepare = ((source: string) => {
        const statement = prepare(source);
        if (/from "publications" as "p" inner join "editions" as "e"/.test(source)) {
          const get = statement.get.bind(statement);
          statement.get = (...args: unknown[]) => {
            stampReads++;
            return get(...args);
          };
        }
        return statement;
      }) as typeof sqlite.prepare;
    }
    const answers = await Promise.all(Array.from({ length: 20 }, () => n.app.inject(url)));
    assert.deepEqual(new Set(answers.map((a) => a.statusCode)), new Set([200]));
    assert.equal(new Set(answers.map((a) => a.headers.etag)).size, 1);
    if (sqlite) assert.ok(stampReads >= 1 && stampReads < 20, `20 requests at once, ${stampReads} reads of the stamp`);
    // Saved again by another hand (the store, as another process would): back to ready, 404 on the very next request.
    const source = sampleSource('tech-matin').replace('Le gouvernement présente', 'Le gouvernement rectifié présente');
    await saveEdition(n.store, { publicationId: n.ids.techMatin, date: '2026-03-02', source, author: AUTHOR.email }, { clock: n.clock });
    assert.equal((await n.app.inject(url)).statusCode, 404);
  });
}
