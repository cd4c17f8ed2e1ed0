// A newsroom in a store for delivery tests: the sample publication, its
// approved edition, subscribers (some unsubscribed, one suppressed), and an
// SMTP server started in the test that records what it receives and answers
// byte for byte as told (4xx, 5xx, disconnects).
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { parsePublicationYaml } from '../../src/edition/publication-file.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { saveEdition } from '../../src/store/editions.ts';
import type { Store } from '../../src/store/db.ts';
import type { Config } from '../../src/config.ts';

export const SECRET = 'b'.repeat(64);
export const PUBLIC = 'https://techmatin.example.org';

/** A configuration for tests (no environment read). */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { dataDir: '/nonexistent', smtpUrls: [], publicUrl: PUBLIC, secret: SECRET, ...overrides };
}

export interface Newsroom {
  publicationId: number;
  editionId: number;
  /** Addresses that should get the edition, in subscriber order. */
  active: string[];
  unsubscribed: string[];
  suppressed: string[];
  subscriberIds: Map<string, number>;
}

/** Seeds the sample publication, an approved edition for 2026-03-02 and `n` subscribers. */
export async function seedNewsroom(store: Store, n: number, options: { date?: string; status?: 'approved' | 'draft'; now?: number } = {}): Promise<Newsroom> {
  const now = options.now ?? Date.parse('2026-03-01T12:00:00Z');
  const clock = { now: () => now };
  const parsed = parsePublicationYaml(readFileSync('examples/publications/tech-matin.yaml', 'utf8'), 'tech-matin.yaml');
  const { id: publicationId } = await upsertPublication(store, parsed.publication!, { actor: 'test', clock });
  const date = options.date ?? '2026-03-02';
  const source = readFileSync('examples/2026-03-02-tech-matin.md', 'utf8').replace('date: 2026-03-02', `date: ${date}`);
  const saved = await saveEdition(store, { publicationId, date, source, author: 'test' }, { clock });
  await store.db.updateTable('editions').set({ status: options.status ?? 'approved' }).where('id', '=', saved.editionId).execute();

  const keys = new AudienceKeys(SECRET);
  const newsroom: Newsroom = { publicationId, editionId: saved.editionId, active: [], unsubscribed: [], suppressed: [], subscriberIds: new Map() };
  const rows = Array.from({ length: n }, (_, i) => `reader${String(i + 1).padStart(5, '0')}@example.net`);
  const chunk = 500;
  for (let i = 0; i < rows.length; i += chunk) {
    const emails = rows.slice(i, i + chunk);
    const inserted = await store.db
      .insertInto('subscribers')
      .values(emails.map((email) => ({ email, email_hash: keys.addressHash(email), name: null, created_at: now, updated_at: now, erased_at: null })))
      .returning(['id', 'email'])
      .execute();
    await store.db
      .insertInto('subscriptions')
      .values(
        inserted.map((s, j) => ({
          subscriber_id: s.id,
          publication_id: publicationId,
          // every 10th has left; the rest are active
          status: (i + j + 1) % 10 === 0 ? ('unsubscribed' as const) : ('active' as const),
          source: 'import',
          created_at: now,
          confirmed_at: now,
          unsubscribed_at: null,
          updated_at: now,
        })),
      )
      .execute();
    for (const [j, s] of inserted.entries()) {
      newsroom.subscriberIds.set(s.email!, s.id);
      if ((i + j + 1) % 10 === 0) newsroom.unsubscribed.push(s.email!);
      else newsroom.active.push(s.email!);
    }
  }
  // The 7th subscriber bounced last week: suppressed, though still "active".
  const suppressed = newsroom.active.find((e) => e.startsWith('reader00007'));
  if (suppressed) {
    await store.db.insertInto('suppressions').values({ publication_id: publicationId, email_hash: keys.addressHash(suppressed), reason: 'hard-bounce', created_at: now }).execute();
    newsroom.active = newsroom.active.filter((e) => e !== suppressed);
    newsroom.suppressed.push(suppressed);
  }
  return newsroom;
}

export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: Buffer;
  messageId: string;
}

export interface SmtpSink {
  url: string;
  port: number;
  received: ReceivedMessage[];
  /** Connections opened so far (to check that they are reused). */
  connections: number;
  close(): Promise<void>;
}

/** What the sink answers to one RCPT TO: nothing (accept) or an SMTP error with its code. */
export type RcptRule = (address: string, attempt: number) => { code: number; message: string } | undefined;

/** An SMTP server on a random local port. */
export async function startSmtpSink(
  options: { rcpt?: RcptRule; auth?: { user: string; pass: string }; server?: Partial<SMTPServerOptions>; host?: string } = {},
): Promise<SmtpSink> {
  const host = options.host ?? '127.0.0.1';
  const received: ReceivedMessage[] = [];
  const attempts = new Map<string, number>();
  const sink = { connections: 0 } as SmtpSink;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    logger: false,
    size: 10 * 1024 * 1024,
    onConnect(_session, cb) {
      sink.connections++;
      cb();
    },
    onAuth(auth, _session, cb) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) return cb(null, { user: auth.username });
      cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      const n = (attempts.get(address.address) ?? 0) + 1;
      attempts.set(address.address, n);
      const refusal = options.rcpt?.(address.address, n);
      if (refusal) {
        const err = new Error(refusal.message) as Error & { responseCode: number };
        err.responseCode = refusal.code;
        return cb(err);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const messageId = /^Message-ID: <([^>]+)>/im.exec(raw.toString('utf8'))?.[1] ?? '';
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw, messageId });
        cb(null, `Ok: queued as ${messageId}`);
      });
    },
    ...options.server,
  });
  // A client killed mid-session resets its connection: that is the test, not a failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.server.address() as AddressInfo).port;
  const auth = options.auth ? `${options.auth.user}:${options.auth.pass}@` : '';
  return Object.assign(sink, {
    url: `smtp://${auth}${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** A logger that keeps what it is told, for tests to read. */
export function memoryLogger() {
  const lines: Array<{ level: string; msg: string; obj: object }> = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, msg, obj });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
