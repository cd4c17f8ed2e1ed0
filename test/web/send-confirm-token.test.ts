// The signed confirmation of a send to the list: it holds only for the
// server that signed it, the person who confirmed, that edition and version,
// and a quarter of an hour; each refusal says why and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIRMATION_TTL_MS, signConfirmation, verifyConfirmation, type ConfirmedSend } from '../../src/web/send-confirm-token.ts';
import { WebError } from '../../src/web/errors.ts';

const SECRET = 'c'.repeat(64);
const NOW = Date.parse('2026-03-02T05:00:00Z');
const CONFIRMED: ConfirmedSend = { editionId: 7, version: 3, at: null, recipients: 40, by: 'lucie.fabre@example.org', issuedAt: NOW };
const EXPECTED = { editionId: 7, by: 'lucie.fabre@example.org', currentVersion: 3, now: NOW + 60_000 };

function refusal(token: unknown, expected = EXPECTED, secret = SECRET): { code: string; message: string } {
  try {
    verifyConfirmation(secret, token, expected);
  } catch (err) {
    assert.ok(err instanceof WebError, String(err));
    return { code: err.code, message: err.message };
  }
  assert.fail('the confirmation was accepted');
}

test('a confirmation gives back what was confirmed, a time included', () => {
  assert.deepEqual(verifyConfirmation(SECRET, signConfirmation(SECRET, CONFIRMED), EXPECTED), CONFIRMED);
  const at = { ...CONFIRMED, at: Date.parse('2026-03-04T07:30:00Z') };
  assert.equal(verifyConfirmation(SECRET, signConfirmation(SECRET, at), EXPECTED).at, at.at);
});

test('a missing, forged or altered confirmation is refused', () => {
  assert.match(refusal(undefined).message, /needs its confirmation first/);
  assert.match(refusal('').message, /needs its confirmation first/);
  const token = signConfirmation(SECRET, CONFIRMED);
  assert.match(refusal(token, EXPECTED, 'd'.repeat(64)).message, /not valid/);
  // The same signature over a body that says "later": refused.
  const [, signature] = token.split('.');
  const altered = Buffer.from(JSON.stringify({ ...CONFIRMED, at: NOW + 3_600_000 })).toString('base64url');
  assert.match(refusal(`${altered}.${signature}`).message, /not valid/);
});

test("another person's, another edition's, an old, or an outdated version's confirmation is refused", () => {
  const token = signConfirmation(SECRET, CONFIRMED);
  assert.match(refusal(token, { ...EXPECTED, by: 'jeanne.moreau@example.org' }).message, /another edition or person/);
  assert.match(refusal(token, { ...EXPECTED, editionId: 8 }).message, /another edition or person/);
  assert.match(refusal(token, { ...EXPECTED, now: NOW + CONFIRMATION_TTL_MS + 1 }).message, /more than 15 minutes old/);
  const changed = refusal(token, { ...EXPECTED, currentVersion: 4 });
  assert.equal(changed.code, 'conflict');
  assert.match(changed.message, /version 3 was confirmed, version 4 is the latest/);
});
