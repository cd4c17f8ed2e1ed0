// Test data for delivery: a real edition rendered by render/ (placeholders
// left in), publication settings, and a DKIM key pair with its DNS record.
import { generateKeyPairSync } from 'node:crypto';
import { loadEdition } from '../../src/edition/load.ts';
import type { Publication } from '../../src/edition/publication.ts';
import { renderEmail } from '../../src/render/email.ts';
import { renderText } from '../../src/render/text.ts';
import { subjectOf } from '../../src/render/edition-text.ts';
import type { MessageContent, MessageSettings } from '../../src/delivery/message-template.ts';
import type { DkimKey } from '../../src/delivery/dkim.ts';

export const PUBLIC_URL = 'https://techmatin.example.org';

let cached: Promise<{ content: MessageContent; publication: Publication }> | undefined;

/** The sample French edition rendered for email and text, with placeholders. */
export function sampleContent(): Promise<{ content: MessageContent; publication: Publication }> {
  cached ??= (async () => {
    const loaded = await loadEdition('examples/2026-03-02-tech-matin.md');
    if (!loaded.edition || !loaded.publication) throw new Error('sample edition does not load');
    const options = { publicUrl: PUBLIC_URL };
    return {
      publication: loaded.publication,
      content: {
        subject: subjectOf(loaded.edition),
        html: renderEmail(loaded.edition, loaded.publication, options),
        text: renderText(loaded.edition, loaded.publication, options),
      },
    };
  })();
  return cached;
}

/** Publication-level headers for the sample. */
export function sampleSettings(publication: Publication): MessageSettings {
  return {
    from: publication.from,
    replyTo: publication.replyTo,
    listId: `${publication.name} <${publication.slug}.example.org>`,
    listArchive: `${PUBLIC_URL}/${publication.slug}`,
    feedbackId: `1:${publication.slug}:matinale:example.org`,
  };
}

let key: { dkim: DkimKey; txt: string } | undefined;

/** A 2048-bit RSA DKIM key for example.org, and its DNS TXT record. */
export function dkimKey(): { dkim: DkimKey; txt: string } {
  if (!key) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const p = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    key = {
      dkim: { domain: 'example.org', selector: 'matin', privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
      txt: `v=DKIM1; k=rsa; p=${p}`,
    };
  }
  return key;
}

/** Decodes a quoted-printable body (for checking what a reader sees). */
export function decodeQp(encoded: string): string {
  const bytes = encoded.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
