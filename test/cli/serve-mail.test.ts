// `serve` has one way out for mail: the web app's confirmation mails and the
// in-process worker's sends go through the one transport it builds, so a
// relay URL with `pool=1` sees a single connection carry both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve } from '../../src/cli/serve.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { outboxTransport } from '../../src/delivery/outbox.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import { openStore } from '../../src/store/db.ts';
import { getSend } from '../../src/store/sends.ts';
import { startSmtpSink } from '../delivery/newsroom-fixture.ts';

/** Subscribes through the archive's form as a browser does: its cookies and hidden fields come along. */
async function subscribeThroughForm(url: string, slug: string, email: string): Promise<Response> {
  const archive = await fetch(`${url}/${slug}`);
  const cookie = archive.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const page = await archive.text();
  const form = new URLSearchParams();
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(m[1]!, m[2]!);
  form.append('email', email);
  return fetch(`${url}/${slug}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: form.toString() });
}

test('serve’s confirmation mails and its worker’s sends share one transport: one connection of a pool=1 relay carries both', { timeout: 120_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-serve-mail-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const env = { DATA_DIR: dataDir, SMTP_URL: `${sink.url}?pool=1`, PUBLIC_URL: 'https://news.example.org' };
  const server = await serve({ port: 0, host: '127.0.0.1', worker: true, demo: true, env, out: () => {} });
  t.after(() => server.close());

  assert.equal((await subscribeThroughForm(server.url, 'tech-matin', 'reader@example.org')).status, 200);
  assert.deepEqual(sink.received.map((m) => m.to[0]), ['reader@example.org'], 'the confirmation mail');

  // A list send of the demo edition, picked up by the worker serve runs.
  const config = loadConfig(env);
  const store = openStore({ dataDir, databaseUrl: config.databaseUrl });
  t.after(() => store.close());
  const edition = await store.db.selectFrom('editions').select('id').where('status', '=', 'approved').orderBy('id').executeTakeFirstOrThrow();
  const sendDeps = deliveryParts({ store, config, clock: systemClock, transport: outboxTransport(join(dataDir, 'unused'), systemClock) }).sendDeps;
  const send = await requestSend(sendDeps, { editionId: edition.id, createdBy: 'test' });
  for (let i = 0; i < 600 && (await getSend(store, send.id))!.status !== 'done'; i++) await sleep(50);
  assert.equal((await getSend(store, send.id))!.status, 'done');
  assert.ok(sink.received.length > 1, `the send's messages reached the relay too (${sink.received.length})`);
  assert.equal(sink.connections, 1, 'one pool for the process: the confirmation’s connection carried the send');
});
