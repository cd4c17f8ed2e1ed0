// /healthz and /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { newsroom } from './harness.ts';

for (const backend of await testBackends()) {
  test(`health and metrics on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const health = await n.app.inject('/healthz');
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok', database: backend.name });
    await n.app.inject('/tech-matin');
    const metrics = await n.app.inject('/metrics');
    assert.equal(metrics.statusCode, 200);
    assert.match(String(metrics.headers['content-type']), /text\/plain/);
    assert.match(metrics.body, /matinale_http_requests_total\{method="GET",route="\/:slug",status="200"\} 1/);
    assert.match(metrics.body, /matinale_process_cpu_user_seconds_total/);
  });
}
