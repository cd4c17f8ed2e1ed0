// What building a recipient's message costs, its RSA signature computed on
// libuv's thread pool or on the signing threads (src/delivery/
// signing-threads.ts): the sample edition's message built for N recipients
// by 32 lanes at once (as the worker's lanes ask), signed (DKIM rsa-2048) or
// not. Per message: the event loop's busy time
// (performance.eventLoopUtilization), the whole process's CPU (every thread,
// libuv's pool too), and the wall time. The threads pay where the hand-over
// costs less than libuv's pool, which runs four signatures at once on the
// cores the event loop needs; the wall time says little on a shared machine,
// the CPU does.
//
//   node bin/run-ts.js bench/message-build.ts [--messages 4000] [--threads 1,2] [--lanes 32]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { audienceLinks } from '../src/delivery/audience-links.ts';
import { DkimSigner } from '../src/delivery/dkim.ts';
import { messageBuilder, type MessageBuilder } from '../src/delivery/message-builder.ts';
import { buildMessageTemplate } from '../src/delivery/message-template.ts';
import { SigningThreads } from '../src/delivery/signing-threads.ts';
import { compileMessage, type CompiledMessage } from '../src/delivery/splice.ts';
import { dkimKey, PUBLIC_URL, sampleContent, sampleSettings } from '../test/delivery/message-fixture.ts';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '4000' }, threads: { type: 'string', default: '1,2' }, lanes: { type: 'string', default: '32' } } });
const N = Number(values.messages);
const LANES = Number(values.lanes);
const SECRET = 'b'.repeat(64);
const clock = { now: () => Date.now() };
const links = audienceLinks({ secret: SECRET, publicUrl: PUBLIC_URL, mailDomain: 'example.org', clock });
const onLibuv = messageBuilder(links, 'example.org');
const { content, publication } = await sampleContent();
const template = buildMessageTemplate(content, sampleSettings(publication));
const signed = compileMessage(template, new DkimSigner(dkimKey().dkim));
const unsigned = compileMessage(template);
const logger = { warn: console.error, error: console.error };

/** The main thread's CPU time in µs (Linux schedstat: nanoseconds on a CPU), where the event loop runs. */
function mainThreadCpuUs(): number {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
}

async function run(builder: MessageBuilder, message: CompiledMessage, n: number): Promise<{ loopUs: number; mainUs: number; cpuUs: number; wallUs: number; bytes: number }> {
  let next = 0;
  let bytes = 0;
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const main = mainThreadCpuUs();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (next < n) {
        const i = next++;
        const raw = await builder.build(message, { sendId: 1, recipientId: i, publicationId: 1, subscriberId: i, email: `reader${i}@example.net` }, clock.now());
        bytes += raw.length;
      }
    }),
  );
  const wall = performance.now() - t0;
  const busy = performance.eventLoopUtilization(elu);
  const used = process.cpuUsage(cpu);
  return { loopUs: (busy.active * 1000) / n, mainUs: (mainThreadCpuUs() - main) / n, cpuUs: (used.user + used.system) / n, wallUs: (wall * 1000) / n, bytes: bytes / n };
}

const rows: string[] = [];
let messageBytes = 0;
for (const [label, message] of [
  ['signed', signed],
  ['unsigned', unsigned],
] as const) {
  const builders: Array<[string, MessageBuilder, SigningThreads?]> = [["libuv's pool", onLibuv]];
  // Unsigned messages never reach a signing thread: one row for them.
  for (const size of label === 'signed' ? values.threads!.split(',').map(Number) : []) {
    const threads = new SigningThreads({ size, logger });
    builders.push([`${size} signing thread${size > 1 ? 's' : ''}`, messageBuilder(links, 'example.org', threads), threads]);
  }
  for (const [name, builder, threads] of builders) {
    await run(builder, message, Math.min(N, 500)); // warm: threads started, keys sent, JIT
    const r = await run(builder, message, N);
    messageBytes ||= r.bytes;
    const perRequest = threads ? (threads.stats.signatures / threads.stats.requests).toFixed(1) : '–';
    rows.push(`| ${label} | ${name} | ${r.mainUs.toFixed(0)} | ${r.loopUs.toFixed(0)} | ${r.cpuUs.toFixed(0)} | ${r.wallUs.toFixed(0)} | ${Math.round(1e6 / r.wallUs)} | ${perRequest} |`);
    await builder.close();
  }
}
process.stdout.write(
  [
    `${N} messages of ${Math.round(messageBytes / 1024)} KB, ${LANES} lanes; load average ${loadavg().map((x) => x.toFixed(2)).join(', ')}`,
    '',
    '| message | signed on | main thread CPU µs/message | event loop busy µs/message | process CPU µs/message | wall µs/message | messages/s | signatures per request |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n'),
);
