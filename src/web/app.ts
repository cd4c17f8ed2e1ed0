// The one Fastify app: public site, newsroom dashboard and JSON API. Built
// apart from being started (Fastify's testing guide): tests call
// `buildApp(deps)` and `app.inject()`, `matinale serve` calls `listen`.
import Fastify, { type FastifyInstance, type FastifyServerFactory, type RouteOptions } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import type { Config } from '../config.ts';
import type { Store } from '../store/db.ts';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import { transportOf } from '../delivery/mail-stack.ts';
import type { Transport } from '../delivery/transport.ts';
import { installEdge } from './edge.ts';
import { storeDesk } from './store-desk.ts';
import { serializeError, serializeRequest } from './request-log.ts';

/** What the routes need; everything is injected so tests can swap it. */
export interface AppDeps {
  store: Store;
  config: Config;
  clock?: Clock;
  /**
   * The process's one mail transport (serve shares it with its worker), for
   * the audience's confirmation and welcome mails; without it the app builds
   * its own from the configuration and closes it with the app.
   */
  transport?: Transport;
  /** Pino logging on (serve: to stdout; tests: to a stream they read) or off. */
  logger?: boolean | { stream: { write(line: string): void } };
  /**
   * The HTTP server to answer on, already bound (serve binds before building,
   * so that links know the port); without it, the app makes its own.
   */
  serverFactory?: FastifyServerFactory;
  /** Told of every route as it is added: the route table (tests check each route's roles against it). */
  onRoute?: (route: RouteOptions) => void;
}

export type RoutePlugin = (app: FastifyInstance, deps: Required<Omit<AppDeps, 'logger' | 'serverFactory' | 'onRoute'>>) => Promise<void> | void;

// One line per route module; keep the list sorted.
const routeModules: Array<() => Promise<{ routes: RoutePlugin }>> = [
  () => import('./routes/api-editions.ts'),
  () => import('./routes/assets.ts'),
  () => import('./routes/audience.ts'),
  () => import('./routes/dashboard-delivery.ts'),
  () => import('./routes/dashboard-editions.ts'),
  () => import('./routes/dashboard-import.ts'),
  () => import('./routes/dashboard-publication-settings.ts'),
  () => import('./routes/dashboard-publications.ts'),
  () => import('./routes/dashboard-sending-setup.ts'),
  () => import('./routes/dashboard-sends.ts'),
  () => import('./routes/dashboard-sign-in.ts'),
  () => import('./routes/dashboard-subscribers.ts'),
  () => import('./routes/dashboard-team.ts'),
  () => import('./routes/dashboard-tips.ts'),
  () => import('./routes/dashboard-word-list.ts'),
  () => import('./routes/health.ts'),
  () => import('./routes/public-archive.ts'),
  () => import('./routes/public-edition.ts'),
  () => import('./routes/public-feeds.ts'),
  () => import('./routes/public-home.ts'),
  () => import('./routes/public-tips.ts'),
];

/** Builds the app (not listening yet). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const hops = deps.config.trustProxy;
  const app = Fastify({
    logger: deps.logger
      ? {
          level: 'info',
          redact: ['req.headers.authorization', 'req.headers.cookie'],
          // Links of mails carry signed tokens in their path: the log keeps the route, never the token.
          serializers: { req: serializeRequest, err: serializeError },
          ...(typeof deps.logger === 'object' ? { stream: deps.logger.stream } : {}),
        }
      : false,
    // Only the proxies the operator declared (so many hops, or these addresses), never all:
    // the first X-Forwarded-For entries are the client's to write.
    trustProxy: typeof hops === 'number' ? (_address: string, hop: number) => hop < hops : (hops ?? false),
    ...(deps.serverFactory ? { serverFactory: deps.serverFactory } : {}),
  });
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
  await app.register(formbody);
  await app.register(cookie, { secret: deps.config.secret });
  const clock = deps.clock ?? systemClock;
  const transport = deps.transport ?? transportOf(deps.config, clock);
  if (!deps.transport) app.addHook('onClose', () => transport.close());
  const full = { store: deps.store, config: deps.config, clock, transport };
  // Headers, metrics and error mapping first, so that they cover every route.
  installEdge(app, storeDesk(full.store, full.clock), { https: full.config.publicUrl.startsWith('https:') });
  for (const load of routeModules) await (await load()).routes(app, full);
  return app;
}
