// The newcomer's path through the command line, in child processes: an
// approved edition sent to the demo list through the outbox with --wait, its
// figures from `matinale sends`, and a worker that exits cleanly on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReturnPaths } from '../../src/delivery/return-path.ts';
import { startWorkerProcess } from '../helpers/worker-process.ts';

function matinale(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/matinale.js', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Generous timeouts: each step starts Node and tsx afresh, which takes seconds on a loaded machine.
test('send --now --wait delivers an approved edition to the list through the outbox; a second send is refused', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-cli-'));
  const env = { DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '', PUBLIC_URL: 'https://news.example.org', MATINALE_SECRET: 'c'.repeat(64) };
  try {
    assert.equal(matinale(env, 'publication', 'add', 'examples/publications/tech-matin.yaml').code, 0);
    const added = matinale(env, 'edition', 'add', 'examples/2026-03-02-tech-matin.md', '--approve', '--json');
    assert.equal(added.code, 0, added.stderr);
    const editionId = String((JSON.parse(added.stdout) as { editionId?: number; id?: number }).editionId ?? (JSON.parse(added.stdout) as { id: number }).id);
    writeFileSync(join(dir, 'list.csv'), ['email', ...Array.from({ length: 25 }, (_, i) => `reader${i}@example.net`)].join('\n') + '\n');
    assert.equal(matinale(env, 'subscribers', 'import', join(dir, 'list.csv'), '--publication', 'tech-matin', '--confirmed', '--consent-source', 'test').code, 0);

    const refusedUsage = matinale(env, 'send', editionId, '--now', '--at', '06:00');
    assert.equal(refusedUsage.code, 2);

    const sent = matinale(env, 'send', editionId, '--now', '--wait', '--json');
    assert.equal(sent.code, 0, sent.stderr);
    const final = JSON.parse(sent.stdout.trim().split('\n').pop()!) as { status: string; counts: Record<string, number>; total: number };
    assert.equal(final.status, 'done');
    assert.equal(final.counts.sent, 25);
    const index = readFileSync(join(dir, 'outbox', 'index.jsonl'), 'utf8').trim().split('\n');
    assert.equal(index.length, 25);

    const again = matinale(env, 'send', editionId, '--now');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already has send/);

    const status = matinale(env, 'sends');
    assert.equal(status.code, 0);
    assert.match(status.stdout, /send 1 done: 25\/25 · sent 25 bounced 0 failed 0/);

    // Every message left with a signed return path, and a bounce report that
    // comes back to one of them (through the MTA's pipe) bounces that reader.
    const entries = index.map((line) => JSON.parse(line) as { from: string; to: string });
    const returnPaths = new ReturnPaths(env.MATINALE_SECRET, 'news.example.org');
    for (const e of entries) assert.equal(returnPaths.verify(e.from).ok, true, e.from);
    const { from, to } = entries[0]!;
    const report = [
      'From: MAILER-DAEMON@mx.example.net',
      `To: ${from}`,
      'Subject: Undelivered Mail Returned to Sender',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.net',
      '',
      `Final-Recipient: rfc822; ${to}`,
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '',
      '--b--',
      '',
    ].join('\r\n');
    const bounced = spawnSync(process.execPath, ['bin/matinale.js', 'inbound', '--stdin', '--recipient', from], { env: { ...process.env, ...env }, input: report, encoding: 'utf8' });
    assert.equal(bounced.status, 0, bounced.stderr);
    assert.match(matinale(env, 'sends').stdout, /send 1 done: 25\/25 · sent 24 bounced 1 failed 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('matinale worker exits 0 on SIGTERM', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-cli-'));
  try {
    const worker = await startWorkerProcess({ DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '', MATINALE_SECRET: 'c'.repeat(64) });
    const { code, signal, stderr } = await worker.stop();
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
