// The inbound listener's limits over real SMTP sockets: what one client may
// hold (connections, idle time, recipients) and the memory a flood of large
// messages may take. Clients are raw sockets and nodemailer, on loopback
// addresses of their own (127.0.0.1 and 127.0.0.2 are two clients).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startInboundServer, type InboundLimits } from '../../src/delivery/inbound-server.ts';
import { memoryLogger } from './newsroom-fixture.ts';

const DOMAIN = 'news.test';
const MiB = 1024 * 1024;

/** An SMTP client on a raw socket: every reply line it got, and a way to wait for one. */
class RawClient {
  readonly lines: string[] = [];
  closed = false;
  private buffer = '';
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffer += text;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, nl).replace(/\r$/, ''));
        this.buffer = this.buffer.slice(nl + 1);
      }
      this.wake();
    });
    socket.on('close', () => ((this.closed = true), this.wake()));
    socket.on('error', () => {});
  }

  static open(port: number, localAddress = '127.0.0.1'): RawClient {
    return new RawClient(connect({ host: '127.0.0.1', port, localAddress }));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The next reply line after the `seen` first ones (rejects on close or after `ms`). */
  async reply(seen: number, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    while (this.lines.length <= seen) {
      if (this.closed) throw new Error(`closed without a reply; lines: ${this.lines.join(' | ')}`);
      if (Date.now() > deadline) throw new Error(`no reply within ${ms} ms; lines: ${this.lines.join(' | ')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.lines[seen]!;
  }

  /** Sends one command and waits for its reply. */
  async command(line: string): Promise<string> {
    const seen = this.lines.length;
    this.socket.write(`${line}\r\n`);
    return this.reply(seen);
  }

  /** Resolves once the server closed the connection (rejects after `ms`). */
  async closedWithin(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error(`still open after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  end(): void {
    this.socket.destroy();
  }
}

async function listener(limits: Partial<InboundLimits>, handle: (raw: Buffer, recipients: string[]) => Promise<unknown> = async () => {}) {
  const logger = memoryLogger();
  const server = await startInboundServer({ listen: { host: '127.0.0.1', port: 0 }, mailDomain: DOMAIN, logger, handle, limits });
  return { server, logger };
}

test('a client past its connection limit is refused with 421 while another client still gets in', async () => {
  const { server } = await listener({ maxClientsPerAddress: 3, maxClients: 20 });
  const clients: RawClient[] = [];
  try {
    for (let i = 0; i < 3; i++) clients.push(RawClient.open(server.address.port));
    for (const c of clients) assert.match(await c.reply(0), /^220 /);
    const fourth = RawClient.open(server.address.port);
    clients.push(fourth);
    assert.match(await fourth.reply(0), /^421 4\.7\.0 too many connections from your address/);
    await fourth.closedWithin(2000);
    // Another address is not held back by the first one's sockets.
    const other = RawClient.open(server.address.port, '127.0.0.2');
    clients.push(other);
    assert.match(await other.reply(0), /^220 /);
    assert.match(await other.command('EHLO other.example'), /^250/);
    // A slot given back is a slot the first client may take again.
    clients[0]!.end();
    await new Promise((r) => setTimeout(r, 100));
    const again = RawClient.open(server.address.port);
    clients.push(again);
    assert.match(await again.reply(0), /^220 /);
  } finally {
    for (const c of clients) c.end();
    await server.close();
  }
});

test('an idle client is let go after the idle timeout, and its slot with it', async () => {
  const { server } = await listener({ idleTimeoutMs: 300, maxClientsPerAddress: 1 });
  const clients: RawClient[] = [];
  try {
    const idle = RawClient.open(server.address.port);
    clients.push(idle);
    assert.match(await idle.reply(0), /^220 /);
    await idle.closedWithin(3000);
    assert.match(idle.lines.at(-1) ?? '', /^421 /, 'told why before being closed');
    const next = RawClient.open(server.address.port);
    clients.push(next);
    assert.match(await next.reply(0), /^220 /);
  } finally {
    for (const c of clients) c.end();
    await server.close();
  }
});

test('recipients past the cap of a message are answered 452; the message goes to the ones taken; the next message counts again', async () => {
  const received: string[][] = [];
  const { server } = await listener({ maxRecipients: 3 }, async (_raw, recipients) => received.push(recipients));
  const c = RawClient.open(server.address.port);
  try {
    assert.match(await c.reply(0), /^220 /);
    assert.match(await c.command('EHLO client.example'), /^250/);
    while (!c.lines.at(-1)!.startsWith('250 ')) await c.reply(c.lines.length);
    for (let round = 0; round < 2; round++) {
      assert.match(await c.command('MAIL FROM:<someone@example.net>'), /^250/);
      assert.match(await c.command(`RCPT TO:<victim@example.com>`), /^550 /, 'a refused recipient counts too');
      for (const n of [1, 2]) assert.match(await c.command(`RCPT TO:<bounces+${n}-${n}-0000000000000000@${DOMAIN}>`), /^250/);
      for (const n of [3, 4, 5]) assert.match(await c.command(`RCPT TO:<bounces+${n}-${n}-0000000000000000@${DOMAIN}>`), /^452 4\.5\.3 /);
      assert.match(await c.command('DATA'), /^354/);
      assert.match(await c.command('Subject: x\r\n\r\ny\r\n.'), /^250/);
    }
    assert.deepEqual(received.map((r) => r.length), [2, 2]);
  } finally {
    c.end();
    await server.close();
  }
});

/**
 * Collects this process's garbage (gc exposed at run time) a few times over,
 * letting the freeing of buffers' memory, which happens after a collection,
 * finish in between; then measures.
 */
function collector(): () => Promise<NodeJS.MemoryUsage> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return async () => {
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 30));
    }
    return process.memoryUsage();
  };
}

/** 64 KiB of a message body: lines of text, none starting with a dot. */
const BODY_CHUNK = Buffer.from('abcdefghij0123456789abcdefghij0123456789abcdefghij0123456789abcdefghij01\r\n'.repeat(1024 * 64 / 74 + 1).slice(0, 64 * 1024 - 2) + '\r\n');

/**
 * Sends one message of about `size` bytes on a raw socket, its body written
 * as the same 64 KiB buffer again and again (nothing copied on the client's
 * side, so the process's memory is the listener's); resolves to the reply code.
 */
async function sendLarge(port: number, size: number): Promise<number> {
  const c = RawClient.open(port);
  try {
    await c.reply(0);
    await c.command('HELO client.example');
    await c.command('MAIL FROM:<fbl@example.net>');
    await c.command(`RCPT TO:<complaints@${DOMAIN}>`);
    assert.match(await c.command('DATA'), /^354/);
    c.socket.write('Subject: large\r\n\r\n');
    for (let sent = 0; sent < size; sent += BODY_CHUNK.length) {
      if (!c.socket.write(BODY_CHUNK)) await new Promise((r) => c.socket.once('drain', r));
    }
    return Number((await c.command('.')).slice(0, 3));
  } catch {
    return 0;
  } finally {
    c.end();
  }
}

/** `count` messages of `size` bytes at once, each on its own connection. */
const flood = (port: number, count: number, size: number) => Promise.all(Array.from({ length: count }, () => sendLarge(port, size)));

/**
 * Holds every message the handler gets, as parsing it would, until `open()`:
 * all of them are then in flight at once, which is when memory peaks.
 */
function gatedHandler() {
  let held: Buffer[] = [];
  const heads: number[] = [];
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return {
    heads,
    open: () => ((held = []), open()),
    handle: async (raw: Buffer) => (held.push(raw), heads.push(raw.length), gate),
  };
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('parallel large messages hold a bounded amount of memory: only each head, under the budget', { timeout: 60_000 }, async () => {
  const measure = collector();
  const count = 10;
  const size = 4 * MiB;
  const gated = gatedHandler();
  const { server } = await listener({ maxClientsPerAddress: count, maxClients: count * 2 }, gated.handle);
  let codes: Promise<number[]> | undefined;
  try {
    const before = await measure();
    codes = flood(server.address.port, count, size);
    await until(() => gated.heads.length === count, 45_000);
    const during = await measure();
    const growth = during.heapUsed + during.external - (before.heapUsed + before.external);
    // The listener before held every message whole, and its chunks: 80 MiB here (10 MiB now).
    assert.ok(growth < 20 * MiB, `memory grew by ${(growth / MiB).toFixed(1)} MiB with ${count} messages of ${size / MiB} MiB in flight`);
    assert.ok(gated.heads.every((n) => n === MiB), `each handler got the message's first MiB: ${gated.heads.join(', ')}`);
  } finally {
    gated.open();
    assert.deepEqual(await codes, Array(count).fill(250));
    await server.close();
  }
});

test('past the budget of bytes in flight a message is answered 451 (the sender retries); once handled, the budget is given back', { timeout: 30_000 }, async () => {
  const gated = gatedHandler();
  const { server, logger } = await listener({ keepBytes: MiB, bytesInFlight: 2.5 * MiB, maxClientsPerAddress: 10 }, gated.handle);
  try {
    const answered: number[] = [];
    const codes = Promise.all(Array.from({ length: 4 }, () => sendLarge(server.address.port, 1.5 * MiB).then((code) => (answered.push(code), code))));
    // Two heads held by the handler (2 MiB of 2.5), two messages answered while they are.
    await until(() => gated.heads.length === 2 && answered.length === 2, 20_000);
    assert.deepEqual(answered, [451, 451]);
    gated.open();
    assert.deepEqual((await codes).sort(), [250, 250, 451, 451]);
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /too many bytes in flight/.test(l.msg)));
    assert.deepEqual(await flood(server.address.port, 2, 1.5 * MiB), [250, 250]);
  } finally {
    gated.open();
    await server.close();
  }
});
