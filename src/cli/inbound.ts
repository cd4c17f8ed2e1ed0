// `matinale inbound [--listen HOST:PORT]`: the SMTP listener for mail that
// comes back (mailto unsubscribes, bounce reports, complaints) until SIGINT or
// SIGTERM; `matinale inbound --stdin --recipient ADDRESS`: one message from
// standard input, for an MTA's pipe transport. Exit statuses of --stdin follow
// sysexits, as MTAs read them: 0 handled or dropped, 75 (EX_TEMPFAIL) when it
// could not be handled now (store unreachable, configuration unreadable), so
// that the MTA keeps the message and tries again.
import type { Command } from 'commander';
import pino from 'pino';
import { loadConfig, type ListenAddress } from '../config.ts';
import { systemClock } from '../clock.ts';
import { INBOUND_SIZE_LIMIT, handleInbound, inboundDeps } from '../delivery/inbound-mail.ts';
import { inboundUrl, listenForInbound } from '../delivery/inbound-server.ts';
import { openStore } from '../store/db.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { withStore } from './context.ts';
import { UsageError } from './usage-error.ts';

export const EX_TEMPFAIL = 75;

/** Thrown when a piped message could not be handled now: the MTA retries it. */
class TemporaryFailure extends Error {
  readonly exitCode = EX_TEMPFAIL;
}

/** Logs on stderr, synchronously so that a line written just before exit is not lost. */
const stderrLogger = () => pino({ base: { pid: process.pid }, redact: ['token', 'secret', 'password'] }, pino.destination({ dest: 2, sync: true }));

/** `host:port`, `[::1]:2525`, or a bare port on the loopback (as INBOUND_SMTP reads). */
function listenAddress(value: string): ListenAddress {
  const m = /^(?:(\[[^\]]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen must be HOST:PORT, such as 127.0.0.1:2525 (got ${JSON.stringify(value)})`);
  return { host: m[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port };
}

/** Reads standard input whole; undefined past `limit` bytes (the rest is read and thrown away). */
async function readStdin(limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length <= limit) chunks.push(chunk);
  }
  return length > limit ? undefined : Buffer.concat(chunks);
}

async function fromStdin(recipients: string[]): Promise<void> {
  const logger = stderrLogger();
  let raw: Buffer | undefined;
  try {
    raw = await readStdin(INBOUND_SIZE_LIMIT);
  } catch (err) {
    throw new TemporaryFailure(`could not read the message: ${(err as Error).message}`);
  }
  if (!raw) {
    logger.info({ inbound: 'stdin', result: 'dropped', reason: 'message too big' }, 'inbound mail');
    return;
  }
  const message = raw;
  try {
    // Not migrated here: an MTA runs this once per message, often as another user; serve and worker migrate.
    await withStore((store, config) => handleInbound(inboundDeps(config, store, { logger }), message, recipients), { migrate: false });
  } catch (err) {
    throw new TemporaryFailure(`could not handle the message now, the MTA will retry: ${(err as Error).message}`);
  }
}

async function listening(flag: string | undefined): Promise<void> {
  const config = loadConfig(process.env);
  const listen = flag ? listenAddress(flag) : config.inboundSmtp;
  if (!listen) throw new UsageError('nowhere to listen: set INBOUND_SMTP (host:port, such as 127.0.0.1:2525) or pass --listen HOST:PORT');
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    await migrateToLatest(store);
    const server = await listenForInbound(config, store, { listen, logger: stderrLogger(), clock: systemClock });
    process.stdout.write(`matinale inbound listening on ${inboundUrl(server.address)} (${store.description})\n`);
    await stopped;
    await server.close();
  } finally {
    await store.close();
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}

/** Registers `matinale inbound`. */
export function register(program: Command): void {
  program
    .command('inbound')
    .description('receive mail that comes back: mailto unsubscribes, bounce reports, complaints (SMTP listener, or one message on stdin)')
    .option('--listen <host:port>', 'where the SMTP listener listens (default INBOUND_SMTP)')
    .option('--stdin', 'read one message from standard input (an MTA pipe transport) and exit: 0 handled or dropped, 75 try again later')
    .option('--recipient <address>', 'envelope recipient of the message read with --stdin (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
    .action(async (opts: { listen?: string; stdin?: boolean; recipient: string[] }) => {
      if (opts.stdin) {
        if (opts.listen) throw new UsageError('--stdin reads one message; --listen runs a listener: not both');
        if (opts.recipient.length === 0) throw new UsageError('--stdin needs the envelope recipient: --recipient ADDRESS');
        return fromStdin(opts.recipient);
      }
      if (opts.recipient.length) throw new UsageError('--recipient goes with --stdin');
      return listening(opts.listen);
    });
}
