// The tip form's proof of work: a signed, fresh challenge with enough
// leading zero bits is accepted once; a replayed, forged, expired or
// under-worked one is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { POW_BITS, POW_MAX_AGE_MS, ProofOfWork, powHash } from '../../src/web/tip-proof-of-work.ts';

function solve(challenge: string, bits: number): string {
  for (let n = 0; ; n++) {
    const hash = powHash(challenge, n.toString(36));
    const zeros = hash.readUInt32BE(0).toString(2).padStart(32, '0').indexOf('1');
    if ((zeros < 0 ? 32 : zeros) >= bits) return `${challenge}:${n.toString(36)}`;
  }
}

test('a solved challenge is accepted once; replays, forgeries, stale and lazy proofs are refused', () => {
  assert.equal(POW_BITS, 18, 'about 2^18 hashes: a few seconds in a browser');
  const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
  const work = new ProofOfWork('s'.repeat(64), clock, 8);
  const challenge = work.challenge();
  const proof = solve(challenge, 8);
  assert.equal(work.accept(proof), true);
  assert.equal(work.accept(proof), false, 'replayed');

  const other = work.challenge();
  const lazy = [...Array(1000).keys()].map((n) => `${other}:${n.toString(36)}`).find((p) => powHash(other, p.split(':').pop()!)[0]! !== 0)!;
  assert.equal(work.accept(lazy), false, 'not enough zero bits');
  const forged = other.replace(/\.8\./, '.1.');
  assert.equal(work.accept(solve(forged, 1)), false, 'the difficulty is signed');
  assert.equal(new ProofOfWork('t'.repeat(64), clock, 8).accept(solve(other, 8)), false, 'another secret');

  const stale = work.challenge();
  const staleProof = solve(stale, 8);
  clock.advance(POW_MAX_AGE_MS + 1);
  assert.equal(work.accept(staleProof), false, 'expired');
  assert.equal(work.accept('garbage'), false);
});
