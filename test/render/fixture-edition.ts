// Loads the golden fixture editions (test/fixtures/render/<case>/input.md) through the real loader.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadEdition } from '../../src/edition/load.ts';
import { parseEdition } from '../../src/edition/parse.ts';
import { parsePublicationYaml } from '../../src/edition/publication-file.ts';
import { readFileSync } from 'node:fs';
import type { Edition } from '../../src/edition/model.ts';
import type { Publication } from '../../src/edition/publication.ts';
import { largeEditionSource } from './large-edition.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/render/', import.meta.url));
export const CASES = ['tech-matin', 'policy-morning'] as const;
export const PUBLIC_URL = 'https://news.example.org';

/** A fixture case's edition and publication, failing the test on any diagnostic. */
export async function fixtureEdition(name: string): Promise<{ edition: Edition; publication: Publication }> {
  const loaded = await loadEdition(join(FIXTURES, name, 'input.md'));
  assert.deepEqual(loaded.diagnostics, [], `fixture ${name} has diagnostics`);
  return { edition: loaded.edition!, publication: loaded.publication! };
}

/** The generated 1,500-word edition, parsed, with the French fixture publication. */
export function largeEdition(): { edition: Edition; publication: Publication } {
  const file = join(FIXTURES, 'publications', 'tech-matin.yaml');
  const { publication } = parsePublicationYaml(readFileSync(file, 'utf8'), file);
  const parsed = parseEdition(largeEditionSource(), { file: 'large.md', publication });
  assert.deepEqual(parsed.diagnostics, []);
  return { edition: parsed.edition!, publication: publication! };
}
