// The request log never holds the signed tokens of mail links: Fastify's
// logger, writing to a stream read here, on real requests through inject.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { newsroom } from './harness.ts';
import { buildApp } from '../../src/web/app.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { signToken, type TokenPurpose } from '../../src/audience/tokens.ts';
import { invitationToken } from '../../src/web/auth/invitations.ts';

const [backend] = await testBackends();

test('the request log shows the route of confirm, unsubscribe and preferences links, never their token', async () => {
  const n = await newsroom(backend!);
  const lines: string[] = [];
  const app = await buildApp({ store: n.store, config: n.config, clock: n.clock, logger: { stream: { write: (line: string) => void lines.push(line) } } });
  try {
    const keys = new AudienceKeys(n.config.secret);
    const token = (purpose: TokenPurpose) => signToken(keys, { purpose, subscriberId: 9, publicationId: n.ids.techMatin, issuedAt: n.clock.now() });
    const tokens = [token('confirm'), token('unsubscribe'), token('preferences')];
    const form = { payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    await app.inject({ method: 'GET', url: `/confirm/${tokens[0]}` });
    await app.inject({ method: 'POST', url: `/confirm/${tokens[0]}` });
    await app.inject({ method: 'GET', url: `/unsubscribe/${tokens[1]}` });
    await app.inject({ method: 'POST', url: `/unsubscribe/${tokens[1]}`, ...form });
    await app.inject({ method: 'GET', url: `/preferences/${tokens[2]}?token=${tokens[2]}` });
    await app.inject({ method: 'PUT', url: `/unsubscribe/${tokens[1]}` }); // no such route: the 404 is logged too
    // The same token spelled so that no pattern of the string finds it: encoded, another case, in a query.
    const tag = tokens[1]!.split('.').at(-1)!;
    const encoded = [...tokens[1]!].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    await app.inject({ method: 'GET', url: `/%75nsubscribe/${tokens[1]}` });
    await app.inject({ method: 'GET', url: `/unsubscribe/${encoded}` });
    await app.inject({ method: 'GET', url: `/UNSUBSCRIBE/${tokens[1]!.toUpperCase()}` });
    await app.inject({ method: 'GET', url: `/tech-matin?t=${tokens[1]}&x=${tag}` });
    await app.inject({ method: 'GET', url: `/newsroom/sign-in?next=%2Funsubscribe%2F${tokens[1]}` });
    await app.inject({ method: 'GET', url: `/a/b/${tag}` }); // no route at all
    await app.inject({ method: 'GET', url: `/tech-matin/${tokens[1]}` }); // pasted where no route expects a token
    const log = lines.join('');
    const urls = lines.map((l) => JSON.parse(l) as { req?: { url: string } }).flatMap((l) => (l.req ? [l.req.url] : []));
    assert.ok(urls.includes('/confirm/[redacted]'), log);
    assert.ok(urls.includes('/unsubscribe/[redacted]'), log);
    assert.ok(urls.includes('/preferences/[redacted]?token=[redacted]'), log);
    assert.ok(urls.includes('/tech-matin?t=[redacted]&x=[redacted]'), log);
    assert.ok(urls.includes('/newsroom/sign-in?next=[redacted]'), log);
    assert.ok(urls.includes('/a/[redacted]'), log);
    // GET, POST, the PUT no route takes, and the two encoded spellings that reach the route.
    assert.equal(urls.filter((u) => u === '/unsubscribe/[redacted]').length, 5, log);
    for (const t of tokens) {
      for (const spelling of [t, t.toUpperCase(), t.split('.').at(-1)!, t.split('.').at(-1)!.toUpperCase()]) {
        assert.ok(!log.includes(spelling), `token ${spelling} in the log:\n${log}`);
      }
    }
    assert.ok(!log.includes(encoded.slice(0, 30)), 'no encoded token');
  } finally {
    await app.close();
    await n.close();
  }
});

test('the request log shows the route of an invitation link, never its token', async () => {
  const n = await newsroom(backend!);
  const lines: string[] = [];
  const app = await buildApp({ store: n.store, config: n.config, clock: n.clock, logger: { stream: { write: (line: string) => void lines.push(line) } } });
  try {
    const token = invitationToken(n.config.secret, 1, 'invited$x', n.clock.now() + 60_000);
    await app.inject({ method: 'GET', url: `/newsroom/invitation/${token}` });
    await app.inject({ method: 'POST', url: `/newsroom/invitation/${token}`, payload: 'password=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const log = lines.join('');
    const urls = lines.map((l) => JSON.parse(l) as { req?: { url: string } }).flatMap((l) => (l.req ? [l.req.url] : []));
    assert.equal(urls.filter((u) => u === '/newsroom/invitation/[redacted]').length, 2, log);
    assert.ok(!log.includes(token.split('.').at(-1)!), `the token's signature in the log:\n${log}`);
  } finally {
    await app.close();
    await n.close();
  }
});
