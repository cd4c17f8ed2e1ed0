// OpenPGP keys for tip tests, made with OpenPGP.js: a member's good key, and
// the bad ones the tip line must refuse (expired, revoked, weak).
import * as openpgp from 'openpgp';

export interface TestKey {
  publicKey: string;
  privateKey: string;
  fingerprint: string;
}

type KeyOptions = Omit<Parameters<typeof openpgp.generateKey>[0], 'format'>;

async function make(options: Partial<KeyOptions>): Promise<TestKey> {
  const { publicKey, privateKey } = await openpgp.generateKey({
    userIDs: [{ name: 'Desk Member', email: 'desk@example.org' }],
    format: 'armored',
    ...options,
  } as KeyOptions & { format: 'armored' });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return { publicKey, privateKey, fingerprint: key.getFingerprint().toUpperCase() };
}

// Keys are made at this date, so that they are valid at any time tests set their fake clocks to.
const MADE = new Date('2020-01-01T00:00:00Z');

/** A Curve25519 key that does not expire. */
export function goodKey(email = 'desk@example.org'): Promise<TestKey> {
  return make({ userIDs: [{ name: 'Desk Member', email }], date: MADE });
}

/** A key that expired one day after it was made. */
export function expiredKey(): Promise<TestKey> {
  return make({ date: MADE, keyExpirationTime: 86_400 });
}

/** An RSA key of 1024 bits (OpenPGP.js only makes it when told to). */
export function weakRsaKey(): Promise<TestKey> {
  return make({ type: 'rsa', rsaBits: 1024, date: MADE, config: { minRSABits: 1024 } });
}

/** A good key, revoked. */
export async function revokedKey(): Promise<TestKey> {
  const good = await goodKey();
  const privateKey = await openpgp.readPrivateKey({ armoredKey: good.privateKey });
  const { publicKey } = await openpgp.revokeKey({ key: privateKey, format: 'armored' });
  return { ...good, publicKey };
}
