// A real Postfix smtpd on a loopback port: the best stand-in here for the
// relays readers' mail goes through. Each instance is a private Postfix of its
// own (configuration, queue and data folders in a temporary directory, a
// master process listening on a free 127.0.0.1 port), so tests can run several
// at once beside each other and beside any system Postfix, whose port 25 and
// /etc/postfix they never touch.
//
// Accepted mail is discarded by default (Postfix's discard transport), or
// relayed to a host and port of the test's choice (a sink that records it).
// The instance's log lines come to the test (log(), submitted()), since what
// Postfix answered and why is what such tests assert.
//
// Postfix's master must start as root, as it does on a real server: CI runs as
// root and `.ci/run` installs the `postfix` package. Elsewhere the tests that
// need it are skipped, with the reason.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MASTER = '/usr/lib/postfix/sbin/master';

export interface PostfixOptions {
  /** Extra main.cf parameters, e.g. `{ smtpd_client_restrictions: 'reject', message_size_limit: '20000' }`. */
  settings?: Record<string, string>;
  /** Offer STARTTLS with a self-signed certificate made for this instance. */
  startTls?: boolean;
  /** Relay accepted mail to this loopback host and port instead of discarding it. */
  relayTo?: { host: string; port: number };
}

export interface Postfix {
  host: string;
  port: number;
  /** An SMTP_URL for it (add `?tls=insecure` to accept its self-signed certificate). */
  url: string;
  /** Every log line Postfix wrote so far. */
  log(): string;
  /** The recipients Postfix handed on (discarded or relayed) with status=sent, in log order. */
  submitted(): string[];
  stop(): Promise<void>;
}

/** Why Postfix tests cannot run here, or undefined when they can. In CI a missing Postfix is an error. */
export function postfixUnavailable(): string | undefined {
  let reason: string | undefined;
  if (!existsSync(MASTER)) reason = 'Postfix is not installed (Debian package postfix; .ci/run installs it)';
  else if (process.getuid?.() !== 0) reason = 'Postfix master must start as root';
  if (reason && process.env.CI) throw new Error(`${reason}, and CI needs it`);
  return reason;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once the port greets with 220, or rejects after `ms`. */
async function greeted(port: number, ms: number, exited: () => string | undefined): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(1000);
      socket.once('data', (chunk) => {
        socket.end('QUIT\r\n');
        resolve(chunk.toString().startsWith('220'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    const why = exited();
    if (why) throw new Error(why);
    if (Date.now() > until) throw new Error(`Postfix did not greet on 127.0.0.1:${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function postfixUid(): number {
  return Number(execFileSync('id', ['-u', 'postfix']).toString().trim());
}

// The services a relay that discards or forwards needs; chroot off (column 5)
// since the instance's folders are not laid out as a chroot jail.
function masterCf(port: number, startTls: boolean): string {
  const lines = [
    `127.0.0.1:${port} inet n - n - - smtpd`,
    'pickup unix n - n 60 1 pickup',
    'cleanup unix n - n - 0 cleanup',
    'qmgr unix n - n 300 1 qmgr',
    'rewrite unix - - n - - trivial-rewrite',
    'bounce unix - - n - 0 bounce',
    'defer unix - - n - 0 bounce',
    'trace unix - - n - 0 bounce',
    'verify unix - - n - 1 verify',
    'flush unix n - n 1000 0 flush',
    'proxymap unix - - n - - proxymap',
    'smtp unix - - n - - smtp',
    'relay unix - - n - - smtp',
    'error unix - - n - - error',
    'retry unix - - n - - error',
    'discard unix - - n - - discard',
    'anvil unix - - n - 1 anvil',
    'scache unix - - n - 1 scache',
    'postlog unix-dgram n - n - 1 postlogd',
  ];
  if (startTls) lines.push('tlsmgr unix - - n 1000 1 tlsmgr');
  return lines.join('\n') + '\n';
}

export async function startPostfix(options: PostfixOptions = {}): Promise<Postfix> {
  const unavailable = postfixUnavailable();
  if (unavailable) throw new Error(unavailable);
  const dir = mkdtempSync(join(tmpdir(), 'matinale-postfix-'));
  // Postfix's own processes run as the postfix user and must reach the folders.
  chmodSync(dir, 0o755);
  const conf = join(dir, 'conf');
  const data = join(dir, 'data');
  mkdirSync(conf);
  mkdirSync(join(dir, 'queue'));
  mkdirSync(data);
  chownSync(data, postfixUid(), -1);
  const port = await freePort();

  const settings: Record<string, string> = {
    compatibility_level: '3.6',
    queue_directory: join(dir, 'queue'),
    data_directory: data,
    command_directory: '/usr/sbin',
    daemon_directory: '/usr/lib/postfix/sbin',
    meta_directory: '/etc/postfix',
    shlib_directory: '/usr/lib/postfix',
    mail_owner: 'postfix',
    setgid_group: 'postdrop',
    inet_interfaces: '127.0.0.1',
    inet_protocols: 'ipv4',
    myhostname: 'relay.postfix.test',
    mydestination: '',
    alias_maps: '',
    alias_database: '',
    local_recipient_maps: '',
    mynetworks: '127.0.0.0/8',
    smtpd_relay_restrictions: 'permit_mynetworks, reject',
    // To the test, not to syslog (there is none here).
    maillog_file: '/dev/stdout',
    default_transport: 'discard',
  };
  if (options.relayTo) {
    settings.default_transport = 'smtp';
    settings.relayhost = `[${options.relayTo.host}]:${options.relayTo.port}`;
    settings.smtp_tls_security_level = 'none';
  }
  if (options.startTls) {
    const key = join(conf, 'key.pem');
    const cert = join(conf, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=relay.postfix.test', '-days', '2', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    settings.smtpd_tls_cert_file = cert;
    settings.smtpd_tls_key_file = key;
    settings.smtpd_tls_security_level = 'may';
  }
  Object.assign(settings, options.settings);
  writeFileSync(join(conf, 'main.cf'), Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  writeFileSync(join(conf, 'master.cf'), masterCf(port, options.startTls ?? false));

  // Postfix refuses to log to /dev/stdout when it is a pipe (the command
  // exits 1 without a word), so its standard output is a file the test reads.
  const logFile = join(dir, 'postfix.log');
  const logFd = openSync(logFile, 'w', 0o600);
  const log = () => readFileSync(logFile, 'utf8');
  let exitedWith: string | undefined;
  // `postfix start-fg` lays out the queue folders, then runs the master, which
  // detaches into a session of its own: stopping goes through `postfix abort`.
  const child: ChildProcess = spawn('postfix', ['-c', conf, 'start-fg'], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  child.once('exit', (code) => (exitedWith ??= `postfix exited (${code}): ${log()}`));

  let stopped = false;
  const abort = () => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync('postfix', ['-c', conf, 'abort'], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A test that crashes must not leave a master running on the machine.
  process.once('exit', abort);

  try {
    await greeted(port, 15_000, () => exitedWith);
  } catch (err) {
    abort();
    throw err;
  }

  return {
    host: '127.0.0.1',
    port,
    url: `smtp://127.0.0.1:${port}`,
    log,
    submitted: () => [...log().matchAll(/ to=<([^>]*)>,.* status=sent /g)].map((m) => m[1]!),
    async stop() {
      process.off('exit', abort);
      // `postfix abort` signals the master; the start-fg script around it ends with it.
      exitedWith = 'stopped';
      abort();
      child.kill('SIGTERM');
    },
  };
}
