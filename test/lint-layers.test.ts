// The layers of src/ are kept by the lint (eslint-layers.js, eslint.config.js):
// an import that goes up a layer fails `npm run lint`, one that goes down
// passes, tests import anything. Code is linted through ESLint's Node API
// with the project's own configuration, as if it were a file at the given path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

interface Layers {
  LAYERS: Array<{ name: string; entries: string[] }>;
  MAX_DEPTH: number;
}
// A plain JavaScript module (ESLint loads it): typed here by hand.
const { LAYERS, MAX_DEPTH } = (await import(join(root, 'eslint-layers.js') as string)) as Layers;

/** The layer errors ESLint reports for `code` as the file `filePath` (relative to the repository). */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  assert.ok(result, 'ESLint answered');
  const other = result.messages.filter((m) => m.ruleId !== 'no-restricted-imports' && m.ruleId !== 'no-restricted-syntax');
  assert.deepEqual(other, [], `the probe itself is clean (${filePath})`);
  return result.messages.map((m) => m.message);
}

const UPWARD: Array<[string, string, RegExp]> = [
  // The loop issue 13 removed: the store typed its ledger with delivery's interfaces.
  ['src/store/probe.ts', "import type { Ledger } from '../delivery/ledger.ts';\nexport type L = Ledger;\n", /src\/store is layer 3 \(store\)/],
  // And the domain reaching into a face for a rule (audience → web).
  ['src/audience/probe.ts', "import { SESSION_TTL_MS } from '../web/auth/sessions.ts';\nexport const ttl = SESSION_TTL_MS;\n", /src\/audience is layer 4/],
  ['src/store/migrations/probe.ts', "export { startWorker } from '../../delivery/worker.ts';\n", /src\/store is layer 3/],
  ['src/edition/probe.ts', "import type { RenderOptions } from '../render/urls.ts';\nexport type R = RenderOptions;\n", /src\/edition is layer 2/],
  ['src/audience/probe.ts', "import { storeLedger } from '../delivery/store-ledger.ts';\nexport const l = storeLedger;\n", /src\/audience is layer 4/],
  ['src/web/routes/probe.ts', "import { main } from '../../cli/main.ts';\nexport const m = main;\n", /src\/web is layer 5/],
  ['src/clock.ts', "import { loadConfig } from './config.ts';\nexport const c = loadConfig;\n", /src\/clock\.ts is layer 1/],
  ['src/config.ts', "import { openStore } from './store/db.ts';\nexport const o = openStore;\n", /src\/config\.ts is layer 1/],
  ['src/delivery/probe.ts', "export async function later() {\n  return import('../web/app.ts');\n}\n", /src\/delivery is layer 4/],
  ['src/render/probe.ts', "import { until } from '../../test/helpers/until.ts';\nexport const u = until;\n", /never imports tests/],
  // Only the store talks to the database: no Kysely, no driver, no `store.db` anywhere else.
  ['src/audience/probe.ts', "import { sql } from 'kysely';\nexport const s = sql;\n", /Only src\/store talks to the database/],
  ['src/web/routes/probe.ts', "import pg from 'pg';\nexport const p = pg;\n", /Only src\/store talks to the database/],
  [
    'src/delivery/probe.ts',
    "import type { Store } from '../store/db.ts';\nexport const rows = (store: Store) => store.db.selectFrom('sends').selectAll().execute();\n",
    /Only src\/store talks to the database/,
  ],
];

for (const [file, code, reason] of UPWARD) {
  const lines = code.split('\n');
  const line = (lines.find((l) => l.includes('.db.')) ?? lines.find((l) => /import|export .* from/.test(l)) ?? lines[0]!).trim();
  test(`${file}: \`${line}\` fails the lint`, async () => {
    const errors = await layerErrors(file, code);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0]!, reason);
  });
}

const DOWNWARD: Array<[string, string]> = [
  ['src/store/probe.ts', "import type { EditionStatus } from '../edition/workflow.ts';\nimport { systemClock } from '../clock.ts';\nexport const s: EditionStatus = 'draft';\nexport const c = systemClock;\n"],
  ['src/render/probe.ts', "import type { Edition } from '../edition/model.ts';\nexport type E = Edition;\n"],
  ['src/delivery/probe.ts', "import { AudienceKeys } from '../audience/keys.ts';\nimport { getSend } from '../store/sends.ts';\nexport const k = [AudienceKeys, getSend];\n"],
  ['src/web/routes/probe.ts', "import { requestSend } from '../../delivery/sends.ts';\nimport { publicRule } from '../../edition/published.ts';\nexport const r = [requestSend, publicRule];\n"],
  ['src/cli/probe.ts', "import { buildApp } from '../web/app.ts';\nimport { seedDemo } from '../demo/seed.ts';\nexport const x = [buildApp, seedDemo];\n"],
  ['src/store/migrations/probe.ts', "import type { ColumnTypes } from '../dialect.ts';\nexport type C = ColumnTypes;\n"],
  ['src/store/probe.ts', "import { sql } from 'kysely';\nimport type { Store } from './db.ts';\nexport const one = (store: Store) => sql`select 1`.execute(store.db);\n"],
  // Tests and benchmarks may import anything.
  ['test/store/probe.test.ts', "import { buildApp } from '../../src/web/app.ts';\nexport const x = buildApp;\n"],
  ['bench/probe.ts', "import { main } from '../src/cli/main.ts';\nexport const m = main;\n"],
];

for (const [file, code] of DOWNWARD) {
  test(`${file}: an import down (or outside src/) passes`, async () => {
    assert.deepEqual(await layerErrors(file, code), []);
  });
}

test('an upward import written to a file inside src/ fails the lint of that file', async () => {
  const file = join(root, 'src/store/lint-layers-probe.ts');
  writeFileSync(file, "import type { SchedulerLock } from '../delivery/scheduler.ts';\nexport type Lock = SchedulerLock;\n");
  try {
    const [result] = await eslint.lintFiles([file]);
    assert.equal(result?.errorCount, 1);
    assert.equal(result?.messages[0]?.ruleId, 'no-restricted-imports');
    assert.match(result?.messages[0]?.message ?? '', /src\/store is layer 3/);
  } finally {
    rmSync(file, { force: true });
  }
});

test('every entry of src/ stands in one layer, and no source file is deeper than the rules reach', () => {
  const entries = LAYERS.flatMap((l) => l.entries);
  assert.equal(new Set(entries).size, entries.length, 'an entry in two layers');
  for (const name of readdirSync(join(root, 'src'))) {
    const path = join(root, 'src', name);
    if (!statSync(path).isDirectory() && !/\.(ts|js)$/.test(name)) continue;
    assert.ok(entries.includes(name), `src/${name} is in no layer of eslint-layers.js`);
  }
  const deepest = (dir: string, depth: number): number =>
    Math.max(depth, ...readdirSync(dir).map((n) => join(dir, n)).filter((p) => statSync(p).isDirectory()).map((p) => deepest(p, depth + 1)));
  for (const entry of entries.filter((e) => !e.endsWith('.ts'))) {
    const dir = join(root, 'src', entry);
    let exists = true;
    try {
      statSync(dir);
    } catch {
      exists = false; // a layer's folder that is not written yet (tips/)
    }
    if (exists) assert.ok(deepest(dir, 1) <= MAX_DEPTH, `${relative(root, dir)} has files deeper than ${MAX_DEPTH} levels`);
  }
});
