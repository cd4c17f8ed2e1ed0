// /healthz for load balancers and /metrics for Prometheus.
import { sql } from 'kysely';
import { retryWhileDown } from '../../store/outages.ts';
import type { RoutePlugin } from '../app.ts';
import { registryOf } from '../metrics.ts';

/** GET /healthz, GET /metrics */
export const routes: RoutePlugin = (app, deps) => {
  app.get('/healthz', async (_request, reply) => {
    try {
      // A pooled connection that died with a database restart is not an outage: tried again on a new one, briefly.
      await retryWhileDown(deps.store, () => sql`select 1`.execute(deps.store.db), { giveUpAfterMs: 2_000 });
      return reply.send({ status: 'ok', database: deps.store.capabilities.dialect });
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', database: deps.store.capabilities.dialect, error: (err as Error).message });
    }
  });

  app.get('/metrics', async (_request, reply) => {
    const registry = registryOf(app);
    return reply.type(registry.contentType).send(await registry.metrics());
  });
};
