// A PostgreSQL restart seen from the processes that deliver: `matinale
// worker` (idle, busy, holding the scheduler lock), `send --now --wait` and
// `serve`, each a child process. The shared server is never restarted (other
// tests use it): every session of the child is ended with
// pg_terminate_backend, which is what a restart does to it, found by the
// application_name the child is given (PGAPPNAME). A server that is down for
// a while is played by ending the child's sessions again and again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { systemClock } from '../../src/clock.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import type { Store } from '../../src/store/db.ts';
import { cliBackends, type CliDatabase } from '../helpers/cli-database.ts';
import { TEST_DATABASE_URL } from '../helpers/store.ts';
import { startWorkerProcess } from '../helpers/worker-process.ts';
import { PUBLIC, SECRET, seedNewsroom, startSmtpSink, type SmtpSink } from './newsroom-fixture.ts';

const postgres = (await cliBackends()).find((b) => b.name === 'postgres');
const LOST = /database connection lost \(.*\) on postgres .*; reconnecting with backoff/g;

/** An SMTP sink that takes a little while per message, so that a send lasts long enough to be interrupted. */
function slowSink(delayMs: number): Promise<SmtpSink> {
  const sink: Promise<SmtpSink> = startSmtpSink({
    server: {
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const messageId = /^Message-ID: <([^>]+)>/im.exec(raw.toString('utf8'))?.[1] ?? '';
          void sink.then((s) => s.received.push({ from: '', to: session.envelope.rcptTo.map((r) => r.address), raw, messageId }));
          setTimeout(() => cb(null, `Ok: queued as ${messageId}`), delayMs);
        });
      },
    },
  });
  return sink;
}

/** The test's own session, to end the child's sessions and look at them. */
class Sessions {
  private constructor(private readonly admin: pg.Client) {}

  static async open(): Promise<Sessions> {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL, application_name: 'matinale-test-admin' });
    await admin.connect();
    return new Sessions(admin);
  }

  /** Ends every session named `app`; returns how many. */
  async terminate(app: string): Promise<number> {
    const r = await this.admin.query<{ n: number }>(
      'select count(*) filter (where pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()',
      [app],
    );
    return r.rows[0]!.n;
  }

  /** The sessions named `app` now. */
  async pids(app: string): Promise<number[]> {
    return (await this.admin.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [app])).rows.map((r) => r.pid);
  }

  /** The session of `app` holding an advisory lock (the scheduler's), if any. */
  async lockHolder(app: string): Promise<number | undefined> {
    const r = await this.admin.query<{ pid: number }>(
      "select a.pid from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.granted and a.application_name = $1",
      [app],
    );
    return r.rows[0]?.pid;
  }

  /**
   * Ends the sessions of `app` every `everyMs` for `forMs`: a server that is
   * down for a while. Returns how many sessions the child opened meanwhile
   * (each one ended), a measure of how hard it tried.
   */
  async outage(app: string, forMs: number, everyMs = 50): Promise<number> {
    const seen = new Set<number>();
    const end = Date.now() + forMs;
    while (Date.now() < end) {
      for (const pid of await this.pids(app)) seen.add(pid);
      await this.terminate(app);
      await sleep(everyMs);
    }
    return seen.size;
  }

  close(): Promise<void> {
    return this.admin.end();
  }
}

/**
 * A loopback TCP proxy in front of PostgreSQL for one child process: the
 * server as that child sees it can go down (every connection cut, every new
 * one cut at once, as a server that is restarting) and come back, and the
 * proxy counts the child's tries meanwhile, which pg_stat_activity cannot.
 */
class DatabaseProxy {
  /** Connections the child tried to open while the server was down. */
  triesWhileDown = 0;
  private down = false;
  private readonly live = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: string): Promise<DatabaseProxy> {
    const { hostname, port } = new URL(target);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new DatabaseProxy(server, (server.address() as { port: number }).port);
    server.on('connection', (client) => proxy.accept(client, hostname, Number(port || 5432)));
    return proxy;
  }

  /** `url` (a DATABASE_URL) through the proxy. */
  through(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  private accept(client: Socket, host: string, port: number): void {
    if (this.down) {
      this.triesWhileDown++;
      client.destroy();
      return;
    }
    const upstream = connect(port, host);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.live.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.live.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  }

  goDown(): void {
    this.down = true;
    this.triesWhileDown = 0;
    for (const socket of this.live) socket.destroy();
  }

  comeBack(): void {
    this.down = false;
  }

  close(): Promise<void> {
    for (const socket of this.live) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Each Message-ID the sink received, with how many times. */
function receivedCounts(sink: SmtpSink): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of sink.received) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
  return counts;
}

/** Every row of the send sent, each received exactly once. */
async function assertSentOnce(store: Store, sendId: number, sink: SmtpSink, expected: number): Promise<void> {
  const rows = await sendRecipients(store, sendId);
  assert.equal(rows.length, expected);
  assert.deepEqual([...new Set(rows.map((r) => r.state))], ['sent'], 'every row ends sent');
  const counts = receivedCounts(sink);
  for (const r of rows) assert.equal(counts.get(r.message_id!), 1, `${r.email} received once`);
}

async function withNewsroom(body: (db: CliDatabase, store: Store, app: string, sessions: Sessions) => Promise<void>): Promise<void> {
  const db = await postgres!.create();
  const store = db.open();
  const sessions = await Sessions.open();
  try {
    await migrateToLatest(store);
    await body(db, store, `faults-${randomBytes(4).toString('hex')}`, sessions);
  } finally {
    await sessions.close();
    await store.close();
    await db.dispose();
  }
}

test('matinale worker rides out a database restart: idle, holding the scheduler lock, mid-send, and while the server stays down', { skip: !postgres, timeout: 300_000 }, async (t) => {
  await withNewsroom(async (db, store, app, sessions) => {
    const newsroom = await seedNewsroom(store, 300);
    const sink = await slowSink(20);
    const proxy = await DatabaseProxy.start(TEST_DATABASE_URL);
    const worker = await startWorkerProcess({
      ...db.env,
      DATABASE_URL: proxy.through(db.env.DATABASE_URL!),
      PGAPPNAME: app,
      SMTP_URL: `${sink.url}?pool=2`,
      PUBLIC_URL: PUBLIC,
      MATINALE_SECRET: SECRET,
      WORKER_BATCH: '20',
      WORKER_LEASE: '30s',
    });
    try {
      // Idle, with the scheduler lock held on a session of its own.
      await until(async () => (await sessions.lockHolder(app)) !== undefined, 'the scheduler lock');
      const holder = (await sessions.lockHolder(app))!;
      assert.ok((await sessions.terminate(app)) >= 1);
      await until(async () => ((await sessions.lockHolder(app)) ?? holder) !== holder, 'the scheduler lock taken again on a new session');
      assert.ok(worker.running(), 'the idle worker survived');

      // The scheduler still starts a send when its time comes, and the worker delivers it.
      const deps = { store, clock: systemClock, publicUrl: PUBLIC, mailDomain: 'techmatin.example.org' };
      const send = await requestSend(deps, { editionId: newsroom.editionId, at: Date.now() + 1000, createdBy: 'test' });
      assert.equal(send.status, 'scheduled');

      // Busy: its sessions end while it holds rows under lease and messages are in flight.
      const holding = async () => (await store.db.selectFrom('recipients').select('id').where('send_id', '=', send.id).where('state', '=', 'sending').execute()).length > 0;
      await until(async () => sink.received.length >= 40 && (await holding()), 'the worker to be mid-send');
      assert.ok((await sessions.terminate(app)) >= 1);
      const receivedAtKill = sink.received.length;
      await until(async () => (await getSend(store, send.id))!.status === 'done', 'the send to finish');
      assert.ok(receivedAtKill < newsroom.active.length, 'the sessions ended mid-send');
      await assertSentOnce(store, send.id, sink, newsroom.active.length);

      // Its sessions ended again and again for a few seconds: it stays up, and sleeps rather than spins.
      const cpuBefore = cpuSeconds(worker.pid);
      const opened = await sessions.outage(app, 2_000);
      const cpu = cpuSeconds(worker.pid) - cpuBefore;
      t.diagnostic(`sessions ended every 50 ms for 2 s: the worker opened ${opened} sessions and used ${cpu.toFixed(2)} s of CPU`);
      assert.ok(cpu < 1, `${cpu} CPU seconds in 2 s of outage: it should sleep`);
      assert.ok(worker.running(), 'the worker survived the outage');

      // The server down for 3 s, every connection refused: it backs off (a
      // retry loop without a pause tries thousands of times) and comes back.
      proxy.goDown();
      await sleep(3_000);
      const tries = proxy.triesWhileDown;
      proxy.comeBack();
      t.diagnostic(`server down for 3 s: the worker tried to connect ${tries} times`);
      assert.ok(tries <= 40, `${tries} connections tried in 3 s of outage: it should back off`);
      assert.ok(worker.running(), 'the worker survived the server being down');
      await until(async () => (await sessions.lockHolder(app)) !== undefined, 'the scheduler lock after the outage', 30_000);

      // Stopped while the server is down, with nothing in hand: it exits at once, not after the outage.
      proxy.goDown();
      await sleep(500);
      const stopAt = Date.now();
      const stopped = await worker.stop();
      proxy.comeBack();
      assert.deepEqual({ code: stopped.code, signal: stopped.signal }, { code: 0, signal: null }, stopped.stderr);
      assert.ok(Date.now() - stopAt < 15_000, `SIGTERM took ${Date.now() - stopAt} ms while the server was down`);
      assert.equal(stopped.stderr.match(LOST)?.length, 1, `one line about the lost database, not one per failed query:\n${stopped.stderr}`);
      assert.doesNotMatch(stopped.stderr, /Unhandled 'error' event|delivery loop error|scheduler error/);
    } finally {
      if (worker.running()) await worker.stop();
      await sink.close();
      await proxy.close();
    }
  });
});

test('send --now --wait rides out a database restart mid-send and reports the right result', { skip: !postgres, timeout: 300_000 }, async () => {
  await withNewsroom(async (db, store, app, sessions) => {
    const newsroom = await seedNewsroom(store, 200);
    const sink = await slowSink(20);
    try {
      const child = spawn(process.execPath, ['bin/matinale.js', 'send', String(newsroom.editionId), '--now', '--wait'], {
        env: { ...db.env, PGAPPNAME: app, SMTP_URL: `${sink.url}?pool=2`, PUBLIC_URL: PUBLIC, MATINALE_SECRET: SECRET, WORKER_BATCH: '20' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

      await until(() => sink.received.length >= 30 || child.exitCode !== null, 'the send to be under way');
      assert.ok((await sessions.terminate(app)) >= 1, 'the command had sessions to end');
      const status = await exited;
      assert.equal(status, 0, stdout + stderr);
      const sendId = Number(/send (\d+) started/.exec(stdout)?.[1]);
      assert.match(stdout, new RegExp(`send ${sendId} done: submitted ${newsroom.active.length}, bounced 0, failed 0, suppressed 0; every recipient reached the relay`));
      await assertSentOnce(store, sendId, sink, newsroom.active.length);
      assert.equal(stderr.match(LOST)?.length, 1, stderr);
    } finally {
      await sink.close();
    }
  });
});

test('serve rides out a database restart and a server down for a while: /healthz answers after', { skip: !postgres, timeout: 300_000 }, async (t) => {
  await withNewsroom(async (db, _store, app, sessions) => {
    const proxy = await DatabaseProxy.start(TEST_DATABASE_URL);
    const child = spawn(process.execPath, ['bin/matinale.js', 'serve', '--port', '0'], {
      env: { ...db.env, DATABASE_URL: proxy.through(db.env.DATABASE_URL!), PGAPPNAME: app, SMTP_URL: '', PUBLIC_URL: PUBLIC, MATINALE_SECRET: SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const running = () => child.exitCode === null && child.signalCode === null;
    try {
      await until(() => /Matinale is running at (\S+)/.test(stdout) || !running(), 'serve to listen', 120_000);
      const url = /Matinale is running at (\S+)/.exec(stdout)![1]!;
      const healthz = async () => (await fetch(`${url}/healthz`)).status;
      assert.equal(await healthz(), 200);

      assert.ok((await sessions.terminate(app)) >= 1);
      await sleep(300);
      assert.ok(running(), `serve survived the restart:\n${stderr}`);
      assert.equal(await healthz(), 200, 'and answers /healthz on a new connection');

      await sessions.outage(app, 2_000);
      assert.ok(running(), `serve survived its sessions ended again and again:\n${stderr}`);
      assert.equal(await healthz(), 200);

      proxy.goDown();
      await sleep(3_000);
      const tries = proxy.triesWhileDown;
      assert.equal(await healthz(), 503, 'while the server is down, /healthz says so');
      proxy.comeBack();
      t.diagnostic(`server down for 3 s: serve tried to connect ${tries} times`);
      assert.ok(tries <= 40, `${tries} connections tried in 3 s of outage: it should back off`);
      assert.ok(running(), `serve survived the server being down:\n${stderr}`);
      await until(async () => (await healthz()) === 200, '/healthz after the outage', 30_000);
      assert.doesNotMatch(stderr, /Unhandled 'error' event/);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (running()) child.kill('SIGTERM');
      await exited;
      await proxy.close();
    }
  });
});
