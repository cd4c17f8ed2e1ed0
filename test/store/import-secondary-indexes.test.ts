// The secondary indexes of subscriptions and the consent log, dropped by a
// large import and built again at its end (store/import-secondary-indexes.ts):
// which ones go, which stay (unique ones, a table larger than the file, a
// table another transaction holds), and that they come back as they were.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { testBackends, TEST_DATABASE_URL } from '../helpers/store.ts';
import { audienceFixture, type AudienceFixture } from '../audience/audience-fixture.ts';
import { dropSecondaryIndexes } from '../../src/store/import-secondary-indexes.ts';

const postgres = (await testBackends()).find((b) => b.name === 'postgres');

/** The indexes of the two tables as this connection sees them (its own transaction's drops included). */
async function indexes(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `select indexname as name from pg_indexes where schemaname = current_schema() and tablename in ('subscriptions', 'consent_log') order by 1`,
  );
  return rows.map((r) => r.name);
}

async function connect(f: AudienceFixture): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${f.store.options.schema}` });
  await client.connect();
  return client;
}

if (postgres) {
  const it = (name: string, body: (f: AudienceFixture) => Promise<void>) =>
    test(`postgres: ${name}`, { timeout: 60_000 }, async () => {
      const f = await audienceFixture(postgres);
      try {
        await body(f);
      } finally {
        await f.close();
      }
    });

  it('small tables lose their non-unique indexes for the transaction and get the same back', async (f) => {
    const client = await connect(f);
    try {
      const before = await indexes(client);
      assert.deepEqual(before, ['consent_log_pkey', 'consent_log_subscriber', 'subscriptions_pkey', 'subscriptions_publication_id', 'subscriptions_publication_status', 'subscriptions_subscriber_publication']);
      await client.query('begin');
      const build = await dropSecondaryIndexes(client as unknown as pg.PoolClient, 10);
      assert.deepEqual(await indexes(client), ['consent_log_pkey', 'subscriptions_pkey', 'subscriptions_subscriber_publication']);
      await build();
      await client.query('commit');
      assert.deepEqual(await indexes(client), before);
    } finally {
      await client.end();
    }
  });

  it('a table larger than the file, or one another transaction holds, keeps its indexes', async (f) => {
    const client = await connect(f);
    const other = await connect(f);
    try {
      // Three consent rows, a file of two.
      for (let i = 0; i < 3; i++) await client.query(`insert into consent_log (subscriber_id, publication_id, action, method, at) values ($1, $2, 'subscribe', 'form', 0)`, [1000 + i, f.ids.tech]);
      // Another transaction writes a subscription and holds on.
      await other.query('begin');
      await other.query(`insert into subscriptions (subscriber_id, publication_id, status, source, created_at, updated_at) values (999, $1, 'active', 'form', 0, 0)`, [f.ids.tech]);
      await client.query('begin');
      const started = Date.now();
      const build = await dropSecondaryIndexes(client as unknown as pg.PoolClient, 2);
      assert.ok(Date.now() - started < 10_000, 'it waited a few seconds for the busy table, no more');
      assert.deepEqual(await indexes(client), ['consent_log_pkey', 'consent_log_subscriber', 'subscriptions_pkey', 'subscriptions_publication_id', 'subscriptions_publication_status', 'subscriptions_subscriber_publication']);
      await build();
      await client.query('commit');
      await other.query('commit');
      assert.equal(Number((await client.query('select count(*) as n from subscriptions')).rows[0].n), 1, 'the other transaction went on');
    } finally {
      await client.end();
      await other.end();
    }
  });
}
