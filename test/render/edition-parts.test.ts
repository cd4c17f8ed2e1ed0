import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editionParts, fillTemplate, joinedNames, piecesText } from '../../src/render/edition-parts.ts';
import { writtenDate } from '../../src/render/written-date.ts';
import { edition, publication, OPTIONS } from './edition-builder.ts';

test('dates are written out in the language', () => {
  assert.equal(writtenDate('2026-03-02', 'fr'), 'lundi 2 mars');
  assert.equal(writtenDate('2026-03-02', 'fr', { year: true }), 'lundi 2 mars 2026');
  assert.equal(writtenDate('2026-04-01', 'fr'), 'mercredi 1er avril');
  assert.equal(writtenDate('2026-03-02', 'en'), 'Monday 2 March');
  assert.equal(writtenDate('2026-03-02', 'en', { year: true }), 'Monday, 2 March 2026');
});

test('the edition date stays the same calendar day whatever the time zone', () => {
  // 2026-03-02 in Pacific/Kiritimati (UTC+14) and in Pacific/Pago_Pago (UTC-11) is still Monday.
  for (const timezone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Europe/Paris']) {
    const parts = editionParts(edition(), publication({ timezone }), OPTIONS);
    assert.equal(parts.dateline, 'lundi 2\u00a0mars 2026');
  }
});

test('lists of names are joined the language’s way', () => {
  assert.equal(joinedNames(['Paul Girard', 'Inès Haddad'], 'fr'), 'Paul Girard et Inès Haddad');
  assert.equal(joinedNames(['A', 'B', 'C'], 'fr'), 'A, B et C');
  assert.equal(joinedNames(['A', 'B', 'C'], 'en'), 'A, B and C');
  assert.equal(joinedNames(['A'], 'en'), 'A');
});

test('the byline shows names in capitals, the contributors joined', () => {
  const parts = editionParts(edition({ by: ['Jeanne Moreau'], with: ['Paul Girard', 'Inès Haddad'] }), publication(), OPTIONS);
  assert.equal(parts.byline, 'Par JEANNE MOREAU');
  assert.equal(parts.withLine, 'Avec PAUL GIRARD et INÈS HADDAD');
  const alone = editionParts(edition({ with: [] }), publication(), OPTIONS);
  assert.equal(alone.withLine, undefined);
  const en = editionParts(edition({ by: ['Alex Carter', 'Sam Roe'], with: ['Priya Shah'] }), publication({ language: 'en' }), OPTIONS);
  assert.equal(en.byline, 'By ALEX CARTER and SAM ROE');
  assert.equal(en.withLine, 'With PRIYA SHAH');
});

test('greeting and tip line come from the publication’s templates, else the language’s', () => {
  const custom = editionParts(
    edition(),
    publication({ greeting: 'Salut, c’est le {date}, ici {name}.', tipLine: 'Écrivez à {team}' }),
    OPTIONS,
  );
  assert.equal(piecesText(custom.greeting), 'Salut, c’est le lundi 2\u00a0mars, ici Tech Matin.');
  const links = custom.tipLine.filter((p) => p.href);
  assert.deepEqual(
    links.map((p) => [p.text, p.href]),
    [
      ['Jeanne Moreau', 'mailto:jeanne.moreau@example.org'],
      ['Lucie Fabre', 'mailto:lucie.fabre@example.org'],
      ['notre formulaire chiffré', 'https://news.example.org/tech-matin/tips'],
    ],
  );
  // A template without `{form}` gets the form offered after it.
  assert.equal(piecesText(custom.tipLine), 'Écrivez à Jeanne Moreau et Lucie Fabre. En toute confidentialité\u00a0: notre formulaire chiffré.');
  const placed = editionParts(edition(), publication({ tipLine: 'Par {form} ou à {team}' }), OPTIONS);
  assert.equal(piecesText(placed.tipLine), 'Par notre formulaire chiffré ou à Jeanne Moreau et Lucie Fabre.');
  const byDefault = editionParts(edition(), publication(), OPTIONS);
  assert.match(piecesText(byDefault.greeting), /lundi 2\u00a0mars/);
  assert.match(piecesText(byDefault.greeting), /Tech Matin/);
});

test('the tip line links the team and the publication’s tip form, in any language', () => {
  for (const language of ['fr', 'en'] as const) {
    const parts = editionParts(edition(), publication({ language }), OPTIONS);
    assert.deepEqual(
      parts.tipLine.filter((p) => p.href).map((p) => p.href),
      ['mailto:jeanne.moreau@example.org', 'mailto:lucie.fabre@example.org', 'https://news.example.org/tech-matin/tips'],
    );
    assert.match(piecesText(parts.tipLine), language === 'fr' ? /Lucie Fabre, ou passez par notre formulaire chiffré\.$/ : /Lucie Fabre, or use our encrypted form\.$/);
    assert.equal(parts.viewInBrowser.href, 'https://news.example.org/tech-matin/2026-03-02');
  }
});

test('a template keeps unknown slots as typed', () => {
  assert.equal(piecesText(fillTemplate('{name} et {autre}', { name: [{ text: 'X' }] }, 'fr')), 'X et {autre}');
});

test('the credits line closes with a full stop unless the author wrote one', () => {
  assert.equal(editionParts(edition({ thanks: 'notre éditrice Lucie Fabre' }), publication(), OPTIONS).credits, 'Un grand merci à\u00a0: notre éditrice Lucie Fabre.');
  assert.equal(editionParts(edition({ thanks: 'Lucie !' }), publication(), OPTIONS).credits, 'Un grand merci à\u00a0: Lucie\u202f!');
  assert.equal(editionParts(edition({ thanks: undefined }), publication(), OPTIONS).credits, undefined);
});

test('the « view in browser » link is the edition’s canonical address', () => {
  const parts = editionParts(edition(), publication(), { publicUrl: 'https://news.example.org/' });
  assert.equal(parts.viewInBrowser.href, 'https://news.example.org/tech-matin/2026-03-02');
  assert.throws(() => editionParts(edition(), publication(), { publicUrl: '/relative' }));
});
