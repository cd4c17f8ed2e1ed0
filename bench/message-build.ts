// What building a recipient's message costs the event loop, on the loop or
// on the message threads (src/delivery/message-threads.ts): the sample
// edition's message built for N recipients by 32 lanes at once (as the
// worker's lanes ask), signed (DKIM rsa-2048) or not. Per message: the event
// loop's busy time (performance.eventLoopUtilization), the whole process's
// CPU (every thread, libuv's pool too), and the wall time. The threads pay
// where they take the loop's time down by more than the hand-over adds to it;
// the wall time says little on a shared machine, the loop's time does.
//
//   node bin/run-ts.js bench/message-build.ts [--messages 4000] [--threads 1,2] [--lanes 32]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { audienceLinks } from '../src/delivery/audience-links.ts';
import { DkimSigner } from '../src/delivery/dkim.ts';
import { loopBuilder, type MessageBuilder } from '../src/delivery/message-builder.ts';
import { buildMessageTemplate } from '../src/delivery/message-template.ts';
import { MessageThreads } from '../src/delivery/message-threads.ts';
import { compileMessage, type CompiledMessage } from '../src/delivery/splice.ts';
import { dkimKey, PUBLIC_URL, sampleContent, sampleSettings } from '../test/delivery/message-fixture.ts';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '4000' }, threads: { type: 'string', default: '1,2' }, lanes: { type: 'string', default: '32' } } });
const N = Number(values.messages);
const LANES = Number(values.lanes);
const SECRET = 'b'.repeat(64);
const clock = { now: () => Date.now() };
const links = audienceLinks({ secret: SECRET, publicUrl: PUBLIC_URL, mailDomain: 'example.org', clock });
const onLoop = loopBuilder(links, 'example.org');
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
  const builders: Array<[string, MessageBuilder]> = [['event loop', onLoop]];
  for (const size of values.threads!.split(',').map(Number)) {
    // Unsigned messages go to the threads only when asked (the pool builds them on the loop): asked here, to weigh the hand-over.
    const threads = new MessageThreads({ size, secret: SECRET, publicUrl: PUBLIC_URL, mailDomain: 'example.org', logger, fallback: onLoop, unsigned: true });
    builders.push([`${size} thread${size > 1 ? 's' : ''}`, threads]);
  }
  for (const [name, builder] of builders) {
    await run(builder, message, Math.min(N, 500)); // warm: threads started, templates sent, JIT
    const r = await run(builder, message, N);
    messageBytes ||= r.bytes;
    const perRequest = builder instanceof MessageThreads ? (builder.stats.messages / builder.stats.requests).toFixed(1) : '–';
    rows.push(`| ${label} | ${name} | ${r.mainUs.toFixed(0)} | ${r.loopUs.toFixed(0)} | ${r.cpuUs.toFixed(0)} | ${r.wallUs.toFixed(0)} | ${Math.round(1e6 / r.wallUs)} | ${perRequest} |`);
    await builder.close();
  }
}
process.stdout.write(
  [
    `${N} messages of ${Math.round(messageBytes / 1024)} KB, ${LANES} lanes; load average ${loadavg().map((x) => x.toFixed(2)).join(', ')}`,
    '',
    '| message | built on | main thread CPU µs/message | event loop busy µs/message | process CPU µs/message | wall µs/message | messages/s | messages per request |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n'),
);
