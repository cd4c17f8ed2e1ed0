import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHTML } from 'linkedom';
import { renderWeb } from '../../src/render/web.ts';
import { PLACEHOLDER_TOKENS } from '../../src/render/placeholders.ts';
import { fixtureEdition, PUBLIC_URL } from './fixture-edition.ts';

const options = { publicUrl: PUBLIC_URL };

test('the web page is semantic: one h1, an h2 per section, an h3 per story', async () => {
  const { edition: e, publication: p } = await fixtureEdition('policy-morning');
  const doc = parseHTML(renderWeb(e, p, options)).document;
  assert.equal(doc.documentElement.getAttribute('lang'), 'en');
  assert.equal(doc.querySelectorAll('h1').length, 1);
  const sections = [...doc.querySelectorAll('main > section')];
  assert.deepEqual(
    sections.map((s) => s.querySelector('h2')!.textContent),
    e.sections.map((s) => s.label.toUpperCase()),
  );
  for (const [i, s] of sections.entries()) {
    const stories = [...s.querySelectorAll('article')];
    assert.equal(stories.length, e.sections[i]!.stories.length);
    for (const article of stories) assert.equal(article.firstElementChild!.tagName, 'DIV');
    assert.equal(s.querySelectorAll('article h3').length, stories.length);
  }
  assert.ok(doc.querySelector('nav h2'), 'the menu has its own heading');
  assert.ok(doc.querySelector('header') && doc.querySelector('main') && doc.querySelector('footer'));
});

test('the web page has a canonical URL, a description and Open Graph tags', async () => {
  const { edition: e, publication: p } = await fixtureEdition('policy-morning');
  const doc = parseHTML(renderWeb(e, p, options)).document;
  const url = `${PUBLIC_URL}/policy-morning/2026-03-02`;
  const meta = (selector: string) => doc.querySelector(selector)?.getAttribute('content');
  assert.equal(doc.querySelector('link[rel="canonical"]')?.getAttribute('href'), url);
  assert.equal(meta('meta[property="og:url"]'), url);
  assert.equal(meta('meta[property="og:title"]'), 'Ofcom names the day for the spectrum auction');
  assert.equal(meta('meta[property="og:type"]'), 'article');
  assert.equal(meta('meta[property="og:site_name"]'), 'Policy Morning');
  assert.ok(meta('meta[property="og:description"]'));
  assert.equal(meta('meta[name="description"]'), meta('meta[property="og:description"]'));
  assert.equal(meta('meta[name="viewport"]'), 'width=device-width, initial-scale=1');
});

test('the web page carries no per-recipient value and only absolute or in-page links', async () => {
  for (const name of ['tech-matin', 'policy-morning']) {
    const { edition: e, publication: p } = await fixtureEdition(name);
    const html = renderWeb(e, p, options);
    for (const token of PLACEHOLDER_TOKENS) assert.ok(!html.includes(token), `${token} in the web page`);
    const doc = parseHTML(html).document;
    for (const a of doc.querySelectorAll('a[href]')) {
      const href = a.getAttribute('href')!;
      if (href.startsWith('#')) assert.ok(doc.getElementById(href.slice(1)), href);
      else assert.match(href, /^(https?:|mailto:)/);
    }
  }
});
