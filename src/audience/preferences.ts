// The preferences page, reached by a signed link from every mail: which
// publications the subscriber receives, and their name. Reading on GET,
// changes only on POST. Ticking a publication here subscribes at once: the
// link was mailed to the address, which is the proof double opt-in asks for.
import { inTransaction } from '../store/transaction.ts';
import { setSubscriberName } from '../store/subscribers.ts';
import { subscriptionsOfSubscriber } from '../store/subscriptions.ts';
import type { SubscriptionStatus } from '../store/schema.ts';
import type { AudienceDeps } from './deps.ts';
import { resolveToken } from './resolve-token.ts';
import { allPublications, type PublicationRef } from './publication-ref.ts';
import { activateByPerson, endAndSuppress } from './transitions.ts';
import { audienceStrings } from './strings.ts';
import { sendWelcome } from './welcome.ts';

export interface PreferencesView {
  status: 'ok';
  /** The publication of the mail the link came from (language of the page). */
  publication: PublicationRef;
  email: string;
  name: string | null;
  publications: Array<{ id: number; slug: string; name: string; status: SubscriptionStatus | null; receives: boolean }>;
}

export type PreferencesResult = PreferencesView | { status: 'invalid' };

/** The subscriber's preferences as a link shows them (GET: reads only). */
export async function loadPreferences(deps: AudienceDeps, token: string): Promise<PreferencesResult> {
  const r = await resolveToken(deps, token, 'preferences');
  if (!r.ok || r.subscriber.erased_at !== null || !r.subscriber.email) return { status: 'invalid' };
  const [subs, pubs] = await Promise.all([subscriptionsOfSubscriber(deps.store, r.subscriber.id), allPublications(deps.store)]);
  const statusOf = new Map(subs.map((s) => [s.publication_id, s.status]));
  return {
    status: 'ok',
    publication: r.publication,
    email: r.subscriber.email,
    name: r.subscriber.name,
    publications: pubs.map((p) => {
      const status = statusOf.get(p.id) ?? null;
      return { id: p.id, slug: p.slug, name: p.name, status, receives: status === 'active' };
    }),
  };
}

export interface PreferencesChange {
  name: string | null;
  /** Ids of the publications the subscriber wants to receive; the others are left. */
  publicationIds: readonly number[];
  ip?: string;
}

/** Applies the preferences form (POST): subscribes, unsubscribes, renames; welcome mails for new subscriptions. */
export async function savePreferences(deps: AudienceDeps, token: string, change: PreferencesChange): Promise<PreferencesResult> {
  const view = await loadPreferences(deps, token);
  if (view.status !== 'ok') return view;
  const r = await resolveToken(deps, token, 'preferences');
  if (!r.ok) return { status: 'invalid' };
  const subscriber = r.subscriber;
  const now = deps.clock.now();
  const wanted = new Set(change.publicationIds);
  const ipHash = change.ip ? deps.keys.ipHash(change.ip) : null;
  const welcomed = await inTransaction(deps.store, async (tx) => {
    const started: PublicationRef[] = [];
    const pubs = await allPublications(tx);
    for (const p of pubs) {
      const current = view.publications.find((x) => x.id === p.id);
      if (wanted.has(p.id) && !current?.receives) {
        const c = { method: 'link', at: now, ipHash, wordingVersion: audienceStrings(p.language).wordingVersion, details: { via: 'preferences' } };
        if (await activateByPerson(tx, subscriber, p.id, 'subscribe', c)) started.push(p);
      } else if (!wanted.has(p.id) && current?.status && current.status !== 'unsubscribed') {
        await endAndSuppress(tx, subscriber, subscriber.email_hash, p.id, 'unsubscribe', 'unsubscribe', {
          method: 'link',
          at: now,
          ipHash,
          details: { via: 'preferences' },
        });
      }
    }
    const name = change.name?.trim().slice(0, 200) || null;
    if (name !== subscriber.name) await setSubscriberName(tx, subscriber.id, name, now);
    return started;
  });
  for (const p of welcomed) await sendWelcome(deps, subscriber, p);
  return loadPreferences(deps, token);
}
