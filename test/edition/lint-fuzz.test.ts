import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseEdition } from '../../src/edition/parse.ts';
import { lintEdition } from '../../src/edition/lint.ts';
import { editionSource, publication } from './lint/lint-helper.ts';

// Pieces that stress the source mapping: elisions, quotes, escapes, references,
// soft breaks, list indentation, emphasis and links around defects.
const piece = fc.constantFrom(
  "l'source", "l' Sommet", 'l ‘innovation', '"mot"', 'le le', 'gouvernemant', '\\*', '&amp;', '&#233;', '\n', '\n  ',
  '*em*', '**fort.**', '[lien](https://example.org/a)', ' ', 'texte', '- ', '# Section\n\n', '## Sujet.\n', '> menu: Un teaser.\n\n',
  '\n\n', 'Œuvre', '9 h 30', '\t', '😀', 'https://example.org/x?y="z"',
);

test('lint never throws, and every diagnostic points inside the source', async () => {
  const pub = publication('fr');
  await fc.assert(
    fc.asyncProperty(fc.array(piece, { maxLength: 40 }), async (pieces) => {
      const source = editionSource(`# Le fait du jour\n\n${pieces.join('')}\n`);
      const parsed = parseEdition(source, { file: 'e.md', publication: pub });
      if (!parsed.edition) return;
      const diagnostics = await lintEdition({ source, edition: parsed.edition, publication: pub, file: 'e.md', suggest: false });
      const lines = source.split('\n');
      for (const d of diagnostics) {
        assert.ok(d.line >= 1 && d.line <= lines.length, `line ${d.line}`);
        assert.ok(d.column >= 1 && d.column <= lines[d.line - 1]!.length + 1, `column ${d.column} on line ${d.line}`);
      }
    }),
    { numRuns: 200 },
  );
});
