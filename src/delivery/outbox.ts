// The embedded default when no relay is set (no SMTP_URL): every message is
// kept as an .eml file in DATA_DIR/outbox, exactly the bytes a relay would have
// received, with one JSON line per message in DATA_DIR/outbox/index.jsonl
// (appended whole, so that several processes can share the folder). It goes
// through the same pipe as SMTP: same ledger, same splice, same results.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { OutgoingMessage, SubmitResult, Transport } from './transport.ts';

/** One line of the outbox index. */
export interface OutboxEntry {
  file: string;
  messageId: string;
  from: string;
  to: string;
  at: number;
  bytes: number;
}

/** A transport that writes into `dir` (DATA_DIR/outbox). */
export function outboxTransport(dir: string, clock: Clock): Transport {
  let ready: Promise<unknown> | undefined;
  return {
    description: `outbox ${dir}`,
    concurrency: 8,
    async submit(message: OutgoingMessage): Promise<SubmitResult> {
      ready ??= mkdir(dir, { recursive: true });
      await ready;
      const file = `${message.messageId.replace(/[^A-Za-z0-9.@_-]/g, '_')}.eml`;
      try {
        await writeFile(join(dir, file), message.raw);
        const entry: OutboxEntry = { file, messageId: message.messageId, from: message.from, to: message.to, at: clock.now(), bytes: message.raw.length };
        await appendFile(join(dir, 'index.jsonl'), JSON.stringify(entry) + '\n');
      } catch (err) {
        return { ok: false, permanent: false, code: null, response: `outbox: ${(err as Error).message}` };
      }
      return { ok: true, code: 250, response: `250 kept in the outbox as ${file}` };
    },
    async close() {},
  };
}
