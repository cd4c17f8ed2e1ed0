// The demo newsroom: seeded once into an empty database, through the store's
// and the audience's functions; a second run changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBackends } from '../helpers/store.ts';
import { FakeClock } from '../../src/clock.ts';
import type { Config } from '../../src/config.ts';
import { DEMO_EDITOR_EMAIL, demoAccountFile, savedDemoAccount, seedDemo } from '../../src/demo/seed.ts';
import { listPublications } from '../../src/store/publications.ts';
import { listEditions } from '../../src/store/editions.ts';
import { credentialsFor } from '../../src/store/accounts.ts';
import { verifyPassword } from '../../src/web/auth/password.ts';

for (const backend of await testBackends()) {
  test(`demo seed on ${backend.name}`, async (t) => {
    const store = await backend.open();
    const dataDir = mkdtempSync(join(tmpdir(), 'matinale-seed-'));
    t.after(async () => {
      await store.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const config: Config = { dataDir, smtpUrls: [], publicUrl: 'http://localhost:3000', secret: 'b'.repeat(64) };
    const clock = new FakeClock(Date.parse('2026-03-01T20:00:00Z'));

    const first = await seedDemo(store, config, clock);
    assert.equal(first.seeded, true);
    assert.deepEqual(first.publications.sort(), ['policy-morning', 'tech-matin']);
    const publications = await listPublications(store);
    assert.deepEqual(publications.map((p) => p.settings.language).sort(), ['en', 'fr']);
    for (const p of publications) {
      const editions = await listEditions(store, p.id);
      assert.deepEqual(editions.map((e) => e.status), ['approved'], p.settings.slug);
    }
    const active = await store.db.selectFrom('subscriptions').select('id').where('status', '=', 'active').execute();
    assert.equal(active.length, 8, 'four demo subscribers on each publication');
    const consent = await store.db.selectFrom('consent_log').select('id').execute();
    assert.ok(consent.length >= 8, 'the import logged consent');

    assert.equal(first.account?.email, DEMO_EDITOR_EMAIL);
    const credentials = await credentialsFor(store, DEMO_EDITOR_EMAIL);
    assert.ok(credentials && (await verifyPassword(first.account!.password, credentials.passwordHash)));
    assert.deepEqual(savedDemoAccount(config), first.account);
    assert.equal(statSync(demoAccountFile(config)).mode & 0o077, 0, 'only the owner reads the password');

    const second = await seedDemo(store, config, clock);
    assert.equal(second.seeded, false);
    assert.equal((await listPublications(store)).length, 2);
    assert.equal((await store.db.selectFrom('edition_versions').select('id').execute()).length, 2);
    assert.equal((await store.db.selectFrom('subscriptions').select('id').execute()).length, 8);
  });
}
