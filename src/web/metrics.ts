// Prometheus metrics of one app: a registry per app (not prom-client's global
// one), so that tests can build many apps in one process without clashes.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';

const registries = new WeakMap<FastifyInstance, Registry>();

/** Registers process metrics and per-route request counts and durations on the app. */
export function instrument(app: FastifyInstance): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'matinale_' });
  const requests = new Counter({
    name: 'matinale_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'matinale_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method and route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: label values must stay few.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  registries.set(app, registry);
  return registry;
}

/** The registry `instrument` gave the app. */
export function registryOf(app: FastifyInstance): Registry {
  const registry = registries.get(app);
  if (!registry) throw new Error('the app has no metrics registry: call instrument(app) first');
  return registry;
}
