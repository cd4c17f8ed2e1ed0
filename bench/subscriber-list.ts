// The dashboard's list of subscribers at scale: N subscribers of one
// publication (1,000,000 by default) on SQLite and on PostgreSQL, then the
// time of the pages the newsroom asks for: the first, one deep in the list
// (keyset: `id < :older`), the last, a status filter, a whole address (its
// keyed hash, the unique index), and a search for a part of an address that
// few rows hold (a scan of the publication's rows until a page is found).
//
//   node bin/run-ts.js bench/subscriber-list.ts [--rows 1000000] [--batch 10000]
//
// Writes bench/results/subscriber-list.json and .md (the median of 5 tries of each page).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchDatabase } from './pg-schema.ts';
import { openStore } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { upsertPublication } from '../src/store/publications.ts';
import { importBatch, type ImportRow } from '../src/store/subscribers.ts';
import { refreshStatistics } from '../src/store/statistics.ts';
import { inTransaction } from '../src/store/transaction.ts';
import { subscriberListPage, type SubscriberListQuery } from '../src/store/subscriber-search.ts';
import { publicationSchema } from '../src/edition/publication.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUN_AT = Date.parse('2026-03-01T00:00:00Z');

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, batch: { type: 'string', default: '10000' } } });
const total = Number(values.rows);
const size = Number(values.batch);

function* batches(): Generator<ImportRow[]> {
  for (let start = 0; start < total; start += size) {
    const part: ImportRow[] = [];
    for (let i = start; i < Math.min(total, start + size); i++) {
      part.push({ email: `reader${i}@example.org`, emailHash: `h${i}`, name: i % 1000 === 0 ? `Reader ${i}` : null, createdAt: RUN_AT, consentSource: null });
    }
    yield part;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function runBackend(name: 'sqlite' | 'postgres') {
  const { options, drop } = await benchDatabase(name);
  const store = openStore(options);
  try {
    await migrateToLatest(store);
    const publication = await upsertPublication(
      store,
      publicationSchema.parse({ slug: 'bench', name: 'Bench', language: 'en', timezone: 'UTC', schedule: '0 6 * * *', from: 'Bench <b@example.org>', address: '1 Road', team: [{ name: 'B', email: 'b@example.org', role: 'admin' }] }),
      { actor: 'bench' },
    );
    const started = performance.now();
    for (const part of batches()) {
      await inTransaction(store, (tx) => importBatch(tx, part, { publicationId: publication.id, status: 'active', runAt: RUN_AT, method: 'import' }));
    }
    await refreshStatistics(store, ['subscribers', 'subscriptions', 'consent_log']);
    const insertMs = performance.now() - started;

    const base: SubscriberListQuery = { publicationId: publication.id, limit: 50 };
    const first = await subscriberListPage(store, base);
    const newest = first.rows[0]!.subscriptionId;
    const cases: Record<string, SubscriberListQuery> = {
      'first page': base,
      'page at the middle (older than the middle id)': { ...base, older: Math.floor(newest / 2) },
      'last page (older than id 51)': { ...base, older: 51 },
      'previous page from the middle': { ...base, newer: Math.floor(newest / 2) },
      'status filter (unsubscribed: none)': { ...base, status: 'unsubscribed' },
      'a whole address (keyed hash)': { ...base, emailHash: `h${Math.floor(total / 3)}` },
      'search text held by 1 row in 1000 (names)': { ...base, text: 'reader 9' },
      'search text held by 1 row (a rare address)': { ...base, text: `reader${total - 7}@` },
    };
    const pages: Record<string, { ms: number; rows: number }> = {};
    for (const [label, query] of Object.entries(cases)) {
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        rows = (await subscriberListPage(store, query)).rows.length;
        times.push(performance.now() - t);
      }
      pages[label] = { ms: Math.round(median(times) * 10) / 10, rows };
    }
    return { backend: name, rows: total, insertMs: Math.round(insertMs), pages };
  } finally {
    await store.close();
    await drop();
  }
}

const results = [await runBackend('sqlite'), await runBackend('postgres')];
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/subscriber-list.json'), JSON.stringify({ at: new Date().toISOString(), cpus: cpus().length, results }, null, 2) + '\n');
const labels = Object.keys(results[0]!.pages);
const md = [
  `# The dashboard's list of subscribers, ${total.toLocaleString('en')} subscribers of one publication`,
  '',
  `\`node bin/run-ts.js bench/subscriber-list.ts --rows ${total}\`, ${cpus().length} cores shared with other work; the median of 5 tries of each page of 50 (store/subscriber-search.ts).`,
  '',
  '| page | SQLite (ms) | PostgreSQL (ms) | rows |',
  '| --- | ---: | ---: | ---: |',
  ...labels.map((l) => `| ${l} | ${results[0]!.pages[l]!.ms} | ${results[1]!.pages[l]!.ms} | ${results[0]!.pages[l]!.rows} |`),
  '',
  `Writing the rows took ${(results[0]!.insertMs / 1000).toFixed(0)} s on SQLite and ${(results[1]!.insertMs / 1000).toFixed(0)} s on PostgreSQL (not what this measures).`,
  '',
].join('\n');
writeFileSync(join(ROOT, 'bench/results/subscriber-list.md'), md);
process.stdout.write(md);
