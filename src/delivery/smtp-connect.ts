// Reaching a relay: the TCP (or TLS from the first byte) connection with its
// timeout, the STARTTLS handshake, whether an address stays on this host, and
// the name we give in EHLO.
import { BlockList, connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { hostname } from 'node:os';
import { SmtpError } from './smtp-reply.ts';

/** Connects (TLS from the first byte when `secure`), within `timeoutMs`; errors are SmtpErrors answering CONN. */
export function connectSocket(options: { host: string; port: number; secure: boolean; rejectUnauthorized: boolean }, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const target = `${options.host}:${options.port}`;
    const socket: Socket = options.secure
      ? tlsConnect({
          host: options.host,
          port: options.port,
          ...(isIP(options.host) ? {} : { servername: options.host }),
          rejectUnauthorized: options.rejectUnauthorized,
        })
      : netConnect({ host: options.host, port: options.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SmtpError(`connecting to the relay ${target} timed out after ${timeoutMs} ms`, 'ETIMEDOUT', { command: 'CONN' }));
    }, timeoutMs);
    const onError = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // An error without a system call on smtps:// is the TLS handshake's (a certificate refused).
      const code = options.secure && !err.syscall ? 'ETLS' : 'ECONNECTION';
      reject(new SmtpError(`could not connect to the relay ${target} (${err.code ?? err.message})`, code, { command: 'CONN' }));
    };
    socket.once('error', onError);
    socket.once(options.secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/** The TLS handshake over a connected socket after the relay's 220 to STARTTLS, within `limitMs`. */
export function startTls(plain: Socket, options: { host: string; rejectUnauthorized: boolean }, limitMs: number): Promise<TLSSocket> {
  return new Promise<TLSSocket>((resolve, reject) => {
    const s = tlsConnect({
      socket: plain,
      host: options.host,
      ...(isIP(options.host) ? {} : { servername: options.host }),
      rejectUnauthorized: options.rejectUnauthorized,
    });
    // No reply is awaited during the handshake, so no reply timer runs: a
    // relay that said 220 and then stays silent would hold open() (and the
    // worker's shutdown) forever. The handshake gets the connection's time,
    // as it does for smtps://, and the sockets are destroyed when it runs out.
    const timer = setTimeout(() => {
      s.destroy();
      plain.destroy();
      reject(new SmtpError(`the TLS handshake with the relay did not finish within ${limitMs} ms`, 'ETIMEDOUT', { command: 'STARTTLS' }));
    }, limitMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      s.destroy();
      reject(new SmtpError(`TLS negotiation with the relay failed: ${err.message}`, 'ETLS', { command: 'STARTTLS' }));
    };
    s.once('error', fail);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      s.off('error', fail);
      resolve(s);
    });
  });
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether an address is a loopback one (127.0.0.0/8, ::1, and 127.x mapped into IPv6): traffic to it stays on this host. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  return LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** This host's name when it is a qualified one, else the address literal of our end of the connection. */
export function defaultName(socket: Socket): string {
  const name = hostname();
  if (name.includes('.')) return name;
  const address = socket.localAddress ?? '127.0.0.1';
  return isIP(address) === 6 ? `[IPv6:${address}]` : `[${address}]`;
}
