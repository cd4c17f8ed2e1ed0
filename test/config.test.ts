// The configuration's folders: DATA_DIR and the outbox hold personal data,
// so they are created owner-only (0700), whatever the umask.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';

const mode = (path: string) => statSync(path).mode & 0o777;

test('DATA_DIR, the outbox and the secret are created for their owner only', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'matinale-config-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const previous = process.umask(0o002); // a permissive umask must not widen them
  try {
    const dataDir = join(root, 'data');
    loadConfig({ DATA_DIR: dataDir });
    assert.equal(mode(dataDir).toString(8), '700');
    assert.equal(mode(join(dataDir, 'outbox')).toString(8), '700');
    assert.equal((mode(join(dataDir, 'secret')) & 0o077).toString(8), '0');
  } finally {
    process.umask(previous);
  }
});

test('an outbox an older version left open is tightened; an existing DATA_DIR keeps its modes', (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-config-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  chmodSync(dataDir, 0o755);
  mkdirSync(join(dataDir, 'outbox'));
  chmodSync(join(dataDir, 'outbox'), 0o755);
  // With a relay set, an outbox left from before is still Matinale's, and tightened.
  loadConfig({ DATA_DIR: dataDir, SMTP_URL: 'smtp://relay.example.net:587' });
  assert.equal(mode(join(dataDir, 'outbox')).toString(8), '700');
  assert.equal(mode(dataDir).toString(8), '755');
});

// matinale.yaml is read (its parser and schema loaded) only when it exists: the environment wins over it, and a
// key it does not know is refused rather than silently ignored.
test('matinale.yaml in DATA_DIR sets what the environment does not; an unknown key in it is refused', (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-config-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  writeFileSync(join(dataDir, 'matinale.yaml'), 'publicUrl: https://news.example.org/\nsmtpUrl: smtp://relay.example.net:587\n');
  const fromFile = loadConfig({ DATA_DIR: dataDir });
  assert.equal(fromFile.publicUrl, 'https://news.example.org');
  assert.equal(fromFile.publicUrlSource, 'matinale.yaml');
  assert.deepEqual(fromFile.smtpUrls, ['smtp://relay.example.net:587']);
  const overridden = loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'https://other.example.org' });
  assert.equal(overridden.publicUrl, 'https://other.example.org');
  assert.equal(overridden.publicUrlSource, 'PUBLIC_URL');

  writeFileSync(join(dataDir, 'matinale.yaml'), 'publicURL: https://news.example.org\n');
  assert.throws(() => loadConfig({ DATA_DIR: dataDir }), /publicURL/);
  // Said in a line that names the file and the setting, not as a dump of the validator's objects.
  assert.throws(() => loadConfig({ DATA_DIR: dataDir }), /matinale\.yaml: unknown setting "publicURL" \(known: databaseUrl, smtpUrl, publicUrl\)/);
  writeFileSync(join(dataDir, 'matinale.yaml'), 'publicUrl: [\n');
  assert.throws(() => loadConfig({ DATA_DIR: dataDir }), /matinale\.yaml: not valid YAML/);
});

// The operator's policies: every variable read and validated at start, with
// an error naming the variable, so that a typo never silently keeps a default.
function configWith(t: { after(fn: () => void): void }, env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-config-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  return () => loadConfig({ DATA_DIR: dataDir, ...env });
}

test('delivery and audience policies come from the environment, in readable units', (t) => {
  const config = configWith(t, {
    SEND_GRACE: '90m',
    WORKER_BATCH: '500',
    WORKER_LEASE: '2m',
    RETRY_FIRST_DELAY: '10s',
    RETRY_MAX_DELAY: '5m',
    RETRY_DEADLINE: '3h',
    RETRY_MAX_ATTEMPTS: '5',
    PAUSE_ERROR_RATE: '15%',
    PAUSE_WINDOW: '10m',
    PAUSE_MIN_ATTEMPTS: '100',
    CONFIRM_LINK_MAX_AGE: '3d',
    PURGE_UNCONFIRMED_AFTER: '30d',
    INBOUND_SMTP: '0.0.0.0:2525',
    TEST_SENDS_PER_HOUR: '12',
    SIGNING_THREADS: '3',
  })();
  assert.deepEqual(config.delivery, {
    graceMs: 90 * 60_000,
    batchSize: 500,
    leaseMs: 120_000,
    testSendsPerHour: 12,
    signingThreads: 3,
    retry: { baseDelayMs: 10_000, maxDelayMs: 300_000, deadlineMs: 3 * 3_600_000, maxAttempts: 5 },
    errorRate: { threshold: 0.15, windowMs: 600_000, minAttempts: 100 },
  });
  assert.deepEqual(config.audience, { confirmMaxAgeMs: 3 * 86_400_000, purgeUnconfirmedAfterMs: 30 * 86_400_000 });
  assert.deepEqual(config.inboundSmtp, { host: '0.0.0.0', port: 2525 });
});

test('unset policies are left out, so that the modules keep their own defaults', (t) => {
  const config = configWith(t, {})();
  assert.deepEqual(config.delivery, { retry: {}, errorRate: {} });
  assert.deepEqual(config.audience, {});
  assert.equal(config.inboundSmtp, undefined);
  assert.equal(configWith(t, { PAUSE_ERROR_RATE: '0.25' })().delivery?.errorRate.threshold, 0.25);
  // 0 threads is a choice (sign on libuv's thread pool), not an unset value.
  assert.equal(configWith(t, { SIGNING_THREADS: '0' })().delivery?.signingThreads, 0);
  // The setting's older name is still read; the new one wins when both are there.
  assert.equal(configWith(t, { MESSAGE_THREADS: '2' })().delivery?.signingThreads, 2);
  assert.equal(configWith(t, { MESSAGE_THREADS: '2', SIGNING_THREADS: '1' })().delivery?.signingThreads, 1);
  assert.deepEqual(configWith(t, { INBOUND_SMTP: '2525' })().inboundSmtp, { host: '127.0.0.1', port: 2525 });
  assert.deepEqual(configWith(t, { INBOUND_SMTP: '[::1]:25' })().inboundSmtp, { host: '::1', port: 25 });
});

test('a policy that does not read is refused at start, naming the variable and the value', (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ SEND_GRACE: 'two hours' }, /SEND_GRACE must be a positive duration .*"two hours"/],
    [{ WORKER_LEASE: '-5m' }, /WORKER_LEASE must be a positive duration/],
    [{ WORKER_BATCH: '0' }, /WORKER_BATCH must be a whole number of at least 1 \(got "0"\)/],
    [{ RETRY_MAX_ATTEMPTS: '2.5' }, /RETRY_MAX_ATTEMPTS must be a whole number/],
    [{ SIGNING_THREADS: '-1' }, /SIGNING_THREADS must be a whole number of at least 0/],
    [{ MESSAGE_THREADS: 'two' }, /MESSAGE_THREADS must be a whole number of at least 0/],
    [{ PAUSE_ERROR_RATE: '150%' }, /PAUSE_ERROR_RATE must be a share/],
    [{ PAUSE_ERROR_RATE: '0' }, /PAUSE_ERROR_RATE must be a share/],
    [{ INBOUND_SMTP: 'localhost' }, /INBOUND_SMTP must be host:port/],
    [{ INBOUND_SMTP: '127.0.0.1:70000' }, /INBOUND_SMTP must be host:port/],
    [{ RETRY_FIRST_DELAY: '10m', RETRY_MAX_DELAY: '1m' }, /RETRY_MAX_DELAY must not be shorter than RETRY_FIRST_DELAY/],
    [{ CONFIRM_LINK_MAX_AGE: '7d', PURGE_UNCONFIRMED_AFTER: '2d' }, /PURGE_UNCONFIRMED_AFTER must not be shorter than CONFIRM_LINK_MAX_AGE/],
  ];
  for (const [env, message] of cases) assert.throws(configWith(t, env), message, JSON.stringify(env));
});

test('DNS_SERVERS names the resolvers of the sending setup’s DNS check; one that does not read is refused', (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-config-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { DATA_DIR: dataDir, MATINALE_SECRET: 'd'.repeat(64) };
  assert.equal(loadConfig(env).dnsServers, undefined);
  assert.deepEqual(loadConfig({ ...env, DNS_SERVERS: '1.1.1.1, 127.0.0.1:5353,[::1]:53,::1' }).dnsServers, ['1.1.1.1', '127.0.0.1:5353', '[::1]:53', '::1']);
  for (const bad of ['dns.example.org', '1.1.1.1:99999', '1.1.1']) {
    assert.throws(() => loadConfig({ ...env, DNS_SERVERS: bad }), /DNS_SERVERS must be IP addresses/, bad);
  }
});
