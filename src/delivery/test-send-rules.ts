// Who may mail a test send, to whom, and how often. A test goes out in any
// edition status, so it must not become a way around the list: its addresses
// are checked as a subscriber's are (audience/address.ts), a person mails at
// most so many test messages an hour, and an author mails only the team of
// the edition's publication (its editors and admins may test to anyone).
import { parseAddress, ADDRESS_PROBLEM_TEXT } from '../audience/address.ts';
import type { Store } from '../store/db.ts';
import { lockPerson, teamOf } from '../store/people.ts';
import { testMessagesSince } from '../store/sends.ts';

/** Addresses one test send may have at most. */
export const MAX_TEST_ADDRESSES = 10;

/** Test messages a person may ask for in an hour, unless TEST_SENDS_PER_HOUR says otherwise. */
export const DEFAULT_TEST_SENDS_PER_HOUR = 30;

const HOUR_MS = 3_600_000;

/** Why a test send is refused; the message says which address or which limit. */
export class TestSendRefused extends Error {
  constructor(
    readonly code: 'bad-address' | 'too-many-addresses' | 'outside-team' | 'hourly-limit',
    message: string,
  ) {
    super(message);
  }
}

/** The person asking for a test send, as the caller's role check found them. */
export interface Tester {
  email: string;
  /** Editors and admins of the edition's publication may test to any address; authors only to its team. */
  mayMailOutsideTeam: boolean;
}

/** The addresses of a test send, each checked and normalised as a subscriber's; the first bad one is named. */
export function testAddresses(input: readonly string[]): string[] {
  if (input.length === 0) throw new TestSendRefused('too-many-addresses', 'a test send needs at least one address');
  if (input.length > MAX_TEST_ADDRESSES) throw new TestSendRefused('too-many-addresses', `a test send goes to at most ${MAX_TEST_ADDRESSES} addresses (got ${input.length})`);
  const addresses = input.map((raw) => {
    const parsed = parseAddress(raw);
    // JSON quoting shows a control character as \u0001 instead of writing it.
    if (!parsed.ok) throw new TestSendRefused('bad-address', `not an address: ${JSON.stringify(raw)} (${ADDRESS_PROBLEM_TEXT[parsed.problem]})`);
    return parsed.address;
  });
  return [...new Set(addresses)];
}

/**
 * Refuses a person's test send that breaks a rule. Runs inside the
 * transaction that creates the send: the person's row is locked first, so
 * that parallel requests are counted like sequential ones.
 */
export async function checkTester(
  tx: Store,
  input: { tester: Tester; publicationId: number; addresses: readonly string[]; now: number; perHour: number },
): Promise<void> {
  const { tester, addresses } = input;
  if (!tester.mayMailOutsideTeam) {
    const team = new Set((await teamOf(tx, input.publicationId)).map((m) => m.email.toLowerCase()));
    const outside = addresses.filter((a) => !team.has(a.toLowerCase()));
    if (outside.length) {
      throw new TestSendRefused('outside-team', `an author tests only to the publication's team; ask an editor to test to ${outside.join(', ')}`);
    }
  }
  await lockPerson(tx, tester.email);
  const sent = await testMessagesSince(tx, tester.email, input.now - HOUR_MS);
  if (sent + addresses.length > input.perHour) {
    throw new TestSendRefused('hourly-limit', `at most ${input.perHour} test messages an hour per person (${sent} in the last hour); try again later`);
  }
}
