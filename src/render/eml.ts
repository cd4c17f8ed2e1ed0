// A whole MIME message (multipart/alternative: text, then HTML) of the edition,
// with the placeholders filled with sample values: something to open in a mail
// client. Delivery builds the real messages; this one is for looking only.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Edition } from '../edition/model.ts';
import type { Publication } from '../edition/publication.ts';
import { renderEmail } from './email.ts';
import { renderText } from './text.ts';
import { editionParts } from './edition-parts.ts';
import { escapeHtml } from './html-escape.ts';
import { fillPlaceholders, SAMPLE_PLACEHOLDER_VALUES } from './placeholders.ts';
import type { RenderOptions } from './urls.ts';

/** Renders a preview message (RFC 5322 bytes) of the edition, addressed to a sample recipient. */
export async function renderEml(edition: Edition, publication: Publication, options: RenderOptions): Promise<Buffer> {
  const parts = editionParts(edition, publication, options);
  const values = SAMPLE_PLACEHOLDER_VALUES;
  const composer = new MailComposer({
    from: publication.from,
    to: values.recipient,
    ...(publication.replyTo ? { replyTo: publication.replyTo } : {}),
    subject: parts.subject,
    text: fillPlaceholders(renderText(edition, publication, options), values),
    html: fillPlaceholders(renderEmail(edition, publication, options), values, escapeHtml),
    // The headers every real send carries (delivery's message template): RFC 8058
    // one-click unsubscribe, so that the preview shows what the inbox will offer.
    headers: {
      'List-Unsubscribe': `<${values.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  });
  return composer.compile().build();
}
