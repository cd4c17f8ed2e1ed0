// A worker process for the kill test (not a test itself): opens the store the
// parent gives in MATINALE_TEST_STORE, delivers through MATINALE_TEST_SMTP,
// and says "ready" on stdout. The parent kills it with SIGKILL or SIGTERM.
import { openStore } from '../../src/store/db.ts';
import { startWorker } from '../../src/delivery/worker.ts';
import { testConfig } from './newsroom-fixture.ts';

const store = openStore(JSON.parse(process.env.MATINALE_TEST_STORE!));
const running = startWorker({
  store,
  config: testConfig({ smtpUrls: [process.env.MATINALE_TEST_SMTP!] }),
  scheduler: false,
  pollMs: 100,
  workerId: process.env.MATINALE_TEST_WORKER,
  // A lease long beside one message (15 ms here), as in production; short
  // enough that the survivors take over the killed worker's rows within the test.
  policy: { batchSize: 20, leaseMs: 10_000 },
  lanes: 2,
  logger: { info: () => {}, warn: () => {}, error: (o, m) => process.stderr.write(`${m} ${JSON.stringify(o)}\n`) },
});
process.once('SIGTERM', () => {
  void running.stop().then(() => store.close()).then(() => process.exit(0));
});
// Ready only once the handler is in place.
process.stdout.write('ready\n');
