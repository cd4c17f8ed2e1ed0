import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { buildMessageTemplate } from '../../src/delivery/message-template.ts';
import { compileMessage, spliceMessage } from '../../src/delivery/splice.ts';
import { DkimSigner } from '../../src/delivery/dkim.ts';
import { recipientValues } from '../../src/delivery/recipient-values.ts';
import { audienceLinks } from '../../src/delivery/audience-links.ts';
import { FakeClock } from '../../src/clock.ts';
import { dkimKey, PUBLIC_URL, sampleContent, sampleSettings } from './message-fixture.ts';

const hasSpamAssassin = spawnSync('sh', ['-c', 'command -v spamassassin']).status === 0;

test('a spliced, signed message scores under 2.0 with SpamAssassin (local tests only)', { timeout: 120_000 }, async (t) => {
  if (!hasSpamAssassin) {
    if (process.env.CI) assert.fail('spamassassin is needed in CI');
    t.skip('spamassassin is not installed here (Debian package `spamassassin`; .ci/run installs it)');
    return;
  }
  const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
  const { content, publication } = await sampleContent();
  const compiled = compileMessage(buildMessageTemplate(content, sampleSettings(publication)), new DkimSigner(dkimKey().dkim));
  const links = audienceLinks({ secret: 'a'.repeat(64), publicUrl: PUBLIC_URL, mailDomain: 'example.org', clock });
  const raw = spliceMessage(
    compiled,
    recipientValues(links, { sendId: 3, recipientId: 17, publicationId: 1, subscriberId: 17, email: 'claire.martin@example.net' }, 'example.org', clock.now()),
    clock.now(),
  );
  const run = spawnSync('spamassassin', ['-L', '-t'], { input: raw, encoding: 'utf8', maxBuffer: 10 * 1024 * 1024 });
  assert.equal(run.error, undefined);
  const status = /^X-Spam-Status: (?:Yes|No), score=(-?[\d.]+)[^]*?(?=^\S)/m.exec(run.stdout);
  assert.ok(status, `no X-Spam-Status in the output: ${run.stderr}`);
  const score = Number(status[1]);
  assert.ok(score < 2.0, `SpamAssassin score ${score} ≥ 2.0:\n${status[0]}`);
  t.diagnostic(`SpamAssassin score ${score}: ${status[0].replace(/\s+/g, ' ')}`);
});
