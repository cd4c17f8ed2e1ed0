// The JSON rendering: the model itself, with the publication's slug and the
// derived subject and preheader (documented in docs/edition-json.md).
import type { Edition } from '../edition/model.ts';
import type { Publication } from '../edition/publication.ts';
import { editionParts } from './edition-parts.ts';
import type { RenderOptions } from './urls.ts';

/** Version of the JSON shape; raised on any incompatible change. */
export const EDITION_JSON_VERSION = 1;

export interface EditionJson {
  version: typeof EDITION_JSON_VERSION;
  publication: { slug: string; name: string; language: string };
  /** The « view in browser » address. */
  url: string;
  /** Typeset subject and preheader, as the email carries them. */
  subject: string;
  preheader: string;
  /** The model as parsed: author text as typed, with source positions. */
  edition: Edition;
}

/** The JSON document of an edition, as a value. */
export function editionJson(edition: Edition, publication: Publication, options: RenderOptions): EditionJson {
  const parts = editionParts(edition, publication, options);
  return {
    version: EDITION_JSON_VERSION,
    publication: { slug: publication.slug, name: publication.name, language: publication.language },
    url: parts.url,
    subject: parts.subject,
    preheader: parts.preheader,
    edition,
  };
}

/** Renders the JSON document of an edition, indented, ending with a newline. */
export function renderJson(edition: Edition, publication: Publication, options: RenderOptions): string {
  return JSON.stringify(editionJson(edition, publication, options), null, 2) + '\n';
}
