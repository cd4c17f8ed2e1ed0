// A newsroom for audience tests: a fresh store on one backend with two
// publications (French and English), a fake clock, a mailer that keeps what
// it sends, and the audience's dependencies built on them.
import { FakeClock } from '../../src/clock.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { DEFAULT_POLICY, type AudienceDeps, type AudiencePolicy } from '../../src/audience/deps.ts';
import type { Mail, Mailer } from '../../src/audience/mailer.ts';
import { publication } from '../helpers/newsroom.ts';
import type { TestBackend, TestStore } from '../helpers/store.ts';

export const PUBLIC_URL = 'http://news.test';
export const SECRET = 'b'.repeat(64);

/** A mailer that keeps every mail, newest last. */
export class MemoryMailer implements Mailer {
  readonly sent: Mail[] = [];
  async send(mail: Mail): Promise<void> {
    this.sent.push(mail);
  }
  /** The last mail sent to an address. */
  lastTo(address: string): Mail | undefined {
    return this.sent.filter((m) => m.to === address).at(-1);
  }
}

/** The first link to `path` (`/confirm/`, `/unsubscribe/`…) in a mail's text. */
export function linkIn(mail: Mail | undefined, path: string): string {
  if (!mail) throw new Error('no mail');
  const m = new RegExp(`https?://[^\\s>]*${path}[A-Za-z0-9._-]+`).exec(mail.text);
  if (!m) throw new Error(`no ${path} link in:\n${mail.text}`);
  return m[0];
}

/** The token at the end of a link. */
export const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

export interface AudienceFixture {
  store: TestStore;
  clock: FakeClock;
  mailer: MemoryMailer;
  deps: AudienceDeps;
  ids: { tech: number; policy: number };
  close(): Promise<void>;
}

/** Builds the fixture on a backend. */
export async function audienceFixture(backend: TestBackend, policy: Partial<AudiencePolicy> = {}): Promise<AudienceFixture> {
  const store = await backend.open();
  const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
  const tech = await upsertPublication(store, publication({ welcome: 'Bienvenue dans **Tech Matin**, la lettre du matin.' }), { actor: 'test', clock });
  const pol = await upsertPublication(
    store,
    publication({ slug: 'policy-morning', name: 'Policy Morning', language: 'en', timezone: 'Europe/London', from: 'Policy Morning <pm@example.org>' }),
    { actor: 'test', clock },
  );
  const mailer = new MemoryMailer();
  const deps: AudienceDeps = {
    store,
    keys: new AudienceKeys(SECRET),
    mailer,
    clock,
    publicUrl: PUBLIC_URL,
    policy: { ...DEFAULT_POLICY, ...policy },
  };
  return { store, clock, mailer, deps, ids: { tech: tech.id, policy: pol.id }, close: () => store.dispose() };
}
