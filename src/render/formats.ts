// The renderings one edition has, by name, for the command line and the preview.
import type { Edition } from '../edition/model.ts';
import type { Publication } from '../edition/publication.ts';
import { renderEmail } from './email.ts';
import { renderText } from './text.ts';
import { renderWeb } from './web.ts';
import { renderJson } from './json.ts';
import { renderEml } from './eml.ts';
import type { RenderOptions } from './urls.ts';

/** The formats `matinale render --format` accepts. */
export const FORMATS = ['email', 'text', 'web', 'json', 'eml'] as const;
export type Format = (typeof FORMATS)[number];

/** Renders one format; `eml` is bytes, the others text. */
export async function renderFormat(
  format: Format,
  edition: Edition,
  publication: Publication,
  options: RenderOptions,
): Promise<string | Buffer> {
  switch (format) {
    case 'email':
      return renderEmail(edition, publication, options);
    case 'text':
      return renderText(edition, publication, options);
    case 'web':
      return renderWeb(edition, publication, options);
    case 'json':
      return renderJson(edition, publication, options);
    case 'eml':
      return renderEml(edition, publication, options);
  }
}
