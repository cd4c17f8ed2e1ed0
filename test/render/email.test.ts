import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHTML } from 'linkedom';
import { renderEmail } from '../../src/render/email.ts';
import { fillPlaceholders, PLACEHOLDERS, SAMPLE_PLACEHOLDER_VALUES } from '../../src/render/placeholders.ts';
import { escapeHtml } from '../../src/render/html-escape.ts';
import { preheaderOf } from '../../src/edition/inline-text.ts';
import { typeset } from '../../src/edition/typography.ts';
import { fixtureEdition, largeEdition, PUBLIC_URL } from './fixture-edition.ts';
import { edition, image, paragraph, publication, section, story, OPTIONS } from './edition-builder.ts';

const options = { publicUrl: PUBLIC_URL };

function documentOf(html: string) {
  return parseHTML(html).document;
}

test('the email declares its language, its colour schemes and real headings', async () => {
  const { edition: e, publication: p } = await fixtureEdition('tech-matin');
  const doc = documentOf(renderEmail(e, p, options));
  assert.equal(doc.documentElement.getAttribute('lang'), 'fr');
  assert.equal(doc.querySelector('meta[name="color-scheme"]')?.getAttribute('content'), 'light dark');
  assert.match(doc.querySelector('style')?.parentElement?.innerHTML ?? '', /prefers-color-scheme: dark/);
  const h1 = doc.querySelectorAll('h1');
  assert.equal(h1.length, 1);
  assert.match(h1[0]!.textContent!, /Tech Matin/);
  const h2 = [...doc.querySelectorAll('h2')].map((h) => h.textContent!.trim());
  assert.deepEqual(h2, ['AU MENU', 'LE FAIT DU JOUR', 'CYBERSÉCURITÉ', 'ORDRE DU JOUR', 'MARCHÉ', 'RESTEZ BRANCHÉS']);
  const h3 = [...doc.querySelectorAll('h3')].map((h) => h.textContent!.trim());
  assert.deepEqual(h3, ['LES CÂBLES D’ABORD.', 'DONNÉES DE SANTÉ, ACTE DEUX.', 'ALERTE AUX RANÇONGICIELS.']);
});

test('every link of the email is absolute once placeholders are filled, and menu links reach their stories', async () => {
  const { edition: e, publication: p } = await fixtureEdition('tech-matin');
  const html = fillPlaceholders(renderEmail(e, p, options), SAMPLE_PLACEHOLDER_VALUES, escapeHtml);
  const doc = documentOf(html);
  const links = [...doc.querySelectorAll('a[href]')];
  assert.ok(links.length > 10);
  for (const a of links) {
    const href = a.getAttribute('href')!;
    if (href.startsWith('#')) {
      assert.ok(doc.getElementById(href.slice(1)), `anchor ${href} has no target`);
      continue;
    }
    assert.match(href, /^(https?:\/\/|mailto:)/, `relative link ${href}`);
    assert.doesNotThrow(() => new URL(href));
  }
  const menu = [...doc.querySelectorAll('.mt-menu-list a')].map((a) => a.getAttribute('href'));
  assert.deepEqual(
    menu,
    e.menu.map((m) => `#${m.storyId}`),
  );
  assert.ok(
    links.some((a) => a.getAttribute('href') === `${PUBLIC_URL}/tech-matin/2026-03-02`),
    'view in browser link',
  );
  for (const member of p.team) {
    assert.ok(links.some((a) => a.getAttribute('href') === `mailto:${member.email}`), `mailto ${member.email}`);
  }
});

test('every image has its alt text', async () => {
  const { edition: e, publication: p } = await fixtureEdition('tech-matin');
  const doc = documentOf(renderEmail(e, p, options));
  const images = [...doc.querySelectorAll('img')];
  assert.equal(images.length, 1);
  for (const img of images) assert.ok(img.getAttribute('alt')?.trim(), 'img without alt');
  assert.equal(images[0]!.getAttribute('alt'), 'Carte des zones encore sans fibre');
});

test('the footer carries the per-recipient placeholders, and nothing per recipient is rendered', async () => {
  const { edition: e, publication: p } = await fixtureEdition('tech-matin');
  const doc = documentOf(renderEmail(e, p, options));
  assert.equal(doc.querySelector('a.mt-unsubscribe')?.getAttribute('href'), PLACEHOLDERS.unsubscribeUrl);
  assert.equal(doc.querySelector('a.mt-preferences')?.getAttribute('href'), PLACEHOLDERS.preferencesUrl);
  assert.match(doc.querySelector('.mt-why')!.textContent!, /%%recipient%%/);
  assert.equal(doc.querySelector('.mt-address')!.textContent, p.address);
});

test('the email shows every part in the order readers expect', async () => {
  const { edition: e, publication: p } = await fixtureEdition('tech-matin');
  const doc = documentOf(renderEmail(e, p, options));
  const all = [...doc.querySelectorAll('*')];
  const indexOf = (selector: string) => {
    const el = doc.querySelector(selector);
    assert.ok(el, `missing ${selector}`);
    return all.indexOf(el);
  };
  const preheader = all.findIndex(
    (el) => el.tagName === 'DIV' && /display:none/.test(el.getAttribute('style') ?? '') && (el.textContent ?? '').trim() === typeset(preheaderOf(e), 'fr'),
  );
  assert.ok(preheader >= 0, 'hidden preheader');
  const order = [
    preheader,
    indexOf('h1'),
    indexOf('.mt-byline'),
    indexOf('.mt-with'),
    indexOf('.mt-tipline'),
    indexOf('.mt-view-in-browser'),
    indexOf('.mt-menu-title'),
    indexOf('.mt-greeting-text'),
    indexOf('.mt-greeting .mt-p'),
    ...e.sections.map((s) => indexOf(`#${s.id}`)),
    indexOf('.mt-credits-text'),
    indexOf('.mt-unsubscribe'),
    indexOf('.mt-preferences'),
    indexOf('.mt-why'),
    indexOf('.mt-address'),
  ];
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
    'parts out of order',
  );
  assert.match(doc.querySelector('.mt-greeting-text')!.textContent!, /lundi 2\u00a0mars/);
  assert.equal(doc.querySelector('.mt-byline')!.textContent, 'Par JEANNE MOREAU');
  assert.equal(doc.querySelector('.mt-with')!.textContent, 'Avec PAUL GIRARD et INÈS HADDAD');
  assert.match(doc.querySelector('.mt-credits-text')!.textContent!, /^Un grand merci à\u00a0: notre éditrice/);
});

test('a kicker runs into its first paragraph, and lead-ins are bold', async () => {
  const { edition: e, publication: p } = await fixtureEdition('tech-matin');
  const doc = documentOf(renderEmail(e, p, options));
  const story = doc.getElementById(e.sections[0]!.stories[0]!.id)!;
  const opening = story.querySelector('.mt-opening')!;
  assert.equal(opening.firstElementChild!.tagName, 'H3');
  assert.match(opening.firstElementChild!.getAttribute('style')!, /display:inline/);
  assert.match(opening.querySelector('p')!.getAttribute('style')!, /display:inline/);
  assert.match(opening.querySelector('p')!.textContent!, /^Le gouvernement présente/);
  const leadIns = [...story.querySelectorAll('strong.mt-lead-in')].map((s) => s.textContent);
  assert.deepEqual(leadIns, ['Ce qu’on sait.', 'Ce qui coince.']);
});

test('a 1,500-word edition stays under the 102 KB at which Gmail clips mail', () => {
  const { edition: e, publication: p } = largeEdition();
  const bytes = Buffer.byteLength(renderEmail(e, p, options));
  assert.ok(bytes < 102 * 1024, `${bytes} bytes`);
});

test('an image that opens a story comes right after the kicker, with its alt text', () => {
  const e = edition({
    sections: [section('a', 'A', [story('s1-x', 'Photo.', [paragraph([image('https://example.org/a.png', 'Une photo')])])])],
  });
  const doc = documentOf(renderEmail(e, publication(), OPTIONS));
  assert.equal(doc.querySelector('#s1-x .mt-opening img')?.getAttribute('alt'), 'Une photo');
});
