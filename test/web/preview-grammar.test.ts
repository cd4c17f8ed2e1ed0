// The dashboard's preview gives the grammar findings `matinale lint` gives:
// its threads ask the server's one grammar service (one Grammalecte process
// for every preview: the same pid across previews), Harper on its own thread.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, Visitor, newsroom, samplePublication } from './harness.ts';
import type { Diagnostic } from '../../src/edition/diagnostic.ts';
import { lintReport } from '../../src/edition/lint.ts';
import { parseEdition } from '../../src/edition/parse.ts';
import type { Publication } from '../../src/edition/publication.ts';
import { GrammarService, sharedGrammarService, closeSharedGrammarService } from '../../src/grammar/service.ts';
import { PreviewRunner } from '../../src/web/preview-runner.ts';

const FIX = 'test/fixtures/grammar';
const service = new GrammarService();
after(async () => {
  await service.close();
  await closeSharedGrammarService();
});

/** A fixture edition moved into a sample publication: its slug and byline. */
function moved(file: string, slug: string, by: string): string {
  return readFileSync(`${FIX}/${file}`, 'utf8')
    .replace(/^publication: .*$/m, `publication: ${slug}`)
    .replace(/^by: .*$/m, `by: ${by}`);
}

async function lintDiagnostics(source: string, publication: Publication): Promise<Diagnostic[]> {
  const parsed = parseEdition(source, { file: `${publication.slug}.md`, publication });
  const report = await lintReport({ source, edition: parsed.edition!, publication, file: `${publication.slug}.md`, words: publication.words ?? [], grammar: service });
  return report.diagnostics;
}

const grammar = (ds: readonly Diagnostic[]) => ds.filter((d) => d.rule.startsWith('grammar-'));

const [backend] = await testBackends();

test('French: the editor preview gives the grammar findings lint gives, from one Grammalecte process', async (t) => {
  const n = await newsroom(backend!);
  t.after(() => n.close());
  const author = new Visitor(n.app);
  await author.signIn(AUTHOR);
  const source = moved('2026-04-01-grammaire-matin.md', 'tech-matin', 'Jeanne Moreau');
  const preview = async () => {
    const res = await author.api('POST', '/api/editions/preview', { publication: 'tech-matin', edition: n.ids.techEdition, source });
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    return JSON.parse(res.body) as { diagnostics: Diagnostic[]; notes: string[] };
  };
  const first = await preview();
  const expected = grammar(await lintDiagnostics(source, samplePublication('tech-matin')));
  assert.equal(expected.length, 5);
  assert.deepEqual(grammar(first.diagnostics), expected);
  assert.deepEqual(first.notes, []);
  const pid = sharedGrammarService().grammalecte.pid;
  assert.ok(pid, 'the server runs one Grammalecte process');
  const second = await preview();
  assert.deepEqual(grammar(second.diagnostics), expected);
  assert.equal(sharedGrammarService().grammalecte.pid, pid, 'the same process served both previews');
});

test('English: a preview thread gets Harper’s findings through the main thread, as lint does', async () => {
  const publication = samplePublication('policy-morning');
  const source = moved('2026-04-01-grammar-morning.md', 'policy-morning', 'Alex Carter');
  const runner = new PreviewRunner({ threads: 1, grammar: service });
  try {
    const preview = await runner.run({ source, publication, publicUrl: 'http://localhost' });
    const expected = grammar(await lintDiagnostics(source, publication));
    assert.equal(expected.length, 5);
    assert.deepEqual(grammar(preview.diagnostics), expected);
  } finally {
    await runner.close();
  }
});
