// TRUST_PROXY: the client address comes from the proxies the operator
// declared, never from the entries a client writes itself into
// X-Forwarded-For. Read through loadConfig as `serve` reads it, and through
// real requests on the per-client subscribe brake (10 posts in 10 minutes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBackends } from '../helpers/store.ts';
import { newsroom } from './harness.ts';
import { buildApp } from '../../src/web/app.ts';
import { loadConfig } from '../../src/config.ts';

function configWith(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-proxy-'));
  try {
    return loadConfig({ DATA_DIR: dataDir, MATINALE_SECRET: 'b'.repeat(64), ...env });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('TRUST_PROXY reads as hops or proxy addresses; "true" and garbage are refused, naming the variable', () => {
  assert.equal(configWith({ TRUST_PROXY: '1' }).trustProxy, 1);
  assert.equal(configWith({ TRUST_PROXY: '2' }).trustProxy, 2);
  assert.equal(configWith({ TRUST_PROXY: '0' }).trustProxy, undefined);
  assert.equal(configWith({}).trustProxy, undefined);
  assert.deepEqual(configWith({ TRUST_PROXY: '10.0.0.2, 10.0.1.0/24,::1' }).trustProxy, ['10.0.0.2', '10.0.1.0/24', '::1']);
  for (const bad of ['true', 'yes', '10.0.0.300', '10.0.0.0/33', '1.5']) {
    assert.throws(() => configWith({ TRUST_PROXY: bad }), /TRUST_PROXY must be a number of proxy hops/, bad);
  }
});

const [backend] = await testBackends();

for (const [setting, proxy] of [
  ['1', '127.0.0.1'],
  ['127.0.0.1', '127.0.0.1'],
] as const) {
  test(`TRUST_PROXY=${setting}: 25 subscribe posts with 25 made-up X-Forwarded-For entries count as one client`, async (t) => {
    const n = await newsroom(backend!);
    t.after(() => n.close());
    const app = await buildApp({ store: n.store, config: { ...n.config, trustProxy: configWith({ TRUST_PROXY: setting }).trustProxy }, clock: n.clock });
    t.after(() => app.close());
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      // What a proxy passes on: the client's own header, then the address the proxy saw.
      const res = await app.inject({
        method: 'POST',
        url: '/tech-matin/subscribe',
        remoteAddress: proxy,
        headers: { 'x-forwarded-for': `203.0.113.${i}, 198.51.100.7`, 'content-type': 'application/x-www-form-urlencoded' },
        payload: `email=reader${i}%40example.net`,
      });
      statuses.push(res.statusCode);
    }
    assert.equal(statuses.filter((s) => s === 429).length, 15, statuses.join(' '));
    // Another real client behind the same proxy is not held back by the first one.
    const other = await app.inject({
      method: 'POST',
      url: '/tech-matin/subscribe',
      remoteAddress: proxy,
      headers: { 'x-forwarded-for': '198.51.100.8', 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=other%40example.net',
    });
    assert.notEqual(other.statusCode, 429);
  });
}
