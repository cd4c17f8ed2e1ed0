import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHTML } from 'linkedom';
import { renderEmail } from '../../src/render/email.ts';
import { renderWeb } from '../../src/render/web.ts';
import { renderText } from '../../src/render/text.ts';
import { renderJson } from '../../src/render/json.ts';
import { edition, em, image, link, list, paragraph, publication, section, story, strong, text, OPTIONS } from './edition-builder.ts';

const EVIL = `<script>alert("x")</script> & 'quote' "dq" <img src=x onerror=alert(1)>`;

function evilEdition() {
  return edition({
    by: [EVIL],
    with: [EVIL],
    thanks: EVIL,
    subject: EVIL,
    preheader: EVIL,
    intro: [paragraph([EVIL, em(text(EVIL)), strong(text(EVIL))], EVIL)],
    sections: [
      section(
        'evil-section',
        EVIL,
        [
          story(
            's1-evil',
            EVIL,
            [
              paragraph([EVIL, link(`https://example.org/?a="><script>alert(1)</script>&b='`, EVIL)], EVIL),
              paragraph([link('javascript:alert(1)', 'click'), image(`https://example.org/x.png" onerror="alert(1)`, EVIL)]),
            ],
            EVIL,
          ),
        ],
        [list([{ lead: EVIL, content: [EVIL] }])],
      ),
    ],
  });
}

const evilPublication = () =>
  publication({
    name: EVIL,
    address: EVIL,
    greeting: `${EVIL} {date} {name}`,
    tipLine: `${EVIL} {team}`,
    team: [{ name: EVIL, email: 'a@example.org', role: 'author' }],
  });

for (const [name, render] of [
  ['email', renderEmail],
  ['web page', renderWeb],
] as const) {
  test(`author and publication text stays text in the ${name}`, () => {
    const html = render(evilEdition(), evilPublication(), OPTIONS);
    const doc = parseHTML(html).document;
    assert.equal(doc.querySelectorAll('script').length, 0, 'a <script> element got through');
    for (const el of doc.querySelectorAll('*')) {
      for (const attr of el.getAttributeNames()) assert.ok(!attr.startsWith('on'), `event handler ${attr} on <${el.tagName}>`);
    }
    for (const a of doc.querySelectorAll('a[href]')) assert.doesNotMatch(a.getAttribute('href')!, /^javascript:/i);
    const images = [...doc.querySelectorAll('img')];
    assert.equal(images.length, 1);
    assert.match(images[0]!.getAttribute('alt')!, /<script>alert/, 'the alt text is kept as text');
    assert.equal(images[0]!.getAttribute('onerror'), null);
    // The evil text is shown, as text, where it was typed.
    assert.match(doc.querySelector('h1')!.textContent!, /<script>alert/);
    assert.match(doc.body.textContent!, /<img src=x onerror=alert\(1\)>/);
  });
}

test('the plain text and the JSON carry the text as typed, without turning it into markup', () => {
  const txt = renderText(evilEdition(), evilPublication(), OPTIONS);
  assert.match(txt, /<script>alert/);
  assert.doesNotMatch(txt, /&lt;|&amp;/);
  const json = JSON.parse(renderJson(evilEdition(), evilPublication(), OPTIONS));
  assert.equal(json.edition.by[0], EVIL);
});
