// The request log never holds the signed tokens of mail links: Fastify's
// logger, writing to a stream read here, on real requests through inject.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { newsroom } from './harness.ts';
import { buildApp } from '../../src/web/app.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { signToken, type TokenPurpose } from '../../src/audience/tokens.ts';
import { redactUrl } from '../../src/web/request-log.ts';

test('token path segments and credential-like query values are redacted', () => {
  assert.equal(redactUrl('/unsubscribe/u9.2.tp8oe7.Z5u_AAAAAAAAAAAAAAAAAA'), '/unsubscribe/[redacted]');
  assert.equal(redactUrl('/confirm/anything-at-all?x=1'), '/confirm/[redacted]?x=1');
  assert.equal(redactUrl('//Preferences/p1.1.1.AAAAAAAAAAAAAAAAAAAAAA/extra'), '//Preferences/[redacted]/extra');
  assert.equal(redactUrl('/tech-matin?token=abc&_csrf=def&page=2'), '/tech-matin?token=[redacted]&_csrf=[redacted]&page=2');
  assert.equal(redactUrl('/x?next=/unsubscribe/u1.1.1.AAAAAAAAAAAAAAAAAAAAAA'), '/x?next=/unsubscribe/[redacted]');
  assert.equal(redactUrl('/tech-matin/2026-03-02'), '/tech-matin/2026-03-02');
});

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
    const log = lines.join('');
    const urls = lines.map((l) => JSON.parse(l) as { req?: { url: string } }).flatMap((l) => (l.req ? [l.req.url] : []));
    assert.ok(urls.includes('/confirm/[redacted]'), log);
    assert.ok(urls.includes('/unsubscribe/[redacted]'), log);
    assert.ok(urls.includes('/preferences/[redacted]?token=[redacted]'), log);
    for (const t of tokens) {
      assert.ok(!log.includes(t), `token ${t} in the log:\n${log}`);
      assert.ok(!log.includes(t.split('.').at(-1)!), `tag of ${t} in the log`);
    }
  } finally {
    await app.close();
    await n.close();
  }
});
