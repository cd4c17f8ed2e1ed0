// /healthz for load balancers and /metrics for Prometheus (with the operator's token).
import { createHash, timingSafeEqual } from 'node:crypto';
import { ping } from '../../store/db.ts';
import { retryWhileDown } from '../../store/outages.ts';
import type { RoutePlugin } from '../app.ts';
import { registryOf } from '../metrics.ts';

/** GET /healthz, GET /metrics */
export const routes: RoutePlugin = (app, deps) => {
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
