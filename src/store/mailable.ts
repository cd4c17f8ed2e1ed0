// Who a send to a publication's list mails: the one condition that the
// snapshot of a starting send (sends.ts `snapshotListRecipients`) and the count shown
// before it (send-report.ts `listSizeNow`) both apply, so that the number a
// person confirms is the number the send takes at that moment.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, SubscribersTable, SubscriptionsTable } from './schema.ts';

type Joined = Database & { sub: SubscriptionsTable; p: SubscribersTable };

/**
 * Over `subscriptions as sub` joined to `subscribers as p`: active
 * subscriptions to the publication of subscribers with an address, not
 * erased, not suppressed by the publication.
 */
export function mailableIn(publicationId: number) {
  return (eb: ExpressionBuilder<Joined, 'sub' | 'p'>) =>
    eb.and([
      eb('sub.publication_id', '=', publicationId),
      eb('sub.status', '=', 'active'),
      eb('p.email', 'is not', null),
      eb('p.erased_at', 'is', null),
      eb.not(
        eb.exists(
          eb
            .selectFrom('suppressions as x')
            .select(sql.lit(1).as('one'))
            .whereRef('x.email_hash', '=', 'p.email_hash')
            .where('x.publication_id', '=', publicationId),
        ),
      ),
    ]);
}
