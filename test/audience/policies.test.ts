// The audience's delays set by the operator (CONFIRM_LINK_MAX_AGE,
// PURGE_UNCONFIRMED_AFTER, PREFERENCES_LINK_MAX_AGE) read from the environment by loadConfig, and
// honoured where they act: the web app's confirmation links, the worker's
// hourly purge, `matinale subscribers purge`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { audienceDeps, audiencePolicyOf, DEFAULT_POLICY } from '../../src/audience/deps.ts';
import { startWorker } from '../../src/delivery/worker.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { buildApp } from '../../src/web/app.ts';
import { testBackends, type TestStore } from '../helpers/store.ts';
import { samplePublication, subscribeThroughForm } from '../web/harness.ts';
import { linkInText, outbox } from './mail-reader.ts';

const DAY = 86_400_000;
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/** The operator's environment: a fresh DATA_DIR and the given settings. */
function env(dataDir: string, settings: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { DATA_DIR: dataDir, PUBLIC_URL: 'http://news.test', MATINALE_SECRET: 'a'.repeat(64), ...settings };
}

test('the policy in force: code over the operator’s settings over the defaults; a purge before the link expires is refused, naming both settings', () => {
  assert.deepEqual(audiencePolicyOf(undefined), DEFAULT_POLICY);
  assert.deepEqual(audiencePolicyOf({ confirmMaxAgeMs: DAY }), { ...DEFAULT_POLICY, confirmMaxAgeMs: DAY });
  assert.deepEqual(audiencePolicyOf({ confirmMaxAgeMs: DAY, purgeUnconfirmedAfterMs: 3 * DAY }, { purgeUnconfirmedAfterMs: 2 * DAY }), {
    confirmMaxAgeMs: DAY,
    purgeUnconfirmedAfterMs: 2 * DAY,
    preferencesMaxAgeMs: DEFAULT_POLICY.preferencesMaxAgeMs,
  });
  assert.equal(audiencePolicyOf({ preferencesMaxAgeMs: 30 * DAY }).preferencesMaxAgeMs, 30 * DAY);
  // Only PURGE_UNCONFIRMED_AFTER set, shorter than the default link life (7 days): the config alone cannot tell.
  const dir = mkdtempSync(join(tmpdir(), 'matinale-policy-'));
  try {
    const config = loadConfig(env(dir, { PURGE_UNCONFIRMED_AFTER: '3d' }));
    assert.throws(() => audiencePolicyOf(config.audience), /PURGE_UNCONFIRMED_AFTER \(3 days\) must not be shorter than CONFIRM_LINK_MAX_AGE \(7 days\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const backend of await testBackends()) {
  /** A store with the sample French publication, a DATA_DIR, and the clock of the test. */
  async function newsroom(): Promise<{ store: TestStore; dir: string; clock: FakeClock; close(): Promise<void> }> {
    const store = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'matinale-policy-'));
    const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
    await upsertPublication(store, samplePublication('tech-matin'), { actor: 'test', clock });
    return { store, dir, clock, close: async () => (await store.dispose(), rmSync(dir, { recursive: true, force: true })) };
  }

  test(`${backend.name}: CONFIRM_LINK_MAX_AGE makes the web app's confirmation links expire earlier`, async () => {
    for (const [settings, expected] of [
      [{}, 200],
      [{ CONFIRM_LINK_MAX_AGE: '1d' }, 410],
    ] as const) {
      const n = await newsroom();
      const app = await buildApp({ store: n.store, config: loadConfig(env(n.dir, settings)), clock: n.clock });
      try {
        assert.equal((await subscribeThroughForm(app, 'tech-matin', { email: 'ann@example.org' })).statusCode, 200);
        const link = linkInText(outbox(join(n.dir, 'outbox')).at(-1), '/confirm/');
        n.clock.advance(2 * DAY);
        const r = await app.inject({ method: 'POST', url: new URL(link).pathname });
        assert.equal(r.statusCode, expected, `${JSON.stringify(settings)}: a link two days old`);
      } finally {
        await app.close();
        await n.close();
      }
    }
  });

  test(`${backend.name}: PREFERENCES_LINK_MAX_AGE makes preferences links expire earlier (the page then offers a fresh link)`, async () => {
    for (const [settings, expected] of [
      [{}, /name="publication"/],
      [{ PREFERENCES_LINK_MAX_AGE: '1d' }, /action="\/preferences\/[^"]+\/renew"/],
    ] as const) {
      const n = await newsroom();
      const app = await buildApp({ store: n.store, config: loadConfig(env(n.dir, settings)), clock: n.clock });
      try {
        await subscribeThroughForm(app, 'tech-matin', { email: 'ann@example.org' });
        await app.inject({ method: 'POST', url: new URL(linkInText(outbox(join(n.dir, 'outbox')).at(-1), '/confirm/')).pathname });
        const link = linkInText(outbox(join(n.dir, 'outbox')).at(-1), '/preferences/');
        n.clock.advance(2 * DAY);
        const r = await app.inject({ method: 'GET', url: new URL(link).pathname });
        assert.equal(r.statusCode, 200);
        assert.match(r.body, expected, `${JSON.stringify(settings)}: a link two days old`);
      } finally {
        await app.close();
        await n.close();
      }
    }
  });

  test(`${backend.name}: PURGE_UNCONFIRMED_AFTER purges earlier, in the worker's scheduler and in \`subscribers purge\`'s deps`, { timeout: 120_000 }, async () => {
    const n = await newsroom();
    const publicationId = (await n.store.db.selectFrom('publications').select('id').executeTakeFirstOrThrow()).id;
    const pending = async (email: string, age: number) => {
      const at = n.clock.now() - age;
      const s = await n.store.db
        .insertInto('subscribers')
        .values({ email, email_hash: `hash-${email}`, name: null, created_at: at, updated_at: at, erased_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await n.store.db
        .insertInto('subscriptions')
        .values({ subscriber_id: s.id, publication_id: publicationId, status: 'pending', source: 'form', created_at: at, confirmed_at: null, unsubscribed_at: null, updated_at: at })
        .execute();
    };
    const left = async () => (await n.store.db.selectFrom('subscribers').select('email').orderBy('email').execute()).map((r) => r.email);
    try {
      await pending('three-days@example.org', 3 * DAY);
      await pending('one-day@example.org', DAY);
      const config = loadConfig(env(n.dir, { CONFIRM_LINK_MAX_AGE: '1d', PURGE_UNCONFIRMED_AFTER: '2d' }));
      assert.equal(audienceDeps(config, n.store).policy.purgeUnconfirmedAfterMs, 2 * DAY, 'what `subscribers purge` and the web app use');
      const running = startWorker({ store: n.store, config, clock: n.clock, pollMs: 20, logger: quiet });
      try {
        const end = Date.now() + 60_000;
        while ((await left()).length > 1) {
          if (Date.now() > end) throw new Error('the purge at start did not come');
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        await running.stop();
      }
      // Three days old is past two days (not past the default fourteen); one day old is not.
      assert.deepEqual(await left(), ['one-day@example.org']);
    } finally {
      await n.close();
    }
  });
}
