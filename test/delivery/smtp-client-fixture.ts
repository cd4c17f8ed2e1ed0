// What the SmtpSession tests share: the client's options for a relay on
// loopback, an envelope, the error a promise rejected with, and a raw relay
// over `net` for exact control of what the client sees.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { SmtpClientOptions, SmtpError } from '../../src/delivery/smtp-client.ts';

export const envelope = { from: 'bounces+1-1@example.org', to: 'reader@example.net' };

export function client(port: number, extra: Partial<SmtpClientOptions> = {}): SmtpClientOptions {
  return { host: '127.0.0.1', port, secure: false, rejectUnauthorized: false, ...extra };
}

/** What a rejected promise rejected with. */
export async function rejection(p: Promise<unknown>): Promise<SmtpError> {
  try {
    await p;
  } catch (err) {
    return err as SmtpError;
  }
  assert.fail('expected a rejection');
}

// ---------------------------------------------------------------------------
// A raw relay over `net`, for exact control of what the client sees: how the
// replies are cut into writes, what each command is answered, when to hang up.

export interface RawRelayOptions {
  greeting?: string;
  ehlo?: string;
  /** Each reply written one byte at a time, each byte its own write. */
  byteByByte?: boolean;
  /** Answer to one command line, or undefined for the default. */
  answer?: (command: string) => string | undefined;
  /** Answer to the end of DATA; undefined for 250. */
  answerData?: (body: Buffer) => string | undefined;
  /** Called with the DATA bytes as they arrive, to misbehave mid-DATA. */
  onDataChunk?: (socket: Socket) => void;
  /** The address to listen on; 127.0.0.1 by default. */
  host?: string;
  /** After answering this command, read nothing more and say nothing more (the connection stays open). */
  muteAfter?: string;
}

export interface RawRelay {
  port: number;
  /** Every command line, in order. */
  commands: string[];
  /** The command lines of each TCP chunk received in command mode. */
  batches: string[][];
  /** The DATA bytes of each message as sent (still dot-stuffed), without the terminator's final ".\r\n". */
  bodies: Buffer[];
  /** Client connections not yet closed. */
  openSockets(): number;
  close(): Promise<void>;
}

const PIPELINING_EHLO = '250-raw.example.net\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n';

export async function rawRelay(options: RawRelayOptions = {}): Promise<RawRelay> {
  const relay = { commands: [] as string[], batches: [] as string[][], bodies: [] as Buffer[] };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);
    let data: Buffer | null = null;
    let pending = '';
    let queue = Promise.resolve();
    let mute = false;
    const send = (text: string) => {
      if (!options.byteByByte) return void socket.write(text);
      // Separate writes a millisecond apart: separate TCP segments, so the client reads partial lines.
      queue = queue.then(async () => {
        for (const byte of Buffer.from(text)) {
          if (socket.destroyed) return;
          socket.write(Buffer.from([byte]));
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      });
    };
    if (options.greeting !== '') send(options.greeting ?? '220 raw.example.net ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      if (mute) return;
      if (data) {
        data = Buffer.concat([data, chunk]);
        options.onDataChunk?.(socket);
        const end = data.indexOf('\r\n.\r\n');
        if (end < 0) return;
        const body = data.subarray(2, end + 2);
        relay.bodies.push(body);
        const rest = data.subarray(end + 5).toString('latin1');
        data = null;
        send(options.answerData?.(body) ?? '250 2.0.0 queued\r\n');
        if (!rest) return;
        chunk = Buffer.from(rest, 'latin1');
      }
      pending += chunk.toString('latin1');
      const lines = pending.split('\r\n');
      pending = lines.pop()!;
      relay.batches.push(lines);
      let out = '';
      for (const line of lines) {
        relay.commands.push(line);
        const given = options.answer?.(line);
        const verb = line.split(/[ :]/)[0]!.toUpperCase();
        const reply = given ?? (verb === 'EHLO' ? (options.ehlo ?? PIPELINING_EHLO) : verb === 'DATA' ? '354 go ahead\r\n' : verb === 'QUIT' ? '221 bye\r\n' : '250 ok\r\n');
        out += reply;
        // DATA's bytes start after the 354, with the CRLF that ended the DATA line, so a first line "." is seen as one.
        if (verb === 'DATA' && reply.startsWith('354')) data = Buffer.from('\r\n');
        if (line === options.muteAfter) {
          mute = true;
          break;
        }
      }
      if (out) send(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  return Object.assign(relay, {
    port: (server.address() as AddressInfo).port,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}
