// The embedded default when no relay is set (no SMTP_URL): every message is
// kept as an .eml file in DATA_DIR/outbox, exactly the bytes a relay would have
// received, with one JSON line per message in DATA_DIR/outbox/index.jsonl
// (appended whole, so that several processes can share the folder). It goes
// through the same pipe as SMTP: same ledger, same splice, same results.
// Messages and index hold readers' addresses and personal links: readable by
// the account running Matinale only, whatever its umask.
import { appendFile, chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import { wholeMessage } from './message-bytes.ts';
import type { OutgoingMessage, SubmitResult, Transport } from './transport.ts';

/** One line of the outbox index. */
export interface OutboxEntry {
  file: string;
  messageId: string;
  from: string;
  to: string;
  at: number;
  bytes: number;
  /** Set for a transactional mail (confirmation, welcome); absent for a send's messages. */
  transactional?: true;
}

const OWNER_ONLY_FILE = 0o600;
const OWNER_ONLY_DIR = 0o700;

/** The folder created owner-only, and an index an older version left open tightened. */
async function prepare(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  await chmod(join(dir, 'index.jsonl'), OWNER_ONLY_FILE).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/** A transport that writes into `dir` (DATA_DIR/outbox). */
export function outboxTransport(dir: string, clock: Clock): Transport {
  let ready: Promise<unknown> | undefined;
  return {
    description: `outbox ${dir}`,
    concurrency: 8,
    async submit(message: OutgoingMessage): Promise<SubmitResult> {
      ready ??= prepare(dir);
      await ready;
      const file = `${message.messageId.replace(/[^A-Za-z0-9.@_-]/g, '_')}.eml`;
      try {
        // mode applies when the file is created; the umask can only take bits away from 0600.
        await writeFile(join(dir, file), wholeMessage(message.raw), { mode: OWNER_ONLY_FILE });
        const entry: OutboxEntry = {
          file,
          messageId: message.messageId,
          from: message.from,
          to: message.to,
          at: clock.now(),
          bytes: message.raw.length,
          ...(message.transactional ? { transactional: true as const } : {}),
        };
        await appendFile(join(dir, 'index.jsonl'), JSON.stringify(entry) + '\n', { mode: OWNER_ONLY_FILE });
      } catch (err) {
        return { ok: false, code: null, response: `outbox: ${(err as Error).message}` };
      }
      return { ok: true, code: 250, response: `250 kept in the outbox as ${file}` };
    },
    async close() {},
  };
}
