// Erasure in the local outbox (DATA_DIR/outbox): the copies of the messages
// kept for a person, and their lines of index.jsonl, hold their address, their
// name and working personal links. When the person is erased, the messages
// addressed to them are deleted and their index lines dropped; the rest of the
// outbox stays as it was.
import { existsSync } from 'node:fs';
import { readFile, readdir, rename, stat, unlink, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeptCopies } from '../audience/data-rights.ts';

const INDEX = 'index.jsonl';
const EML = /\.eml$/;

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The To address of a message file, read from its head (files of older versions have no index line). */
async function recipientOf(path: string): Promise<string | undefined> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(16 * 1024);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
    // A folded header continues on lines that start with white space.
    const to = /^to:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)/im.exec(head)?.[1];
    if (!to) return undefined;
    const unfolded = to.replace(/\r?\n[ \t]+/g, ' ');
    return /<([^>]+)>/.exec(unfolded)?.[1] ?? unfolded.trim();
  } finally {
    await file.close();
  }
}

/**
 * Rewrites the index without the person's lines. The index is appended to by
 * every process that writes to the outbox, without a lock: the rewrite goes
 * to a temporary file renamed over the index only if the index did not grow
 * meanwhile (else it starts again), so that no other message's line is lost.
 */
async function dropIndexLines(dir: string, address: string): Promise<{ files: Set<string>; indexed: Set<string> }> {
  const path = join(dir, INDEX);
  const files = new Set<string>();
  const indexed = new Set<string>();
  if (!existsSync(path)) return { files, indexed };
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = await stat(path);
    const text = await readFile(path, 'utf8');
    const kept: string[] = [];
    let dropped = 0;
    files.clear();
    indexed.clear();
    for (const line of text.split('\n')) {
      if (!line) continue;
      let to: unknown;
      let file: unknown;
      try {
        ({ to, file } = JSON.parse(line) as { to?: unknown; file?: unknown });
      } catch {
        kept.push(line);
        continue;
      }
      if (typeof file === 'string') indexed.add(file);
      if (typeof to === 'string' && same(to, address)) {
        dropped++;
        if (typeof file === 'string') files.add(file);
      } else kept.push(line);
    }
    if (dropped === 0) return { files, indexed };
    const temporary = join(dir, `.${INDEX}.${process.pid}.erasing`);
    await writeFile(temporary, kept.length ? kept.join('\n') + '\n' : '', { mode: 0o600 });
    const now = await stat(path);
    if (now.size !== before.size || now.mtimeMs !== before.mtimeMs) {
      await unlink(temporary);
      continue;
    }
    await rename(temporary, path);
    return { files, indexed };
  }
  throw new Error('outbox index kept changing: the erasure could not rewrite it; run it again when no send writes to the outbox');
}

/** Deletes the outbox's messages to `address` and their index lines; the number of messages deleted. */
export async function forgetInOutbox(dir: string, address: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  const { files, indexed } = await dropIndexLines(dir, address);
  const all = (await readdir(dir)).filter((f) => EML.test(f));
  let deleted = 0;
  for (const file of all) {
    const path = join(dir, file);
    // Files the index lists are judged by their line; the others (older versions wrote none) by their To header.
    const theirs = files.has(file) || (!indexed.has(file) && same((await recipientOf(path).catch(() => undefined)) ?? '', address));
    if (!theirs) continue;
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    deleted++;
  }
  return deleted;
}

/** The outbox of a data folder as kept copies the audience's erasure clears. */
export function outboxCopies(dataDir: string): KeptCopies {
  const dir = join(dataDir, 'outbox');
  return { forget: (address) => forgetInOutbox(dir, address) };
}
