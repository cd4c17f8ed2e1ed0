// The layers of src/ (README.md, Layout): each folder imports only from the
// layers below it, and from folders of its own layer that come before it in
// the list (render/ reads edition/'s model; delivery/ uses audience/'s
// suppression; the command line serves the web app and seeds the demo).
// eslint.config.js turns this table into `no-restricted-imports` rules, so
// that an import going up fails `npm run lint`; test/lint-layers.test.ts
// proves it and checks that every folder of src/ is in the table.
//
// Outside src/ there is no layer: tests, benchmarks and scripts may import
// anything (a test reaches into the store to set up what a face shows).

/** Bottom first. A layer's entries are ordered too: an entry may import those before it, not those after. */
export const LAYERS = [
  { name: 'base', entries: ['clock.ts', 'config.ts'] },
  { name: 'pure', entries: ['edition', 'render'] },
  { name: 'store', entries: ['store'] },
  { name: 'domain', entries: ['grammar', 'audience', 'delivery', 'tips'] },
  { name: 'faces', entries: ['web', 'demo', 'cli'] },
];

/** The database's libraries: only src/store talks to the database (README.md, Layout). */
const DATABASE_LIBRARIES = ['kysely', 'pg', 'pg-copy-streams', 'better-sqlite3'];
const STORE_ONLY = 'Only src/store talks to the database: add a query function to the store module of its entity (README.md, Layout).';

/** Folders outside src/ that no source file may import. */
const NEVER_FROM_SRC = ['test', 'bench', 'scripts'];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The entries of src/ that `entry` may not import, with the reason shown by the lint. */
export function forbiddenFor(entry) {
  const order = LAYERS.flatMap((layer, rank) => layer.entries.map((e, i) => ({ entry: e, layer, rank, i })));
  const self = order.find((o) => o.entry === entry);
  if (!self) throw new Error(`src/${entry} is in no layer of eslint-layers.js: add it where it belongs`);
  return order.filter((o) => o.rank > self.rank || (o.rank === self.rank && o.i > self.i)).map((o) => o.entry);
}

function describe(entry) {
  const layer = LAYERS.find((l) => l.entries.includes(entry));
  const rank = LAYERS.indexOf(layer) + 1;
  return `src/${entry} is layer ${rank} (${layer.name})`;
}

/** The `no-restricted-imports` patterns of a file of `entry` at `depth` folders below src/ (0: config.ts, 1: src/store/x.ts, 2: src/store/migrations/x.ts). */
export function layerPatterns(entry, depth) {
  const forbidden = forbiddenFor(entry);
  const up = depth === 0 ? '\\./' : escape('../'.repeat(depth));
  const patterns = [];
  if (forbidden.length) {
    const names = forbidden.map((f) => escape(f.replace(/\.ts$/, ''))).join('|');
    patterns.push({
      regex: `^${up}(${names})(/|\\.ts$)`,
      message: `${describe(entry)}: it imports only from the layers below it (README.md, Layout). Move the rule down, or declare the interface here and let the layer above implement it.`,
    });
  }
  patterns.push({ regex: `^(\\.\\./)+(${NEVER_FROM_SRC.join('|')})/`, message: 'Source never imports tests, benchmarks or scripts.' });
  if (entry !== 'store') patterns.push({ regex: `^(${DATABASE_LIBRARIES.join('|')})(/|$)`, message: STORE_ONLY });
  return patterns;
}

/**
 * One flat-config block per entry and depth below it: `src/store/*.ts` reaches
 * src/delivery as `../delivery/…`, `src/store/migrations/*.ts` as
 * `../../delivery/…`; matching the exact depth keeps a sibling folder that
 * happens to share a name from being taken for a layer. `extraPatterns` adds
 * a folder's own restrictions (the rule is one per file: blocks do not add up).
 */
export function layerBlocks({ extraPatterns = () => [] } = {}) {
  const blocks = [];
  for (const entry of LAYERS.flatMap((layer) => layer.entries)) {
    const isFile = entry.endsWith('.ts');
    for (let depth = isFile ? 0 : 1; depth <= (isFile ? 0 : MAX_DEPTH); depth++) {
      const files = isFile ? [`src/${entry}`] : [`src/${entry}/${'*/'.repeat(depth - 1)}*.{ts,js}`];
      const patterns = [...layerPatterns(entry, depth), ...extraPatterns(entry, depth)];
      // `no-restricted-imports` does not look at `import('…')`: the same regular expressions, as selectors.
      // (A selector's regular expression cannot hold a slash: written \x2F.)
      const dynamic = layerPatterns(entry, depth).map((p) => ({
        selector: `ImportExpression[source.value=/${p.regex.replaceAll('/', '\\x2F')}/]`,
        message: p.message,
      }));
      // `store.db` (raw Kysely) outside the store.
      const rawDatabase = entry === 'store' ? [] : [{ selector: "MemberExpression[property.name='db']", message: STORE_ONLY }];
      blocks.push({ files, rules: { 'no-restricted-imports': ['error', { patterns }], 'no-restricted-syntax': ['error', ...dynamic, ...rawDatabase] } });
    }
  }
  return blocks;
}

/** How deep below src/<folder>/ the blocks reach; test/lint-layers.test.ts checks that no source file is deeper. */
export const MAX_DEPTH = 4;
