// YAML with source positions, shared by the front matter and the publication
// settings: every node and every syntax error is placed at the line and column
// of the file it came from, even when the YAML starts further down the file.
import { LineCounter, parseDocument, isMap, isScalar, isPair } from 'yaml';
import type { Document, Node as YamlNode, YAMLMap } from 'yaml';

export interface Place {
  line: number;
  column: number;
}

export interface YamlSource {
  doc: Document.Parsed;
  /** The file place of an offset in the YAML text. */
  at(offset: number): Place;
  /** The file place where a YAML node starts (the origin when it has no range). */
  placeOf(node: unknown): Place;
  /** Syntax errors and warnings, each at its file place, with yaml's own words. */
  problems: Array<{ message: string; at: Place }>;
}

/**
 * Parses YAML text that begins at `origin` in its file (line 2 for a front
 * matter after its `---`), keeping positions so that problems point into the file.
 */
export function parseYamlSource(text: string, origin: Place = { line: 1, column: 1 }): YamlSource {
  const lineCounter = new LineCounter();
  // prettyErrors off: its messages embed positions relative to the YAML text, not the file.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number): Place => {
    const pos = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return {
      line: origin.line + pos.line - 1,
      column: pos.line === 1 ? origin.column + pos.col - 1 : pos.col,
    };
  };
  const placeOf = (node: unknown): Place => {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    return range ? at(range[0]) : origin;
  };
  const problems = [...doc.errors, ...doc.warnings].map((e) => ({
    message: e.message.split('\n')[0]!.replace(/\s*at line \d+, column \d+:?$/, ''),
    at: at(e.pos[0]),
  }));
  return { doc, at, placeOf, problems };
}

/** The pairs of a YAML mapping as [key text, key node, value node], in source order. */
export function mappingEntries(map: YAMLMap): Array<{ key: string; keyNode: unknown; value: YamlNode | null }> {
  const out: Array<{ key: string; keyNode: unknown; value: YamlNode | null }> = [];
  for (const pair of map.items) {
    if (!isPair(pair)) continue;
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode ?? '');
    out.push({ key, keyNode, value: (pair.value as YamlNode | null) ?? null });
  }
  return out;
}

export { isMap };
