// Where a sign-in sends a person afterwards: `next` stays inside the
// dashboard and must be something a Location header can carry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { EDITOR, Visitor, newsroom } from './harness.ts';

const [backend] = await testBackends();

test('a next with CR/LF or other control characters sends to the dashboard, like any other bad next', async (t) => {
  const n = await newsroom(backend!);
  t.after(() => n.close());
  const cases: Array<[string, string]> = [
    ['/newsroom/\r\nSet-Cookie: x=1', '/newsroom'],
    ['/newsroom?\nx', '/newsroom'],
    ['/newsroom/\u0000', '/newsroom'],
    ['/newsroom/é', '/newsroom'],
    ['/newsroom/ x', '/newsroom'],
    ['//evil.example/newsroom', '/newsroom'],
    ['/newsroom/editions/1?a=1#top', '/newsroom/editions/1?a=1#top'],
  ];
  for (const [next, expected] of cases) {
    const v = new Visitor(n.app);
    const page = await v.get(`/newsroom/sign-in?next=${encodeURIComponent(next)}`);
    assert.equal(page.statusCode, 200, JSON.stringify(next));
    const res = await v.post('/newsroom/sign-in', { email: EDITOR.email, password: EDITOR.password, next });
    assert.equal(res.statusCode, 303, `${JSON.stringify(next)}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    assert.equal(res.headers.location, expected, JSON.stringify(next));
  }
});
