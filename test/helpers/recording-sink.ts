// A lean SMTP sink for tests with many messages from several processes: it
// answers 250 to everything (PIPELINING), reads message bytes only to find
// their end, and counts, per recipient address, the messages it accepted. No
// parsing of the message: thousands of 70 KB editions cost the test little.
import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface RecordingSink {
  url: string;
  port: number;
  /** Messages accepted per RCPT TO address. */
  accepted: Map<string, number>;
  /** Connections opened so far. */
  connections(): number;
  close(): Promise<void>;
}

const END = Buffer.from('\r\n.\r\n', 'latin1');

export async function startRecordingSink(): Promise<RecordingSink> {
  const accepted = new Map<string, number>();
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);
    let inData = false;
    let pending: Buffer = Buffer.alloc(0);
    let rcpts: string[] = [];
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      let buffer: Buffer = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let out = '';
      for (;;) {
        if (inData) {
          const end = buffer.indexOf(END);
          if (end < 0) {
            // Keep the last bytes: the end may straddle two reads.
            buffer = Buffer.from(buffer.subarray(Math.max(0, buffer.length - 4)));
            break;
          }
          buffer = buffer.subarray(end + END.length);
          inData = false;
          for (const r of rcpts) accepted.set(r, (accepted.get(r) ?? 0) + 1);
          rcpts = [];
          out += '250 2.0.0 queued\r\n';
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) break;
        const line = buffer.subarray(0, eol).toString('latin1');
        buffer = buffer.subarray(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') out += '250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n';
        else if (verb === 'RCPT') {
          rcpts.push(/<([^>]*)>/.exec(line)?.[1] ?? line);
          out += '250 ok\r\n';
        } else if (verb === 'MAIL' || verb === 'RSET') {
          rcpts = [];
          out += '250 ok\r\n';
        } else if (verb === 'DATA') {
          out += '354 go ahead\r\n';
          inData = true;
          // The end is searched from the CRLF that closed the DATA line.
          buffer = Buffer.concat([Buffer.from('\r\n'), buffer]);
        } else if (verb === 'QUIT') {
          socket.end(out + '221 bye\r\n');
          return;
        } else out += '250 ok\r\n';
      }
      pending = buffer;
      if (out) socket.write(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    accepted,
    connections: () => connections,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
