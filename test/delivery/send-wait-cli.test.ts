// `matinale send --now --wait` as a child process on each backend, through a
// relay started here: how the command ends tells a script how the send went.
// Exit 0 only when every recipient reached the relay or bounced (a reader's
// own refusal); 1 for failed rows or a pause; a list with nobody on it ends
// at once, done with 0, and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePublicationYaml } from '../../src/edition/publication-file.ts';
import { saveEdition } from '../../src/store/editions.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import type { Store } from '../../src/store/db.ts';
import { cliBackends, runMatinale } from '../helpers/cli-database.ts';
import { SECRET, seedNewsroom, startSmtpSink } from './newsroom-fixture.ts';

const clock = { now: () => Date.parse('2026-03-01T12:00:00Z') };

/** An approved edition of the publication for `date`. */
async function approvedEdition(store: Store, publicationId: number, date: string, slug = 'tech-matin'): Promise<number> {
  const source = readFileSync('examples/2026-03-02-tech-matin.md', 'utf8').replace('date: 2026-03-02', `date: ${date}`).replace('publication: tech-matin', `publication: ${slug}`);
  const saved = await saveEdition(store, { publicationId, date, source, author: 'test' }, { clock });
  await store.db.updateTable('editions').set({ status: 'approved' }).where('id', '=', saved.editionId).execute();
  return saved.editionId;
}

/** A second publication with nobody subscribed, and its approved edition. */
async function emptyPublication(store: Store): Promise<number> {
  const parsed = parsePublicationYaml(readFileSync('examples/publications/tech-matin.yaml', 'utf8'), 'tech-matin.yaml');
  const { id } = await upsertPublication(store, { ...parsed.publication!, slug: 'vide-matin', name: 'Vide Matin' }, { actor: 'test', clock });
  return approvedEdition(store, id, '2026-03-02', 'vide-matin');
}

type Mode = 'accept' | 'bounce-two' | 'greylist' | 'refuse-us';

for (const backend of await cliBackends()) {
  test(`${backend.name}: send --now --wait exits by how the send ended (empty list, bounces, failed rows, a pause)`, { timeout: 240_000 }, async () => {
    const db = await backend.create();
    const store = db.open();
    let mode: Mode = 'accept';
    // Five readers; what the relay answers each depends on the case.
    const sink = await startSmtpSink({
      rcpt: (address) => {
        if (mode === 'bounce-two' && /reader0000[23]@/.test(address)) return { code: 550, message: '5.1.1 <' + address + '>: user unknown' };
        if (mode === 'greylist') return { code: 451, message: '4.7.1 greylisted, try again later' };
        if (mode === 'refuse-us') return { code: 554, message: '5.7.1 Client host rejected: access denied' };
        return undefined;
      },
    });
    try {
      await migrateToLatest(store);
      const newsroom = await seedNewsroom(store, 5);
      const editions = {
        bounces: newsroom.editionId,
        failed: await approvedEdition(store, newsroom.publicationId, '2026-03-03'),
        paused: await approvedEdition(store, newsroom.publicationId, '2026-03-04'),
        empty: await emptyPublication(store),
      };
      const env = {
        ...db.env,
        SMTP_URL: sink.url,
        PUBLIC_URL: 'https://techmatin.example.org',
        MATINALE_SECRET: SECRET,
        // One attempt each: a refused attempt is a failed row at once.
        RETRY_MAX_ATTEMPTS: '1',
        PAUSE_MIN_ATTEMPTS: '1000',
      };
      // A command that never ends (the defect of an empty list) is killed, and fails the test, after a minute.
      const send = (editionId: number, extra: NodeJS.ProcessEnv = {}) =>
        runMatinale(['send', String(editionId), '--now', '--wait'], { ...env, ...extra }, { timeoutMs: 60_000 });

      // An empty list: done with 0 at once, and the command says why.
      const empty = await send(editions.empty);
      assert.equal(empty.status, 0, empty.stderr);
      assert.match(empty.stdout, /done at once \(list\): the list was empty/);
      assert.match(empty.stdout, /the list was empty, nobody was mailed/);
      const emptySend = (await store.db.selectFrom('sends').selectAll().where('edition_id', '=', editions.empty).executeTakeFirstOrThrow())!;
      assert.equal(emptySend.status, 'done');
      assert.match(emptySend.status_reason ?? '', /the list was empty/);
      assert.equal((await store.db.selectFrom('editions').select('status').where('id', '=', editions.empty).executeTakeFirstOrThrow()).status, 'sent');
      const listed = await runMatinale(['sends', String(emptySend.id)], env);
      assert.match(listed.stdout, /done \(the list was empty[^)]*\): 0\/0/);

      // Two readers refused by their own mail server: a reader's bounce, exit 0, and the summary says which.
      mode = 'bounce-two';
      const bounced = await send(editions.bounces);
      assert.equal(bounced.status, 0, bounced.stdout + bounced.stderr);
      assert.match(bounced.stdout, /submitted 3, bounced 2, failed 0, suppressed 0; every recipient reached the relay or bounced/);

      // Every reader greylisted, one attempt allowed: every row failed, exit 1
      // (the two who bounced are suppressed now, so three are left).
      mode = 'greylist';
      const failed = await send(editions.failed);
      assert.equal(failed.status, 1, failed.stdout + failed.stderr);
      assert.match(failed.stdout, /submitted 0, bounced 0, failed 3, suppressed 0; 3 not delivered, send them again with matinale sends \d+ --resend/);
      const failedSend = (await store.db.selectFrom('sends').select('id').where('edition_id', '=', editions.failed).executeTakeFirstOrThrow()).id;
      assert.ok((await sendRecipients(store, failedSend)).every((r) => r.state === 'failed'));

      // The relay refuses the newsroom itself (a policy status): a failure of the send, which pauses; exit 1.
      mode = 'refuse-us';
      const paused = await send(editions.paused);
      assert.equal(paused.status, 1, paused.stdout + paused.stderr);
      const pausedSend = (await store.db.selectFrom('sends').select('id').where('edition_id', '=', editions.paused).executeTakeFirstOrThrow()).id;
      assert.equal((await getSend(store, pausedSend))!.status, 'paused');
      assert.match(paused.stdout, new RegExp(`send ${pausedSend} paused .*; resume it with matinale sends ${pausedSend} --resume`));
    } finally {
      await sink.close();
      await store.close();
      await db.dispose();
    }
  });
}
