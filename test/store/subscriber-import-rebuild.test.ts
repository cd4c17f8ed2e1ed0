// An import on PostgreSQL that rebuilds the address indexes (the store's
// subscriber-import-rebuild.ts), and with them the secondary indexes of
// subscriptions and the consent log (import-secondary-indexes.ts): when it
// does, what it writes, what it leaves of the schema, and what other sessions
// see meanwhile.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { testBackends, TEST_DATABASE_URL } from '../helpers/store.ts';
import { audienceFixture, type AudienceFixture } from '../audience/audience-fixture.ts';
import { openSubscriberImport, type IndexRebuild } from '../../src/store/subscriber-import.ts';
import { rebuildPays, REBUILD_MAX_ROWS, REBUILD_MIN_ROWS } from '../../src/store/subscriber-import-rebuild.ts';
import { ensureSubscriber } from '../../src/store/subscribers.ts';
import { importSubscribers } from '../../src/audience/import.ts';
import { suppress } from '../../src/audience/suppression.ts';

const dir = mkdtempSync(join(tmpdir(), 'matinale-rebuild-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('the indexes are rebuilt for a file of at least REBUILD_MIN_ROWS rows, as large as the table, and not beyond REBUILD_MAX_ROWS', () => {
  assert.equal(rebuildPays(REBUILD_MIN_ROWS - 1, 0), false);
  assert.equal(rebuildPays(REBUILD_MIN_ROWS, 0), true);
  assert.equal(rebuildPays(500_000, 500_000), true);
  assert.equal(rebuildPays(500_000, 500_001), false);
  assert.equal(rebuildPays(REBUILD_MAX_ROWS + 1, 0), false);
});

const postgres = (await testBackends()).find((b) => b.name === 'postgres');

if (postgres) {
  const it = (name: string, body: (f: AudienceFixture) => Promise<void>) =>
    test(`postgres: ${name}`, async () => {
      const f = await audienceFixture(postgres);
      try {
        await body(f);
      } finally {
        await f.close();
      }
    });

  /** The unique constraints of subscribers, as their definitions read. */
  const uniques = async (f: AudienceFixture) =>
    (
      await sql<{ name: string; definition: string }>`select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
        where conrelid = 'subscribers'::regclass and contype in ('u', 'p') order by conname`.execute(f.store.db)
    ).rows;

  /** Every index of the tables an import writes, as CREATE INDEX statements. */
  const indexes = async (f: AudienceFixture) =>
    (
      await sql<{ definition: string }>`select indexdef as definition from pg_indexes
        where schemaname = current_schema() and tablename in ('subscribers', 'subscriptions', 'consent_log') order by indexname`.execute(f.store.db)
    ).rows.map((r) => r.definition);

  const count = async (f: AudienceFixture, table: 'subscribers' | 'subscriptions' | 'consent_log') =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(f.store.db)).rows[0]!.n);

  /** Writes rows through the store's import directly, as a file of `expectedRows` would; returns the steps it timed. */
  async function write(f: AudienceFixture, emails: string[], o: { expectedRows: number; indexRebuild: IndexRebuild; end?: 'finish' | 'abort' }) {
    const steps = new Set<string>();
    const writer = await openSubscriberImport(
      f.store,
      { publicationId: f.ids.tech, status: 'active', runAt: f.clock.now(), method: 'import' },
      { trace: (step) => steps.add(step), expectedRows: o.expectedRows, indexRebuild: o.indexRebuild },
    );
    emails.forEach((email, i) =>
      writer.add({ email, emailHash: f.deps.keys.addressHash(email), name: null, createdAt: f.clock.now(), consentSource: 'test' }, i + 2),
    );
    const outcome = await writer.flush();
    if (o.end === 'abort') await writer.abort();
    else await writer.finish();
    return { steps, outcome };
  }

  it('a file large next to an empty table rebuilds the indexes: rows written, the same constraints after, refusing a repeated address', async (f) => {
    const before = await uniques(f);
    const allBefore = await indexes(f);
    assert.ok(allBefore.some((d) => /subscriptions_publication_status/.test(d)) && allBefore.some((d) => /consent_log_subscriber/.test(d)), allBefore.join('\n'));
    const { steps, outcome } = await write(f, ['ann@example.org', 'bob@example.org'], { expectedRows: REBUILD_MIN_ROWS, indexRebuild: 'auto' });
    assert.ok(steps.has('rebuild'), [...steps].join());
    assert.equal(outcome.imported, 2);
    assert.deepEqual(await uniques(f), before);
    assert.deepEqual(await indexes(f), allBefore, 'every index built again, the secondary ones too');
    assert.ok(before.some((c) => c.definition === 'UNIQUE (email_hash)') && before.some((c) => c.definition === 'UNIQUE (email)'));
    await assert.rejects(
      sql`insert into subscribers (email, email_hash, created_at, updated_at) values ('ann@example.org', 'another', 0, 0)`.execute(f.store.db),
      /duplicate key value violates unique constraint/,
    );
    assert.deepEqual([await count(f, 'subscribers'), await count(f, 'subscriptions'), await count(f, 'consent_log')], [2, 2, 2]);
  });

  it('a small file fills the indexes as it goes', async (f) => {
    const { steps, outcome } = await write(f, ['ann@example.org'], { expectedRows: REBUILD_MIN_ROWS - 1, indexRebuild: 'auto' });
    assert.equal(outcome.imported, 1);
    assert.ok(!steps.has('take-table') && !steps.has('rebuild'), [...steps].join());
  });

  it('an import that gives up after dropping the indexes leaves them, and nothing else, as they were', async (f) => {
    const before = await uniques(f);
    const allBefore = await indexes(f);
    const { steps } = await write(f, ['ann@example.org', 'bob@example.org'], { expectedRows: 10, indexRebuild: 'always', end: 'abort' });
    assert.ok(steps.has('take-table'));
    assert.deepEqual(await uniques(f), before);
    assert.deepEqual(await indexes(f), allBefore);
    assert.deepEqual([await count(f, 'subscribers'), await count(f, 'subscriptions'), await count(f, 'consent_log')], [0, 0, 0]);
  });

  it('when another transaction holds the table, the import fills the indexes as it goes rather than wait (a few seconds)', async (f) => {
    const other = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${f.store.options.schema}` });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(`insert into subscribers (email, email_hash, created_at, updated_at) values ('zoe@example.org', 'zoe-hash', 0, 0)`);
      const { steps, outcome } = await write(f, ['ann@example.org'], { expectedRows: REBUILD_MIN_ROWS, indexRebuild: 'auto' });
      assert.equal(outcome.imported, 1);
      assert.ok(steps.has('take-table') && !steps.has('rebuild'), [...steps].join());
      await other.query('commit');
    } finally {
      await other.end();
    }
    assert.equal(await count(f, 'subscribers'), 2);
  });

  it('sign-ups wait for an import that rebuilds the indexes, and go on once it commits', async (f) => {
    const writer = await openSubscriberImport(
      f.store,
      { publicationId: f.ids.tech, status: 'active', runAt: f.clock.now(), method: 'import' },
      { expectedRows: 10, indexRebuild: 'always' },
    );
    writer.add({ email: 'ann@example.org', emailHash: f.deps.keys.addressHash('ann@example.org'), name: null, createdAt: 0, consentSource: 'x' }, 2);
    await writer.flush();
    let signedUp = false;
    const signUp = ensureSubscriber(f.store, { email: 'bob@example.org', emailHash: f.deps.keys.addressHash('bob@example.org'), name: null, at: 1 }).then(
      () => (signedUp = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(signedUp, false, 'the sign-up waits for the import');
    await writer.finish();
    await signUp;
    assert.equal(await count(f, 'subscribers'), 2);
    // The sequence went on after the ids the import counted itself.
    const ids = await sql<{ email: string; id: string }>`select email, id from subscribers order by id`.execute(f.store.db);
    assert.deepEqual(ids.rows.map((r) => r.email), ['ann@example.org', 'bob@example.org']);
  });

  it('ids drawn from the sequence by another session during the import stay clear of its own, and the sequence never goes back', async (f) => {
    const writer = await openSubscriberImport(
      f.store,
      { publicationId: f.ids.tech, status: 'active', runAt: f.clock.now(), method: 'import' },
      { expectedRows: 10, indexRebuild: 'always' },
    );
    const emails = ['ann@example.org', 'bob@example.org', 'carl@example.org'];
    emails.forEach((email, i) => writer.add({ email, emailHash: f.deps.keys.addressHash(email), name: null, createdAt: 0, consentSource: 'x' }, i + 2));
    await writer.flush();
    // Another import (filling the indexes as it goes) draws its ids without touching the table.
    const other = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${f.store.options.schema}` });
    await other.connect();
    let drawn: number;
    try {
      drawn = Number((await other.query(`select nextval(pg_get_serial_sequence('subscribers', 'id')) as id`)).rows[0].id);
    } finally {
      await other.end();
    }
    await writer.finish();
    const ids = (await sql<{ id: string }>`select id from subscribers`.execute(f.store.db)).rows.map((r) => Number(r.id));
    assert.ok(ids.every((id) => id < drawn), `${ids} all below ${drawn}`);
    const last = await sql<{ n: string }>`select pg_sequence_last_value(pg_get_serial_sequence('subscribers', 'id')) as n`.execute(f.store.db);
    assert.ok(Number(last.rows[0]!.n) >= drawn, 'the sequence is not set back below an id drawn meanwhile');
  });

  it('a chunk with rows that are not new is written without them, long rows (blocks of their own) included', async (f) => {
    // About 1.5 kB a row: blocks of COPY text larger than a slab.
    const name = (i: number) => `${i} ${'é'.repeat(700)}`;
    const emails = Array.from({ length: 1500 }, (_, i) => `long${i}@example.org`);
    const hash = (e: string) => f.deps.keys.addressHash(e);
    const known = await ensureSubscriber(f.store, { email: emails[700]!, emailHash: hash(emails[700]!), name: 'Known', at: 1 });
    await suppress(f.deps, f.ids.tech, emails[1400]!, 'unsubscribe');
    const writer = await openSubscriberImport(
      f.store,
      { publicationId: f.ids.tech, status: 'active', runAt: f.clock.now(), method: 'import' },
      { expectedRows: 10, indexRebuild: 'always' },
    );
    emails.forEach((email, i) => writer.add({ email, emailHash: hash(email), name: name(i), createdAt: 0, consentSource: 'x' }, i + 2));
    const outcome = await writer.flush();
    await writer.finish();
    assert.deepEqual([outcome.imported, outcome.unchanged, outcome.refused.map((r) => [r.line, r.reason])], [1499, 0, [[1402, 'suppressed']]]);
    const rows = await sql<{ email: string; name: string; subscriber_id: string }>`select b.email, b.name, x.subscriber_id from subscribers b
      join subscriptions x on x.subscriber_id = b.id where b.email in (${emails[0]}, ${emails[700]}, ${emails[1499]}) order by b.id`.execute(f.store.db);
    assert.deepEqual(rows.rows.map((r) => [r.email, r.name]), [[emails[700], 'Known'], [emails[0], name(0)], [emails[1499], name(1499)]]);
    assert.equal(Number(rows.rows[0]!.subscriber_id), known.id);
    assert.deepEqual([await count(f, 'subscribers'), await count(f, 'subscriptions'), await count(f, 'consent_log')], [1499, 1499, 1500]);
  });

  it('a file imported with the indexes rebuilt ends as it would filled row by row: outcomes, rejects, rows, consent log', async () => {
    // Known readers (subscribed or not), a suppressed address, an address held under another hash, and
    // repeats within a chunk and across chunks (chunks of 7 rows).
    const rows = ['email,name'];
    for (let i = 0; i < 60; i++) rows.push(`r${i % 45}@example.org,Reader ${i}`);
    rows.push('known@example.org,K', 'subscribed@example.org,S', 'gone@example.org,G', 'rotated@example.org,R', 'r3@example.org,again');
    const path = join(dir, 'mixed.csv');
    writeFileSync(path, `${rows.join('\n')}\n`);
    const outcome = async (indexRebuild: IndexRebuild) => {
      const f = await audienceFixture(postgres);
      try {
        const hash = (e: string) => f.deps.keys.addressHash(e);
        await ensureSubscriber(f.store, { email: 'known@example.org', emailHash: hash('known@example.org'), name: null, at: 1 });
        const s = await ensureSubscriber(f.store, { email: 'subscribed@example.org', emailHash: hash('subscribed@example.org'), name: null, at: 1 });
        await sql`insert into subscriptions (subscriber_id, publication_id, status, source, created_at, updated_at) values (${s.id}, ${f.ids.tech}, 'active', 'form', 1, 1)`.execute(f.store.db);
        await ensureSubscriber(f.store, { email: 'rotated@example.org', emailHash: 'hash-under-an-old-secret', name: null, at: 1 });
        await suppress(f.deps, f.ids.tech, 'gone@example.org', 'unsubscribe');
        f.clock.advance(1000);
        const rejects = join(dir, `rejects-${indexRebuild}.csv`);
        const summary = await importSubscribers(f.deps, { file: path, publicationSlug: 'tech-matin', indexRebuild, batchSize: 7, rejectsFile: rejects });
        const table = await sql`select b.email, b.name, x.status, x.source from subscribers b left join subscriptions x on x.subscriber_id = b.id order by b.email`.execute(f.store.db);
        const log = await sql`select b.email, c.action, c.details from consent_log c join subscribers b on b.id = c.subscriber_id order by b.email, c.id`.execute(f.store.db);
        const { imported, unchanged, rejected } = summary;
        return { counts: [imported, unchanged, rejected], rejects: readFileSync(rejects, 'utf8'), table: table.rows, log: log.rows };
      } finally {
        await f.close();
      }
    };
    const filled = await outcome('never');
    const rebuilt = await outcome('always');
    assert.deepEqual(rebuilt, filled);
    assert.deepEqual(filled.counts, [46, 2, 17]);
    assert.match(filled.rejects, /,duplicate in the file,r3@example\.org\n/);
  });
}
