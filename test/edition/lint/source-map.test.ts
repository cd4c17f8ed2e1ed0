import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromMarkdown } from 'mdast-util-from-markdown';
import type { Text } from 'mdast';
import { offsetsOf } from '../../../src/edition/lint/source-map.ts';
import { SourceLines } from '../../../src/edition/source-lines.ts';
import type { Span } from '../../../src/edition/model.ts';

function firstText(markdown: string): { value: string; span: Span } {
  const found: Text[] = [];
  const walk = (node: { type: string; children?: unknown[] }): void => {
    if (node.type === 'text') found.push(node as Text);
    for (const child of (node.children ?? []) as { type: string }[]) walk(child);
  };
  walk(fromMarkdown(markdown));
  const t = found[0]!;
  return { value: t.value, span: t.position as Span };
}

test('offsetsOf: a soft line break drops the indentation of the next line of a list item', () => {
  const md = '- un deux\n  trois quatre\n';
  const { value, span } = firstText(md);
  assert.equal(value, 'un deux\ntrois quatre');
  const offsets = offsetsOf(md, value, span);
  assert.equal(md[offsets[value.indexOf('trois')]!], 't');
  assert.equal(offsets[value.indexOf('trois')], md.indexOf('trois'));
  assert.equal(offsets[value.indexOf('quatre')], md.indexOf('quatre'));
});

test('offsetsOf: escapes and character references are skipped, not counted', () => {
  const md = 'a \\* b &amp; c &#233;t&eacute; d\n';
  const { value, span } = firstText(md);
  assert.equal(value, 'a * b & c été d');
  const offsets = offsetsOf(md, value, span);
  assert.equal(offsets[value.indexOf('b')], md.indexOf('b'));
  assert.equal(offsets[value.indexOf('&')], md.indexOf('&amp;'));
  assert.equal(offsets[value.indexOf('c')], md.indexOf('c'));
  assert.equal(offsets[value.indexOf('d')], md.indexOf('d'));
});

test('SourceLines: 1-based line and column of offsets, across LF and CRLF', () => {
  const lines = new SourceLines('ab\ncd\r\nef');
  assert.deepEqual(lines.pointAt(0), { line: 1, column: 1 });
  assert.deepEqual(lines.pointAt(4), { line: 2, column: 2 });
  assert.deepEqual(lines.pointAt(7), { line: 3, column: 1 });
});

test('SourceLines: columns in characters, an emoji (a surrogate pair) being one', () => {
  const lines = new SourceLines('ab\n🎉🎉 x\r\n');
  assert.deepEqual(lines.pointAt('ab\n🎉🎉 '.length), { line: 2, column: 4 });
  assert.deepEqual(lines.place({ line: 2, column: 6 }), { line: 2, column: 4 });
  assert.equal(lines.line(2), '🎉🎉 x');
});
