// Which editions the public site shows. Sent editions always; approved ones
// too on the embedded default (no SMTP relay, the local outbox), so that a
// newcomer sees the demo newsroom's editions before anything was ever sent.
// Drafts and editions under review are never public.
import type { Config } from '../config.ts';
import type { EditionStatus } from '../store/schema.ts';

/** The statuses of editions the public site (archive, pages, feeds) may show. */
export function publicStatuses(config: Config): readonly EditionStatus[] {
  return config.smtpUrls.length === 0 ? ['approved', 'scheduled', 'sending', 'sent'] : ['sent'];
}
