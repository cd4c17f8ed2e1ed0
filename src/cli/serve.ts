// `matinale serve [--port 3000] [--host 127.0.0.1] [--no-worker]`: the web app
// on the configured store, migrated and (when empty) seeded with the demo
// newsroom, with the in-process delivery worker and scheduler, until SIGINT
// or SIGTERM, when it stops taking requests, lets the worker finish its batch
// and closes the store.
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { openStore } from '../store/db.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { systemClock } from '../clock.ts';
import { buildApp } from '../web/app.ts';
import { demoAccountFile, savedDemoAccount, seedDemo } from '../demo/seed.ts';
import { startWorker, type RunningWorker } from '../delivery/worker.ts';
import { UsageError } from './usage-error.ts';

export interface ServeOptions {
  port: number;
  host: string;
  worker: boolean;
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
  const config = loadConfig(env);
  const clock = systemClock;
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let worker: RunningWorker | undefined;
  try {
    await migrateToLatest(store);
    const seed = await seedDemo(store, config, clock);
    const app = await buildApp({ store, config, clock, logger: options.logger ?? false });
    await app.listen({ port: options.port, host: options.host });
    const bound = app.server.address();
    const actualPort = typeof bound === 'object' && bound ? bound.port : options.port;
    const local = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(options.host);
    const url = `http://${local ? 'localhost' : options.host}:${actualPort}`;
    // Links in pages and mail follow the port when PUBLIC_URL was left to its default.
    if (!env.PUBLIC_URL && config.publicUrl === 'http://localhost:3000') config.publicUrl = url;

    if (options.worker) worker = startWorker({ store, config, clock });

    out(`Matinale is running at ${url} (${store.description}${config.smtpUrls.length ? '' : `, mail kept in ${config.dataDir}/outbox`})`);
    out(`  newsroom dashboard: ${url}/newsroom`);
    if (seed.seeded && seed.account) {
      out(`  demo newsroom created: ${seed.editions.map((e) => `${url}/${e.publication}/${e.date}`).join(' , ')}`);
      out(`  demo editor account: ${seed.account.email} / password ${seed.account.password} (also in ${demoAccountFile(config)})`);
    } else if (savedDemoAccount(config)) {
      out(`  demo editor account: see ${demoAccountFile(config)}`);
    }
    out(options.worker ? '  delivery worker and scheduler: running in this process' : '  delivery worker: off (--no-worker)');

    let closing: Promise<void> | undefined;
    return {
      url,
      close() {
        closing ??= (async () => {
          await app.close();
          await worker?.stop();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await worker?.stop().catch(() => {});
    await store.close().catch(() => {});
    throw err;
  }
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
    .action(async (opts: { port: string; host: string; worker: boolean }) => {
      const server = await serve({ port: port(opts.port), host: opts.host, worker: opts.worker, logger: true });
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
