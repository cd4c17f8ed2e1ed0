// RecipientLinks with audience's signed links (src/audience/links.ts): the
// one-click unsubscribe URL (RFC 8058, POSTed to by mailbox providers), the
// preferences page, and a mailto address carrying an unsubscribe token (the
// same claims, its tag caseless) for providers that only mail. Test addresses have no subscriber: their
// tokens name subscriber 0, which unsubscribes nobody.
import { AudienceKeys } from '../audience/keys.ts';
import { messageLinks } from '../audience/links.ts';
import type { Clock } from '../clock.ts';
import type { LinkRecipient, RecipientLinks } from './recipient-values.ts';

/** Links signed with the newsroom's secret, on PUBLIC_URL; the mailto on `mailDomain`. */
export function audienceLinks(options: { secret: string; publicUrl: string; mailDomain: string; clock: Clock }): RecipientLinks {
  const keys = new AudienceKeys(options.secret);
  return {
    linksFor(r: LinkRecipient) {
      return messageLinks(keys, options.publicUrl, options.mailDomain, r.subscriberId ?? 0, r.publicationId, options.clock.now());
    },
  };
}
