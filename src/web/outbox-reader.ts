// The local outbox (DATA_DIR/outbox) as the dashboard lists it: the messages
// delivery indexed in index.jsonl (sends and transactional mails alike), and
// .eml files without an index line (the audience's mails of older versions),
// newest first. A message of a send belongs to its publication: the one of the
// send its file (its Message-ID) names. Messages hold readers' addresses and
// working links, so a reader of the outbox sees only the publications it may read.
import { existsSync, openSync, readSync, closeSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readMessage, type ReadableMessage } from './outbox-message.ts';
import { sendOfMessageId } from '../delivery/recipient-values.ts';
import { publicationsOfSends } from '../store/sends.ts';
import type { Store } from '../store/db.ts';

export interface OutboxItem {
  file: string;
  /** The publication of the message's send; undefined for a message no send wrote. */
  publicationId: number | undefined;
  to: string;
  from: string;
  subject: string;
  at: number;
  bytes: number;
}

/** File names the outbox writes; anything else (a path, `..`) is refused. */
export const OUTBOX_FILE = /^[A-Za-z0-9][A-Za-z0-9.@_-]*\.eml$/;

/** The outbox folder of a data folder. */
export function outboxDir(dataDir: string): string {
  return join(dataDir, 'outbox');
}

function headOf(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(16 * 1024);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Which publications' messages a reader may see; `undefined` asks about messages of no known publication. */
export type OutboxReader = (publicationId: number | undefined) => boolean;

// The publication of each file, from the send its Message-ID names.
async function publicationsOfFiles(store: Store, files: readonly string[]): Promise<Map<string, number>> {
  const sendOf = new Map<string, number>();
  for (const file of files) {
    const send = sendOfMessageId(file.slice(0, -'.eml'.length));
    if (send !== undefined) sendOf.set(file, send);
  }
  const publications = await publicationsOfSends(store, [...sendOf.values()]);
  const found = new Map<string, number>();
  for (const [file, send] of sendOf) {
    const publication = publications.get(send);
    if (publication !== undefined) found.set(file, publication);
  }
  return found;
}

/** The newest `limit` messages of the outbox that `mayRead` lets through, and how many it lets through in all. */
export async function listOutbox(dataDir: string, store: Store, mayRead: OutboxReader, limit = 200): Promise<{ items: OutboxItem[]; total: number }> {
  const dir = outboxDir(dataDir);
  if (!existsSync(dir)) return { items: [], total: 0 };
  const indexed = new Map<string, { at: number; to: string; from: string; bytes: number }>();
  const index = join(dir, 'index.jsonl');
  if (existsSync(index)) {
    for (const line of readFileSync(index, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as { file?: unknown; at?: unknown; to?: unknown; from?: unknown; bytes?: unknown };
        if (typeof e.file === 'string') indexed.set(e.file, { at: Number(e.at) || 0, to: String(e.to ?? ''), from: String(e.from ?? ''), bytes: Number(e.bytes) || 0 });
      } catch {
        // A line cut short by a crash is skipped, not fatal.
      }
    }
  }
  const files = readdirSync(dir).filter((f) => OUTBOX_FILE.test(f));
  const publications = await publicationsOfFiles(store, files);
  const rows = files
    .map((file) => ({ file, publicationId: publications.get(file) }))
    .filter((row) => mayRead(row.publicationId))
    .map((row) => {
      const known = indexed.get(row.file);
      if (known) return { ...row, ...known };
      const stat = statSync(join(dir, row.file));
      return { ...row, at: stat.mtimeMs, to: '', from: '', bytes: stat.size };
    });
  rows.sort((a, b) => b.at - a.at || b.file.localeCompare(a.file));
  const items = rows.slice(0, limit).map((row) => {
    const headers = readMessage(headOf(join(dir, row.file))).headers;
    return { ...row, to: row.to || headers.get('to') || '', from: row.from || headers.get('from') || '', subject: headers.get('subject') ?? '' };
  });
  return { items, total: rows.length };
}

/** One message of the outbox, raw and readable, with its publication; undefined when there is no such file. */
export async function outboxMessage(
  dataDir: string,
  store: Store,
  file: string,
): Promise<{ raw: string; message: ReadableMessage; publicationId: number | undefined } | undefined> {
  if (!OUTBOX_FILE.test(file)) return undefined;
  const path = join(outboxDir(dataDir), file);
  if (!existsSync(path)) return undefined;
  const publicationId = (await publicationsOfFiles(store, [file])).get(file);
  const raw = readFileSync(path, 'utf8');
  return { raw, message: readMessage(raw), publicationId };
}
