import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillPlaceholders, PLACEHOLDER_TOKENS, PLACEHOLDERS, SAMPLE_PLACEHOLDER_VALUES } from '../../src/render/placeholders.ts';
import { escapeHtml } from '../../src/render/html-escape.ts';
import { renderEmail } from '../../src/render/email.ts';
import { renderText } from '../../src/render/text.ts';
import { edition, publication, OPTIONS } from './edition-builder.ts';

test('placeholders are ASCII tokens that HTML escaping leaves as they are', () => {
  for (const token of PLACEHOLDER_TOKENS) {
    assert.match(token, /^[\x21-\x7e]+$/);
    assert.equal(escapeHtml(token), token);
    assert.equal(encodeURI(token).replace(/%25/g, '%'), token);
  }
});

test('the email and the text carry each placeholder through MJML unchanged, and filling removes them all', () => {
  for (const rendered of [renderEmail(edition(), publication(), OPTIONS), renderText(edition(), publication(), OPTIONS)]) {
    for (const token of PLACEHOLDER_TOKENS) assert.ok(rendered.includes(token), `${token} lost`);
    const filled = fillPlaceholders(rendered, SAMPLE_PLACEHOLDER_VALUES);
    for (const token of PLACEHOLDER_TOKENS) assert.ok(!filled.includes(token));
    assert.ok(filled.includes(SAMPLE_PLACEHOLDER_VALUES.unsubscribeUrl));
  }
});

test('filling escapes values for the context it is given', () => {
  const values = { ...SAMPLE_PLACEHOLDER_VALUES, recipient: 'o\'brien&co@example.org' };
  assert.equal(fillPlaceholders(`<p>${PLACEHOLDERS.recipient}</p>`, values, escapeHtml), '<p>o&#39;brien&amp;co@example.org</p>');
  assert.equal(fillPlaceholders(PLACEHOLDERS.recipient, values), 'o\'brien&co@example.org');
});
