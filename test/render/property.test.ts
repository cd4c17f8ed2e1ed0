// Property tests: whatever text an edition holds, every rendering comes out,
// stays well-formed, keeps the text as text, and the plain text keeps its width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseHTML } from 'linkedom';
import type { Inline } from '../../src/edition/model.ts';
import { renderEmail } from '../../src/render/email.ts';
import { renderText } from '../../src/render/text.ts';
import { renderWeb } from '../../src/render/web.ts';
import { renderJson } from '../../src/render/json.ts';
import { displayLength } from '../../src/render/text-wrap.ts';
import { edition, link, list, paragraph, publication, section, story, text, OPTIONS } from './edition-builder.ts';

// Text with the characters that matter: markup, quotes, entities, placeholders' %, spaces of every kind, accents, emoji.
const piece = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('<script>', '</p>', '&amp;', '"', "'", '%%', '\u00a0', '\u202f', 'é', 'e\u0301', '👍🏽', ' ', '  ', 'https://example.org/x?a=1&b=2', '!', '?', ':'),
);
const words = fc.array(piece, { minLength: 1, maxLength: 12 }).map((parts) => parts.join('') || 'x');
const url = fc.oneof(fc.webUrl(), fc.constantFrom('javascript:alert(1)', 'mailto:a@example.org', '/relative', 'data:text/html,x'));
const inline: fc.Arbitrary<Inline> = fc.oneof(
  words.map((w) => text(w)),
  fc.tuple(url, words).map(([u, w]) => link(u, w)),
);

const anEdition = fc
  .record({
    label: words,
    kicker: words,
    teaser: words,
    body: fc.array(inline, { minLength: 1, maxLength: 6 }),
    leadIn: fc.option(words, { nil: undefined }),
    item: words,
    by: words,
    thanks: fc.option(words, { nil: undefined }),
    name: words,
  })
  .map((r) => ({
    edition: edition({
      by: [r.by],
      thanks: r.thanks,
      sections: [
        section('s', r.label, [story('s1-a', r.kicker, [paragraph(r.body), paragraph(r.body, r.leadIn)], r.teaser)], [
          list([[r.item]]),
        ]),
      ],
    }),
    publication: publication({ name: r.name }),
  }));

test('every rendering of any edition is well-formed, escaped and within the plain-text width', () => {
  fc.assert(
    fc.property(anEdition, ({ edition: e, publication: p }) => {
      for (const html of [renderEmail(e, p, OPTIONS), renderWeb(e, p, OPTIONS)]) {
        const doc = parseHTML(html).document;
        assert.equal(doc.querySelectorAll('script').length, 0);
        assert.equal(doc.querySelectorAll('h1').length, 1);
        for (const a of doc.querySelectorAll('a[href]')) assert.match(a.getAttribute('href')!, /^(https?:|mailto:|#|%%)/);
      }
      for (const line of renderText(e, p, OPTIONS).split('\n')) {
        // Only an unbreakable run (a URL, or words tied by no-break spaces) may run past 78, after its bullet or indent.
        if (displayLength(line) > 78) assert.match(line, /^(\[\d+\] |- |— | +)?[^ ]+$/, `line too long: ${JSON.stringify(line)}`);
      }
      assert.deepEqual(JSON.parse(renderJson(e, p, OPTIONS)).edition.by, e.by);
    }),
    // Shrinking re-renders through MJML: bound the time a failure may take to report.
    { numRuns: 50, interruptAfterTimeLimit: 60_000 },
  );
});
