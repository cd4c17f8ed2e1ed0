// The tip line over a real store, on every backend: the desk and its keys, a
// tip filed and read back by the desk's private key, the reply round trip
// with the receipt code, a wrong code that gets what an unanswered thread
// gets, adding to a tip, deletion and the retention purge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as openpgp from 'openpgp';
import { testBackends, type TestStore } from '../helpers/store.ts';
import { publication } from '../helpers/newsroom.ts';
import { goodKey, type TestKey } from '../helpers/tip-keys.ts';
import { FakeClock } from '../../src/clock.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { setPersonKey } from '../../src/store/people.ts';
import { deleteTip, listTips, tipParts } from '../../src/store/tips.ts';
import { deskKeys, deskMembers } from '../../src/tips/desk.ts';
import { addToTip, fileTip, openThread, replyToTip, sealText, tipDay } from '../../src/tips/tip-line.ts';
import { checkSealedForDesk, sealForDesk } from '../../src/tips/seal.ts';
import { purgeExpiredTips, tipRetentionPurge } from '../../src/tips/retention.ts';
import { startWorker } from '../../src/delivery/worker.ts';
import { testConfig } from '../delivery/newsroom-fixture.ts';
import { until } from '../helpers/until.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newReceiptCode } from '../../src/tips/receipt-code.ts';

async function decrypt(armored: string, key: TestKey): Promise<{ data: Uint8Array; filename: string }> {
  const message = await openpgp.readMessage({ armoredMessage: armored });
  const privateKey = await openpgp.readPrivateKey({ armoredKey: key.privateKey });
  const { data, filename } = await openpgp.decrypt({ message, decryptionKeys: privateKey, format: 'binary' });
  return { data: data as Uint8Array, filename };
}

async function setUp(store: TestStore, clock: FakeClock) {
  const { id } = await upsertPublication(store, publication({ tipRetentionDays: 30 }), { actor: 'test', clock });
  const lucie = await goodKey('lucie@example.org');
  return { id, lucie, pub: { id, language: 'fr' as const }, deps: { store, secret: 's'.repeat(64), clock } };
}

for (const backend of await testBackends()) {
  test(`${backend.name}: the desk is its editors and admins with a usable key; none means tips are closed`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
      const { id, lucie } = await setUp(store, clock);
      const settings = publication();
      assert.deepEqual(await deskKeys(store, id, settings, new Date()), []);
      await setPersonKey(store, 'jeanne@example.org', (await goodKey()).publicKey); // an author: not on the default desk
      assert.deepEqual(await deskKeys(store, id, settings, new Date()), []);
      await setPersonKey(store, 'lucie@example.org', lucie.publicKey);
      assert.deepEqual((await deskKeys(store, id, settings, new Date())).map((k) => k.getFingerprint().toUpperCase()), [lucie.fingerprint]);
      const named = await deskMembers(store, id, publication({ tipsDesk: ['jeanne@example.org'] }), new Date());
      assert.deepEqual(named.map((m) => m.email), ['jeanne@example.org']);
      // Adding the settings again (no key in them) keeps the key set by `user key`.
      await upsertPublication(store, publication(), { actor: 'test', clock });
      assert.equal((await deskKeys(store, id, settings, new Date())).length, 1);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: a tip is stored as OpenPGP messages the desk decrypts, with the day only; replies reach the code holder`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-02T05:43:21Z'));
      const { lucie, pub, deps } = await setUp(store, clock);
      const desk = [await openpgp.readKey({ armoredKey: lucie.publicKey })];
      const day = tipDay(clock.now());
      const file = new Uint8Array([0, 1, 2, 250, 251, 252]);
      const code = await fileTip(deps, pub, [
        await sealText('MARKER-MESSAGE the minister lied', desk, day, 'message'),
        { kind: 'attachment', ciphertext: await sealForDesk(file, desk, day, 'MARKER-NAME.pdf') },
      ]);
      assert.equal(code.split(' ').length, 8);
      const [summary] = await listTips(store, [pub.id]);
      assert.deepEqual({ ...summary, size: 0 }, { id: summary!.id, publicationId: pub.id, day: '2026-03-02', size: 0, parts: 2, replied: false });
      assert.ok(summary!.size > 0);
      const parts = await tipParts(store, summary!.id);
      assert.deepEqual(parts.map((p) => p.kind), ['message', 'attachment']);
      for (const p of parts) assert.doesNotMatch(p.ciphertext, /MARKER/);
      assert.equal(new TextDecoder().decode((await decrypt(parts[0]!.ciphertext, lucie)).data), 'MARKER-MESSAGE the minister lied');
      const opened = await decrypt(parts[1]!.ciphertext, lucie);
      assert.deepEqual([...opened.data], [...file]);
      assert.equal(opened.filename, 'MARKER-NAME.pdf');

      assert.deepEqual(await openThread(deps, pub, code), { ok: true, code, replies: [] });
      assert.equal(await replyToTip(deps, summary!.id, 'Merci, pouvez-vous préciser ?', desk), true);
      assert.deepEqual(await openThread(deps, pub, code.toUpperCase()), { ok: true, code, replies: ['Merci, pouvez-vous préciser ?'] });
      assert.equal((await listTips(store, [pub.id]))[0]!.replied, true);
      // The desk reads its own reply too.
      const reply = (await tipParts(store, summary!.id, ['reply']))[0]!;
      assert.equal(new TextDecoder().decode((await decrypt(reply.ciphertext, lucie)).data), 'Merci, pouvez-vous préciser ?');

      // Another well-formed code: what a thread without replies shows, nothing more.
      const wrong = newReceiptCode('fr');
      assert.deepEqual(await openThread(deps, pub, wrong), { ok: true, code: wrong, replies: [] });
      // The right code read under another publication opens nothing there.
      assert.deepEqual(await openThread(deps, { id: pub.id + 1000, language: 'fr' }, code), { ok: true, code, replies: [] });

      clock.advance(86_400_000);
      assert.deepEqual(await addToTip(deps, pub, code, [await sealText('one more thing', desk, tipDay(clock.now()), 'follow-up')]), { ok: true });
      assert.deepEqual((await tipParts(store, summary!.id)).map((p) => [p.kind, p.day]), [
        ['message', '2026-03-02'],
        ['attachment', '2026-03-02'],
        ['reply', '2026-03-02'],
        ['follow-up', '2026-03-03'],
      ]);
      assert.equal(await deleteTip(store, summary!.id), true);
      assert.deepEqual(await listTips(store, [pub.id]), []);
      assert.deepEqual(await tipParts(store, summary!.id), []);
      assert.deepEqual(await openThread(deps, pub, code), { ok: true, code, replies: [] });
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: tips past the publication's retention are purged with their parts; newer ones stay`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-01T10:00:00Z'));
      const { lucie, pub, deps } = await setUp(store, clock); // retention: 30 days
      const desk = [await openpgp.readKey({ armoredKey: lucie.publicKey })];
      await fileTip(deps, pub, [await sealText('old', desk, tipDay(clock.now()), 'message')]);
      clock.set('2026-03-05T10:00:00Z');
      await fileTip(deps, pub, [await sealText('newer', desk, tipDay(clock.now()), 'message')]);
      clock.set('2026-03-30T23:00:00Z'); // the 30th day of the first tip: still kept
      assert.deepEqual(await purgeExpiredTips(store, clock), {});
      assert.equal((await listTips(store, [pub.id])).length, 2);
      clock.set('2026-03-31T00:00:00Z');
      assert.deepEqual(await purgeExpiredTips(store, clock), { 'tech-matin': 1 });
      assert.deepEqual((await listTips(store, [pub.id])).map((t) => t.day), ['2026-03-05']);
      const parts = await store.db.selectFrom('tip_parts').select('day').execute();
      assert.deepEqual(parts.map((p) => p.day), ['2026-03-05']);
    } finally {
      await store.dispose();
    }
  });
  test(`${backend.name}: the worker's hourly round runs the tip line's purge that matinale worker and serve give it`, async () => {
    const store = await backend.open();
    const dataDir = mkdtempSync(join(tmpdir(), 'matinale-tips-purge-'));
    try {
      const clock = new FakeClock(Date.parse('2026-03-01T10:00:00Z'));
      const { lucie, pub, deps } = await setUp(store, clock); // retention: 30 days
      const desk = [await openpgp.readKey({ armoredKey: lucie.publicKey })];
      await fileTip(deps, pub, [await sealText('old', desk, tipDay(clock.now()), 'message')]);
      clock.set('2026-04-15T10:00:00Z');
      const logged: string[] = [];
      const logger = { info: (_o: unknown, msg?: string) => void logged.push(msg ?? ''), warn: () => {}, error: () => {} };
      const running = startWorker({ store, config: testConfig({ dataDir }), clock, pollMs: 20, logger, purges: [tipRetentionPurge(store, clock)] });
      try {
        await until(async () => (await listTips(store, [pub.id])).length === 0, 'the purge at start did not come');
      } finally {
        await running.stop();
      }
      assert.ok(logged.includes('tips past their retention deleted'), logged.join(' | '));
    } finally {
      await store.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

test('a message sealed elsewhere is taken only when it is encrypted to every desk key and holds nothing else', async () => {
  const [a, b] = [await goodKey('a@example.org'), await goodKey('b@example.org')];
  const keys = [await openpgp.readKey({ armoredKey: a.publicKey }), await openpgp.readKey({ armoredKey: b.publicKey })];
  const sealed = await sealForDesk(new Uint8Array([1, 2, 3]), keys, '2026-03-02', 'x.bin');
  assert.equal(await checkSealedForDesk(sealed, keys), sealed);
  assert.equal(await checkSealedForDesk(await sealForDesk(new Uint8Array([1]), keys.slice(0, 1), '2026-03-02'), keys), undefined, 'one desk key left out');
  const plain = await openpgp.createMessage({ text: 'in clear' });
  assert.equal(await checkSealedForDesk(plain.armor(), keys), undefined, 'a literal message');
  const signed = await openpgp.sign({ message: plain, signingKeys: await openpgp.readPrivateKey({ armoredKey: a.privateKey }) });
  assert.equal(await checkSealedForDesk(signed, keys), undefined, 'a signed, unencrypted message');
  assert.equal(await checkSealedForDesk('hello', keys), undefined);
});
