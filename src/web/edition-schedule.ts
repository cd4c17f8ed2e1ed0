// When the editions on a dashboard page go out (delivery/send-time.ts), read
// once for the whole page: their list sends in one query, then the rule.
import type { Clock } from '../clock.ts';
import type { Store } from '../store/db.ts';
import type { SendRow } from '../store/schema.ts';
import { listSendsOf } from '../store/send-controls.ts';
import { goesOutAt } from '../delivery/send-time.ts';
import type { EditionContext } from './edition-actions.ts';

export interface EditionSchedule {
  /** When it goes out, if it will. */
  at?: number;
  /** Its send to the list, if it has one. */
  listSend?: SendRow;
}

/** The schedule of each edition, by edition id. */
export async function schedulesOf(store: Store, clock: Clock, contexts: readonly EditionContext[]): Promise<Map<number, EditionSchedule>> {
  const sends = await listSendsOf(store, contexts.map((c) => c.edition.id));
  const now = clock.now();
  const out = new Map<number, EditionSchedule>();
  for (const { edition, publication } of contexts) {
    const listSend = sends.get(edition.id);
    const at = goesOutAt(edition, publication.settings, listSend, now);
    out.set(edition.id, { ...(at !== undefined ? { at } : {}), ...(listSend ? { listSend } : {}) });
  }
  return out;
}
