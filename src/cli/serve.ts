// `matinale serve [--port 3000] [--host 127.0.0.1] [--no-worker] [--demo]`:
// the web app on the configured store, migrated and, when empty, seeded with
// the demo newsroom on the embedded default or with --demo only, with the in-process delivery worker and scheduler (and, when
// INBOUND_SMTP is set, the listener for mail that comes back), until SIGINT
// or SIGTERM, when it stops taking requests and mail, lets the worker finish
// its batch and closes the store.
import { tipRetentionPurge } from '../tips/retention.ts';
import type { Command } from 'commander';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import pino from 'pino';
import { listenUrl, loadConfig } from '../config.ts';
import { openStore, type Store } from '../store/db.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { systemClock } from '../clock.ts';
import { buildApp } from '../web/app.ts';
import { demoAccountFile, isEmbeddedDefault, isEmptyNewsroom, savedDemoAccount, seedDemo, type SeedResult } from '../demo/seed.ts';
import { publicUrlCheck, startWorker, type RunningWorker } from '../delivery/worker.ts';
import { transportOf } from '../delivery/mail-stack.ts';
import type { Transport } from '../delivery/transport.ts';
import { inboundUrl, listenForInbound, type InboundServer } from '../delivery/inbound-server.ts';
import { UsageError } from './usage-error.ts';
import { closeSharedGrammarService } from '../grammar/service.ts';

export interface ServeOptions {
  port: number;
  host: string;
  worker: boolean;
  /** Seed the demo newsroom into an empty database that is not the embedded default. */
  demo?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Where to print what a person needs (the URL, the demo account). */
  out?: (line: string) => void;
  /** Pino request logs (on for the command). */
  logger?: boolean;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the newsroom; resolves once it listens. */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const out = options.out ?? ((line: string) => process.stdout.write(line + '\n'));
  // Bind first: with `--port 0` only the bound socket knows the port, and the
  // public URL (links in pages and mail) must be settled before anything that
  // copies it (audience mails, the worker's links, cookies) is built. Until the
  // app is ready, requests get a 503 rather than a half-built app.
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain; charset=utf-8' }).end('Matinale is starting\n');
  });
  await listen(server, options.port, options.host);
  const bound = server.address();
  const address = { host: options.host, port: typeof bound === 'object' && bound ? bound.port : options.port };
  const url = listenUrl(address);

  let store: Store | undefined;
  let worker: RunningWorker | undefined;
  let inbound: InboundServer | undefined;
  let shared: Transport | undefined;
  try {
    const config = loadConfig(env, { listening: address });
    // Confirmation mails and editions would reach readers with links to this
    // machine's loopback. (With the outbox, the listening address is right.)
    const publicUrl = publicUrlCheck(config);
    if (publicUrl.refuse) throw new Error(publicUrl.refuse);
    const clock = systemClock;
    const opened = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    store = opened;
    await migrateToLatest(opened);
    // Never into a real newsroom's database by accident: a demo editor with a printed password would be a way in.
    const demo = options.demo || isEmbeddedDefault(config);
    const seed: SeedResult = demo ? await seedDemo(opened, config, clock) : { seeded: false, publications: [], editions: [] };
    // One transport for the process: the app's confirmation mails and the worker's sends share its relays and limits.
    const transport = transportOf(config, clock);
    shared = transport;
    let pending: typeof handler;
    const app = await buildApp({
      store: opened,
      config,
      clock,
      transport,
      logger: options.logger ?? false,
      serverFactory: (appHandler) => {
        pending = appHandler;
        return server;
      },
    });
    await app.ready();
    handler = pending;

    if (options.worker) worker = startWorker({ store: opened, config, clock, transport, purges: [tipRetentionPurge(opened, clock)] });
    if (config.inboundSmtp) {
      const logger = pino({ base: { pid: process.pid }, redact: ['token', 'secret', 'password'] }, pino.destination(2));
      inbound = await listenForInbound(config, opened, { listen: config.inboundSmtp, logger, clock });
    }

    out(`Matinale is running at ${url} (${opened.description}${config.smtpUrls.length ? '' : `, mail kept in ${config.dataDir}/outbox`})`);
    if (config.publicUrl !== url) out(`  public URL (links in pages and mail): ${config.publicUrl}`);
    out(`  newsroom dashboard: ${url}/newsroom`);
    if (seed.seeded && seed.account) {
      out(`  demo newsroom created: ${seed.editions.map((e) => `${url}/${e.publication}/${e.date}`).join(' , ')}`);
      out(`  demo editor account: ${seed.account.email} / password ${seed.account.password} (also in ${demoAccountFile(config)})`);
    } else if (demo && savedDemoAccount(config)) {
      out(`  demo editor account: see ${demoAccountFile(config)}`);
    } else if (!demo && (await isEmptyNewsroom(opened))) {
      out('  empty newsroom: add a publication (matinale publication add FILE.yaml) and an account (matinale user add EMAIL --role admin), or start once with --demo');
    }
    out(options.worker ? '  delivery worker and scheduler: running in this process' : '  delivery worker: off (--no-worker)');
    if (inbound) out(`  inbound mail (unsubscribes, bounces, complaints): ${inboundUrl(inbound.address)}`);

    let closing: Promise<void> | undefined;
    return {
      url,
      close() {
        closing ??= (async () => {
          // The app answers 503 to new requests while closing; the server was
          // bound here, not by app.listen, so it is closed here too.
          await app.close();
          await closeServer(server);
          // The previews' grammar checkers: the Grammalecte process and the Harper thread.
          await closeSharedGrammarService();
          await inbound?.close();
          await worker?.stop();
          await transport.close();
          await opened.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await inbound?.close().catch(() => {});
    await worker?.stop().catch(() => {});
    await shared?.close().catch(() => {});
    await store?.close().catch(() => {});
    await closeServer(server).catch(() => {});
    throw err;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((err) => (err ? reject(err) : resolve()));
    // Keep-alive connections would hold close() open; active requests still finish.
    server.closeIdleConnections();
  });
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a port number, not ${value}`);
  return n;
}

/** Registers `matinale serve`. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('run the web app (public site, newsroom dashboard, API) with an in-process delivery worker')
    .option('--port <port>', 'port to listen on', '3000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--no-worker', 'do not run the delivery worker and scheduler in this process')
    .option('--demo', 'seed the demo newsroom into an empty database even when it is not the embedded default (PostgreSQL, a relay)')
    .action(async (opts: { port: string; host: string; worker: boolean; demo?: boolean }) => {
      const server = await serve({ port: port(opts.port), host: opts.host, worker: opts.worker, demo: opts.demo === true, logger: true });
      const stop = (signal: string) => {
        process.stdout.write(`\n${signal}: stopping…\n`);
        server.close().then(
          () => process.exit(0),
          (err) => {
            process.stderr.write(`matinale: ${(err as Error).message}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
