// Golden fixture folders: test/fixtures/edition/<case>/input.md, with the
// expected model.json (the Edition, positions included) and, when the case has
// any, diagnostics.txt. UPDATE=1 regenerates them; review the diff.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseEdition } from '../../src/edition/parse.ts';
import { formatDiagnostic } from '../../src/edition/diagnostic.ts';
import { assertGolden } from '../helpers/golden.ts';

const ROOT = 'test/fixtures/edition';

describe('edition fixtures', () => {
  const cases = readdirSync(ROOT).filter((name) => existsSync(join(ROOT, name, 'input.md')));
  it('has the cases the format needs', () => {
    for (const name of ['sample-fr', 'sample-en', 'intro-and-free-content', 'list-leads', 'invalid']) assert.ok(cases.includes(name), name);
  });
  for (const name of cases) {
    it(name, () => {
      const dir = join(ROOT, name);
      const { edition, diagnostics } = parseEdition(readFileSync(join(dir, 'input.md'), 'utf8'), { file: 'input.md' });
      assertGolden(join(dir, 'model.json'), `${JSON.stringify(edition ?? null, null, 2)}\n`);
      const text = diagnostics.map(formatDiagnostic).join('\n');
      if (diagnostics.length > 0 || existsSync(join(dir, 'diagnostics.txt'))) assertGolden(join(dir, 'diagnostics.txt'), text ? `${text}\n` : '');
      // The valid cases must stay valid: a fixture that gains an error is a regression, not a new golden.
      if (name !== 'invalid') assert.deepEqual(diagnostics, [], name);
    });
  }
});
