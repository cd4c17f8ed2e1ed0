// Grammar findings through the real checkers (Grammalecte in its Python
// process, Harper on its thread), on editions written for the test with
// errors at known places: exactly those findings, at those places, and none
// on the same editions corrected, nor on the sample editions (but the one
// documented false alarm). One grammar service for the whole file: one
// Grammalecte process, one Harper thread.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintFileReport } from '../../src/cli/lint.ts';
import type { Diagnostic } from '../../src/edition/diagnostic.ts';
import { GrammarService } from '../../src/grammar/service.ts';

const FIX = 'test/fixtures/grammar';
const service = new GrammarService();
after(() => service.close());

const grammarOf = (diagnostics: readonly Diagnostic[]): string[] =>
  diagnostics.filter((d) => d.rule.startsWith('grammar-')).map((d) => `${d.line}:${d.column} ${d.rule}`);

test('French: each planted error is found by Grammalecte at its place, with its family and suggestion; nothing else', async () => {
  const { diagnostics, notes } = await lintFileReport(`${FIX}/2026-04-01-grammaire-matin.md`, { checker: service });
  assert.deepEqual(notes, []);
  assert.deepEqual(grammarOf(diagnostics), [
    '11:45 grammar-verb-form', // the teaser: « prévu de déposez »
    '13:28 grammar-verb-form', // « prévu de déposez »
    '14:2 grammar-inversion', // « A-elle » (the underlined words start at the hyphen)
    '16:24 grammar-agreement', // « Les mesure annoncées »
    '17:88 grammar-confusion', // « mais sa ne change »
  ]);
  const byPlace = new Map(diagnostics.map((d) => [`${d.line}:${d.column}`, d.message]));
  assert.match(byPlace.get('13:28')!, /^« déposez »: .*\(suggestion: .*« déposer »\)$/);
  assert.match(byPlace.get('14:2')!, /« -t-elle »/);
  assert.match(byPlace.get('16:24')!, /^« mesure »: .*\(suggestion: « mesures »\)$/);
  assert.match(byPlace.get('17:88')!, /^« sa »: .*\(suggestion: « ça »\)$/);
  // The straight quotes, the three dots, the straight apostrophe and the space before « . » of line 20
  // are typography: only Matinale's own rule speaks, once per quote; Grammalecte is not asked.
  assert.deepEqual(
    diagnostics.filter((d) => !d.rule.startsWith('grammar-')).map((d) => `${d.line}:${d.column} ${d.rule}`),
    ['20:19 fr-straight-quotes', '20:23 fr-straight-quotes'],
  );
});

test('English: each planted error is found by Harper at its place, with its family and suggestion; nothing else', async () => {
  const { diagnostics, notes } = await lintFileReport(`${FIX}/2026-04-01-grammar-morning.md`, { checker: service });
  assert.deepEqual(notes, []);
  assert.deepEqual(grammarOf(diagnostics), [
    '11:30 grammar-confusion', // the teaser: « could of »
    '13:23 grammar-agreement', // « she have »
    '14:19 grammar-agreement', // « a apple »
    '14:51 grammar-confusion', // « could of », its words on two lines
    '15:34 grammar-verb-form', // « did not went »
  ]);
  const byPlace = new Map(diagnostics.map((d) => [`${d.line}:${d.column}`, d.message]));
  assert.match(byPlace.get('13:23')!, /^« have »: .*\(suggestion: « has »\)$/);
  assert.match(byPlace.get('14:19')!, /^« a »: .*\(suggestion: « an »\)$/);
  assert.match(byPlace.get('15:34')!, /^« went »: .*\(suggestion: « go »\)$/);
  // Straight quotes, three dots and two hyphens for a dash (line 19) are the renderings' to set.
  assert.deepEqual(diagnostics.filter((d) => !d.rule.startsWith('grammar-')), []);
});

test('the front matter and link addresses are not checked (they hold the same errors)', async () => {
  for (const file of ['2026-04-01-grammaire-matin.md', '2026-04-01-grammar-morning.md']) {
    const { diagnostics } = await lintFileReport(`${FIX}/${file}`, { checker: service });
    // `thanks:` (line 5) holds « ils a relu, les mesure prises » / « she have read it, could of been worse ».
    assert.equal(diagnostics.filter((d) => d.line <= 6).length, 0, file);
    const lines = readFileSync(`${FIX}/${file}`, 'utf8').split('\n');
    for (const d of diagnostics) {
      const url = /\]\((\S+)\)/.exec(lines[d.line - 1]!);
      if (url) assert.ok(d.column - 1 < lines[d.line - 1]!.indexOf(url[1]!) || d.column - 1 > lines[d.line - 1]!.indexOf(url[1]!) + url[1]!.length, `${file}:${d.line}:${d.column} is inside an address`);
    }
  }
});

test('the corrected editions give no grammar finding', async () => {
  for (const file of ['2026-04-02-grammaire-matin.md', '2026-04-02-grammar-morning.md']) {
    const { diagnostics, notes } = await lintFileReport(`${FIX}/${file}`, { checker: service });
    assert.deepEqual(notes, [], file);
    assert.deepEqual(diagnostics, [], file);
  }
});

test('the sample editions: no grammar finding but the documented one (« le plan fibre », an apposition Grammalecte takes for an adjective)', async () => {
  const fr = await lintFileReport('examples/2026-03-02-tech-matin.md', { checker: service });
  assert.deepEqual(grammarOf(fr.diagnostics), ['12:27 grammar-agreement']);
  const en = await lintFileReport('examples/2026-03-02-policy-morning.md', { checker: service });
  assert.deepEqual(grammarOf(en.diagnostics), []);
});

test('a rule the publication turns off is silent; the other families still speak', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'grammar-off-'));
  try {
    const settings = readFileSync(`${FIX}/publications/grammaire-matin.yaml`, 'utf8');
    writeFileSync(join(dir, 'off.yaml'), `${settings}lint:\n  off: [grammar-agreement, grammar-inversion]\n`);
    const { diagnostics } = await lintFileReport(`${FIX}/2026-04-01-grammaire-matin.md`, { checker: service, publication: join(dir, 'off.yaml') });
    assert.deepEqual(grammarOf(diagnostics), ['11:45 grammar-verb-form', '13:28 grammar-verb-form', '17:88 grammar-confusion']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one Grammalecte process serves every lint of the service, and a process that died is replaced at the next check', async () => {
  await lintFileReport(`${FIX}/2026-04-01-grammaire-matin.md`, { checker: service });
  const pid = service.grammalecte.pid;
  assert.ok(pid);
  const again = await lintFileReport(`${FIX}/2026-04-02-grammaire-matin.md`, { checker: service });
  assert.equal(service.grammalecte.pid, pid);
  assert.deepEqual(again.diagnostics, []);
  process.kill(pid, 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const afterKill = await lintFileReport(`${FIX}/2026-04-01-grammaire-matin.md`, { checker: service });
  assert.notEqual(service.grammalecte.pid, pid);
  assert.equal(grammarOf(afterKill.diagnostics).length, 5);
});
