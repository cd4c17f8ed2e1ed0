// The platform's own words (strings.ts, the templates of edition-parts.ts)
// follow the French typography of the author's text: a no-break space before
// « : », a narrow one before « ; ! ? », the apostrophe ’. A string that missed
// the typesetter shows as an ordinary space or a straight apostrophe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderEmail } from '../../src/render/email.ts';
import { renderText } from '../../src/render/text.ts';
import { renderWeb } from '../../src/render/web.ts';
import { editionParts, piecesText } from '../../src/render/edition-parts.ts';
import { edition, publication, OPTIONS, paragraph, section, story } from './edition-builder.ts';
import { fixtureEdition } from './fixture-edition.ts';

/** The text a reader sees in an HTML page: no style, no comment, no tag; entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([\da-f]+);/gi, (_m, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Every ordinary space before a high punctuation mark, and every straight apostrophe, with some context. */
function typographyFaults(text: string): string[] {
  return [...text.matchAll(/.{0,20}(?: [:;!?]|')(?:.{0,10})/g)].map((m) => m[0]);
}

// Author text without any of these marks: whatever is found comes from the platform's own words.
const plain = edition({
  thanks: 'notre éditrice Lucie Fabre',
  sections: [section('le-fait-du-jour', 'Le fait du jour', [story('s1-un-sujet', 'Un sujet.', [paragraph(['Du texte sans ponctuation haute'])], 'Une accroche')])],
});

test('French fixed strings come out typeset in the email, the text and the web page', () => {
  const pub = publication();
  assert.equal(pub.language, 'fr');
  const outputs = {
    email: visibleText(renderEmail(plain, pub, OPTIONS)),
    text: renderText(plain, pub, OPTIONS),
    web: visibleText(renderWeb(plain, pub, OPTIONS)),
  };
  for (const [format, output] of Object.entries(outputs)) assert.deepEqual(typographyFaults(output), [], format);
  // The plain-text footer, where « : » followed a label typeset on its own.
  assert.match(outputs.text, /^Se désinscrire\u00a0:$/m);
  assert.match(outputs.text, /^Gérer vos préférences\u00a0:$/m);
});

test('French fixed strings are typeset across their slots (« ? » after the names)', () => {
  const parts = editionParts(plain, publication({ tipLine: 'Une info pour {team} ?' }), OPTIONS);
  assert.match(piecesText(parts.tipLine), /^Une info pour Jeanne Moreau et Lucie Fabre\u202f\? /);
  assert.doesNotMatch(parts.footer.why, /'/);
});

test('the French fixture editions carry no ordinary space before : ; ! ? and no straight apostrophe', async () => {
  const { edition: e, publication: pub } = await fixtureEdition('tech-matin');
  for (const [format, output] of Object.entries({
    email: visibleText(renderEmail(e, pub, OPTIONS)),
    text: renderText(e, pub, OPTIONS),
    web: visibleText(renderWeb(e, pub, OPTIONS)),
  })) {
    assert.deepEqual(typographyFaults(output), [], format);
  }
});
