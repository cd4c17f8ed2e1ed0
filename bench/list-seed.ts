// A publication of N readers for the benchmarks at a million: the sample
// publication and its approved edition (test/delivery/newsroom-fixture.ts),
// then N subscribers with an active subscription written by the database
// itself (generate_series, or a recursive CTE on SQLite) so that seeding a
// million takes seconds, not the minutes of an import. One reader in a
// hundred is suppressed, so that the snapshot's anti-join has work to do.
import { sql } from 'kysely';
import type { Store } from '../src/store/db.ts';
import { refreshStatistics } from '../src/store/statistics.ts';
import { seedNewsroom } from '../test/delivery/newsroom-fixture.ts';

export interface SeededList {
  publicationId: number;
  editionId: number;
  /** Readers the list send takes: active and not suppressed. */
  mailable: number;
}

/** `reader<i>@example.net` for i in 1..n, all active; every 100th suppressed. */
export async function seedList(store: Store, n: number): Promise<SeededList> {
  const now = Date.parse('2026-03-01T12:00:00Z');
  const newsroom = await seedNewsroom(store, 0, { now });
  const pub = newsroom.publicationId;
  if (store.capabilities.dialect === 'postgres') {
    await sql`insert into subscribers (email, email_hash, name, created_at, updated_at)
      select 'reader' || i || '@example.net', md5(i::text), null, ${now}, ${now} from generate_series(1, ${n}::int) as i`.execute(store.db);
  } else {
    await sql`with recursive s(i) as (select 1 union all select i + 1 from s where i < ${n})
      insert into subscribers (email, email_hash, name, created_at, updated_at)
      select 'reader' || i || '@example.net', 'h' || i, null, ${now}, ${now} from s`.execute(store.db);
  }
  await sql`insert into subscriptions (subscriber_id, publication_id, status, source, created_at, confirmed_at, updated_at)
    select id, ${pub}, 'active', 'import', ${now}, ${now}, ${now} from subscribers order by id`.execute(store.db);
  await sql`insert into suppressions (publication_id, email_hash, reason, created_at)
    select ${pub}, email_hash, 'hard-bounce', ${now} from subscribers where id % 100 = 0`.execute(store.db);
  await refreshStatistics(store, ['subscribers', 'subscriptions', 'suppressions']);
  const suppressed = Math.floor(n / 100);
  return { publicationId: pub, editionId: newsroom.editionId, mailable: n - suppressed };
}
