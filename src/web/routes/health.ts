// /healthz for load balancers and /metrics for Prometheus (with the operator's token).
import { createHash, timingSafeEqual } from 'node:crypto';
import { ping } from '../../store/db.ts';
import { retryWhileDown } from '../../store/outages.ts';
import type { RoutePlugin } from '../app.ts';
import { registryOf } from '../metrics.ts';

/** How long /readyz waits for the database before it says the process is not ready. */
const READY_TIMEOUT_MS = 2_000;

/** GET /healthz, GET /readyz, GET /metrics */
export const routes: RoutePlugin = (app, deps) => {
  // Readiness for a load balancer or an orchestrator: 200 only while the
  // database answers a query right now, tried once (no retry: a process whose
  // database is gone must leave the pool at once), 503 otherwise. The error
  // stays in the log: a connection string in it must not reach an outsider.
  app.get('/readyz', async (request, reply) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ping(deps.store),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the database did not answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
        }),
      ]);
      return reply.header('cache-control', 'no-store').send({ status: 'ready' });
    } catch (err) {
      request.log.warn({ err }, 'not ready: the database does not answer');
      return reply.code(503).header('cache-control', 'no-store').send({ status: 'not ready' });
    } finally {
      clearTimeout(timer);
    }
  });

  app.get('/healthz', async (_request, reply) => {
    try {
      // A pooled connection that died with a database restart is not an outage: tried again on a new one, briefly.
      await retryWhileDown(deps.store, () => ping(deps.store), { giveUpAfterMs: 2_000 });
      return reply.send({ status: 'ok', database: deps.store.capabilities.dialect });
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', database: deps.store.capabilities.dialect, error: (err as Error).message });
    }
  });

  // Metrics tell an outsider the runtime's versions and what readers and the
  // team do (sign-in failures, unsubscribes): only for whoever holds the
  // operator's METRICS_TOKEN, and not served at all without one.
  const expected = deps.config.metricsToken ? createHash('sha256').update(deps.config.metricsToken).digest() : undefined;
  app.get('/metrics', async (request, reply) => {
    if (!expected) return reply.callNotFound();
    const given = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    // Digests have one length, so the comparison takes the same time whatever was sent.
    if (!given || !timingSafeEqual(createHash('sha256').update(given).digest(), expected)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').type('text/plain; charset=utf-8').send('metrics need the bearer token METRICS_TOKEN\n');
    }
    const registry = registryOf(app);
    return reply.type(registry.contentType).send(await registry.metrics());
  });
};
