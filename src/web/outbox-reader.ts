// The local outbox (DATA_DIR/outbox) as the dashboard lists it: the messages
// delivery indexed in index.jsonl (sends and transactional mails alike), and
// .eml files without an index line (the audience's mails of older versions), newest first.
import { existsSync, openSync, readSync, closeSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readMessage, type ReadableMessage } from './outbox-message.ts';

export interface OutboxItem {
  file: string;
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

/** The newest `limit` messages of the outbox. */
export function listOutbox(dataDir: string, limit = 200): { items: OutboxItem[]; total: number } {
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
  const rows = files.map((file) => {
    const known = indexed.get(file);
    if (known) return { file, ...known };
    const stat = statSync(join(dir, file));
    return { file, at: stat.mtimeMs, to: '', from: '', bytes: stat.size };
  });
  rows.sort((a, b) => b.at - a.at || b.file.localeCompare(a.file));
  const items = rows.slice(0, limit).map((row) => {
    const headers = readMessage(headOf(join(dir, row.file))).headers;
    return { ...row, to: row.to || headers.get('to') || '', from: row.from || headers.get('from') || '', subject: headers.get('subject') ?? '' };
  });
  return { items, total: rows.length };
}

/** One message of the outbox, raw and readable; undefined when there is no such file. */
export function outboxMessage(dataDir: string, file: string): { raw: string; message: ReadableMessage } | undefined {
  if (!OUTBOX_FILE.test(file)) return undefined;
  const path = join(outboxDir(dataDir), file);
  if (!existsSync(path)) return undefined;
  const raw = readFileSync(path, 'utf8');
  return { raw, message: readMessage(raw) };
}
