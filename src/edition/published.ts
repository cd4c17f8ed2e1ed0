// Which editions the public site (archive, « view in browser » pages, feeds,
// home) shows. An edition is public once its send has started: `sending` or
// `sent`, whatever the mode, because readers who got the mail during a long
// send click through to its page. On the embedded default (no SMTP relay, the
// local outbox) an approved edition (or a scheduled one, which is approved
// with a send time) is public too, so that a newcomer sees the demo newsroom's
// editions before anything was ever sent; but only once its date has come in
// the publication's time zone, so that an edition prepared ahead keeps its
// embargo. Drafts and editions under review are never public.
//
// The rule sits beside the edition, below both the site (web/) and the
// audience (the welcome mail links the latest published edition): it needs only
// an edition's status and date, the configuration and a clock.
import type { Config } from '../config.ts';
import { dateIn, type Clock } from '../clock.ts';
import type { EditionStatus } from './workflow.ts';

const SENT: readonly EditionStatus[] = ['sending', 'sent'];
const APPROVED: readonly EditionStatus[] = ['approved', 'scheduled'];

/** Who decides whether an edition is public, for one configuration and clock. */
export interface PublicRule {
  /** The statuses worth asking the store for: every public edition has one of them (its date is checked by `isPublic`). */
  statuses: readonly EditionStatus[];
  /** True when the public site may show this edition of this publication now. */
  isPublic(edition: { status: EditionStatus; date: string }, publication: { settings: { timezone: string } }): boolean;
}

/** The rule of the configuration: sent or sending always; approved on or after its date on the embedded default. */
export function publicRule(config: Config, clock: Clock): PublicRule {
  const demo = config.smtpUrls.length === 0;
  return {
    statuses: demo ? [...APPROVED, ...SENT] : SENT,
    isPublic(edition, publication) {
      if (SENT.includes(edition.status)) return true;
      if (!demo || !APPROVED.includes(edition.status)) return false;
      // Dates are `YYYY-MM-DD`: their text order is their calendar order.
      return edition.date <= dateIn(clock.now(), publication.settings.timezone);
    },
  };
}
