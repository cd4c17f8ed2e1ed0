// /healthz for anyone; /metrics only with the operator's METRICS_TOKEN, and
// not served at all without one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBackends } from '../helpers/store.ts';
import { newsroom } from './harness.ts';
import { buildApp } from '../../src/web/app.ts';
import { loadConfig } from '../../src/config.ts';

const TOKEN = 'metrics-token-0123456789';

for (const backend of await testBackends()) {
  test(`health and metrics on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const health = await n.app.inject('/healthz');
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok', database: backend.name });

    // The public listener by default: no metrics, no runtime versions, nothing about what readers do.
    const open = await n.app.inject('/metrics');
    assert.equal(open.statusCode, 404);
    assert.doesNotMatch(open.body, /nodejs_version|matinale_http_requests_total/);

    const app = await buildApp({ store: n.store, config: { ...n.config, metricsToken: TOKEN }, clock: n.clock });
    t.after(() => app.close());
    await app.inject('/tech-matin');
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, 'Bearer ']) {
      const refused = await app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
      assert.equal(refused.statusCode, 401, String(authorization));
      assert.equal(refused.headers['www-authenticate'], 'Bearer realm="metrics"');
      assert.doesNotMatch(refused.body, /nodejs_version|matinale_http_requests_total/);
    }
    const metrics = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(metrics.statusCode, 200);
    assert.match(String(metrics.headers['content-type']), /text\/plain/);
    assert.match(metrics.body, /matinale_http_requests_total\{method="GET",route="\/:slug",status="200"\} 1/);
    assert.match(metrics.body, /matinale_process_cpu_user_seconds_total/);
  });
}

test('METRICS_TOKEN is read from the environment, and a short one refused', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-metrics-'));
  try {
    const env = { DATA_DIR: dataDir, MATINALE_SECRET: 'c'.repeat(64) };
    assert.equal(loadConfig({ ...env, METRICS_TOKEN: TOKEN }).metricsToken, TOKEN);
    assert.equal(loadConfig(env).metricsToken, undefined);
    assert.throws(() => loadConfig({ ...env, METRICS_TOKEN: 'short' }), /METRICS_TOKEN must be at least 16 printable ASCII characters/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
