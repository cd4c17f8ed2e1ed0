// A NUL byte in any parameter is bad input (400, saying where), the same on
// every backend, and never a 500 with a stack in the log: real requests
// through Fastify inject, with the app's logger read back.
import { test } from 'node:test';
import type { InjectOptions } from 'fastify';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { CookieJar, EDITOR, Visitor, csrfIn, newsroom } from './harness.ts';
import { buildApp } from '../../src/web/app.ts';

for (const backend of await testBackends()) {
  test(`NUL bytes refused at the edge on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const lines: string[] = [];
    const app = await buildApp({ store: n.store, config: n.config, clock: n.clock, logger: { stream: { write: (line: string) => void lines.push(line) } } });
    t.after(() => app.close());
    const signIn = await app.inject('/newsroom/sign-in');
    const jar = new CookieJar();
    jar.take(signIn);
    const csrf = csrfIn(signIn.body);
    const form = (fields: Record<string, string>): InjectOptions => ({
      payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    const cases: Array<[string, InjectOptions, RegExp]> = [
      ['a path segment', { url: '/tech-matin%00' }, /in the path/],
      ['an edition path', { url: '/tech-matin/2026-03-02%00.json' }, /in the path/],
      ['a token path', { url: '/unsubscribe/abc%00def' }, /in the path/],
      ['a dashboard id', { url: '/newsroom/editions/1%00' }, /in the path/],
      ['the query', { url: '/newsroom/sign-in?next=/newsroom%00' }, /in the query string/],
      ['a cookie', { url: '/newsroom', headers: { cookie: 'matinale_session=abc%00' } }, /in a cookie/],
      ['a form field', { method: 'POST', url: '/newsroom/sign-in', ...form({ email: `${EDITOR.email}\0`, password: EDITOR.password }) }, /in the request body/],
      ['a subscribe form', { method: 'POST', url: '/tech-matin/subscribe', ...form({ email: 'reader\0@example.net' }) }, /in the request body/],
      [
        'a JSON body',
        { method: 'POST', url: '/api/editions/preview', payload: JSON.stringify({ publication: 'tech-matin', source: { deep: [['x\0']] } }), headers: { 'content-type': 'application/json' } },
        /in the request body/,
      ],
    ];
    for (const [where, request, message] of cases) {
      const res = await app.inject(request);
      assert.equal(res.statusCode, 400, `${where}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      assert.match(res.body, message, where);
    }
    const errors = lines.map((l) => JSON.parse(l) as { level: number; msg?: string }).filter((l) => l.level >= 50);
    assert.deepEqual(errors, [], 'nothing logged as a failure');

    // The same fields without the NUL byte still work.
    const v = new Visitor(app);
    await v.signIn(EDITOR);
    assert.equal((await v.get('/tech-matin')).statusCode, 200);
  });
}
