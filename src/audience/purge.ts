// Purge of pending subscriptions never confirmed: an address someone typed but
// nobody confirmed is not consent, and is not kept. The scheduler calls
// `purgeUnconfirmed` (say hourly); the delay is AudiencePolicy.purgeUnconfirmedAfterMs.
import { inTransaction } from '../store/transaction.ts';
import { deleteUnconfirmedBefore } from '../store/subscriptions.ts';
import { deleteSubscribersWithoutSubscriptions } from '../store/subscribers.ts';
import { appendConsentMany } from '../store/consent-log.ts';
import type { AudienceDeps } from './deps.ts';

export interface PurgeReport {
  subscriptions: number;
  subscribers: number;
}

/** Deletes unconfirmed pending subscriptions older than the policy's delay, and subscribers left with none. */
export async function purgeUnconfirmed(deps: Pick<AudienceDeps, 'store' | 'clock' | 'policy'>, batchSize = 1000): Promise<PurgeReport> {
  const now = deps.clock.now();
  const before = now - deps.policy.purgeUnconfirmedAfterMs;
  const report: PurgeReport = { subscriptions: 0, subscribers: 0 };
  for (;;) {
    const done = await inTransaction(deps.store, async (tx) => {
      const purged = await deleteUnconfirmedBefore(tx, before, batchSize);
      if (purged.length === 0) return true;
      // Deleted subscribers' log rows keep what happened (their subscriber id becomes null).
      await appendConsentMany(
        tx,
        purged.map((p) => ({ subscriberId: p.subscriber_id, publicationId: p.publication_id, action: 'purge', method: 'system', details: { why: 'never confirmed' }, at: now })),
      );
      report.subscriptions += purged.length;
      report.subscribers += await deleteSubscribersWithoutSubscriptions(tx, [...new Set(purged.map((p) => p.subscriber_id))]);
      return purged.length < batchSize;
    });
    if (done) return report;
  }
}
