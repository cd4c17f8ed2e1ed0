// Escaping by default in page templates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, raw } from '../../src/web/html.ts';

test('interpolated text is escaped, built markup is not', () => {
  const name = '<script>alert("x")</script> & co';
  const inner = html`<b>${name}</b>`;
  assert.equal(html`<p title="${name}">${inner}</p>`.value, '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"><b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</b></p>');
});

test('arrays are joined, null, undefined and false vanish, numbers print', () => {
  assert.equal(html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>${null}${undefined}${false}${0}`.value, '<ul><li>a&lt;</li><li>b</li></ul>0');
});

test('raw marks a renderer’s markup as safe', () => {
  assert.equal(html`<div>${raw('<em>ok</em>')}</div>`.value, '<div><em>ok</em></div>');
});
