// The sign-in brake through real HTTP (Fastify inject) on every backend:
// parallel guesses limited like sequential ones, and failures from rotating
// networks that slow an address down and alert its owner, never lock it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { testBackends } from '../helpers/store.ts';
import { CookieJar, EDITOR, OUTSIDER, csrfIn, newsroom } from './harness.ts';
import { outbox } from '../audience/mail-reader.ts';

/** A sign-in form (cookie and token) from one client, to post many times at once. */
async function signInForm(app: FastifyInstance, remoteAddress: string) {
  const page = await app.inject({ method: 'GET', url: '/newsroom/sign-in', remoteAddress });
  const jar = new CookieJar();
  jar.take(page);
  const csrf = csrfIn(page.body);
  return (email: string, password: string) =>
    app.inject({
      method: 'POST',
      url: '/newsroom/sign-in',
      remoteAddress,
      payload: new URLSearchParams({ _csrf: csrf, email, password, next: '/newsroom' }).toString(),
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    });
}

const backends = await testBackends();
for (const backend of backends) {
  test(`sign-in brake on ${backend.name}`, { timeout: 120_000 }, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());

    await t.test('40 parallel wrong guesses are limited like 40 sequential ones, and the right password after them is refused', async () => {
      const post = await signInForm(n.app, '192.0.2.10');
      const guesses = Array.from({ length: 40 }, (_, i) => post(OUTSIDER.email, `guess-${i}`));
      const right = post(OUTSIDER.email, OUTSIDER.password);
      const answers = await Promise.all([...guesses, right]);
      const checked = answers.filter((r) => r.statusCode !== 429).length;
      assert.equal(checked, 10, `statuses: ${answers.map((r) => r.statusCode).join(' ')}`);
      assert.equal(answers.at(-1)!.statusCode, 429, 'the right password inside the burst does not sign in');
      assert.ok(answers.slice(0, 10).every((r) => r.statusCode === 401));
    });

    // The brake lives in memory, the backend only answers the credentials: once is enough for 51 password hashes.
    if (backend !== backends[0]) return;
    await t.test('50 wrong passwords from rotating networks: the owner still signs in from a new one, and gets one mail', async () => {
      const mails = () => outbox(join(n.config.dataDir, 'outbox')).filter((m) => m.to.includes(EDITOR.email));
      const before = mails().length;
      const answers = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => (await signInForm(n.app, `10.${i}.7.1`))(EDITOR.email, `guess-${i}`)),
      );
      assert.deepEqual(new Set(answers.map((r) => r.statusCode)), new Set([401]));
      const owner = await (await signInForm(n.app, '203.0.113.5'))(EDITOR.email, EDITOR.password);
      assert.equal(owner.statusCode, 303, 'the right password from a new network signs in');

      // The alert is sent without waiting for it: give the outbox a moment.
      for (let i = 0; i < 50 && mails().length === before; i++) await new Promise((r) => setTimeout(r, 20));
      const alerts = mails().slice(before);
      assert.equal(alerts.length, 1, 'one alert per window, not one per failure');
      assert.match(alerts[0]!.subject, /Wrong passwords for your newsroom account/);
      assert.match(alerts[0]!.text, /Your password still works/);
      assert.doesNotMatch(alerts[0]!.text, /10\.\d+\.7\.1/, 'no client address in the mail');
    });
  });
}
