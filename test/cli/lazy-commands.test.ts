// A command loads its own module and what it imports, nothing else (issue 14,
// lean start): `matinale --help` reads the command table of src/cli/main.ts
// and loads no command module; the table says what the modules register; the
// libraries that take longest to load (MJML, OpenPGP.js, Fastify, the Markdown
// parser) stay out of the commands and starts that do not use them. Each run
// is the real command under a loader hook that lists every module it loaded
// (test/helpers/module-trace.mjs), from src/ here (test/cli/dist.test.ts: dist/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Help } from 'commander';
import { buildProgram, COMMANDS, programFor } from '../../src/cli/main.ts';
import { tracedRun } from '../helpers/traced-run.ts';

const SOURCE = { MATINALE_SOURCE: '1' };
const SAMPLE = 'examples/2026-03-02-tech-matin.md';
// What running TypeScript through tsx loads by itself.
const TSX = new Set(['tsx', 'esbuild', 'get-tsconfig', 'resolve-pkg-maps']);
// Slow to load and needed by few: none of them may come with a start that does not use it.
const HEAVY = ['mjml', 'openpgp', 'fastify', 'mdast-util-from-markdown', 'micromark'];

const commandModules = (files: string[]) => files.filter((f) => /^src\/cli\/(?!main\.ts$|usage-error\.ts$)/.test(f));

test('the command table says, word for word, what each command module registers', async () => {
  const help = new Help();
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const program = new Command('matinale');
    (await entry.load()).register(program);
    assert.deepEqual(
      program.commands.map((c) => c.name()),
      [name],
      `src/cli/${name}.ts registers the command « ${name} » and no other`,
    );
    const command = program.commands[0]!;
    assert.equal(command.description(), entry.summary, `COMMANDS.${name}.summary`);
    assert.equal(help.subcommandTerm(command), entry.term, `COMMANDS.${name}.term`);
  }
  // Hence the help without the modules is the help with them.
  assert.equal((await programFor([])).helpInformation(), (await buildProgram()).helpInformation());
});

test('matinale --help lists every command and loads no command module, nothing but commander', async () => {
  const r = await tracedRun(['--help'], { env: SOURCE });
  assert.equal(r.status, 0, r.stderr);
  for (const [name, entry] of Object.entries(COMMANDS)) assert.ok(r.stdout.includes(entry.term), `${name} listed`);
  assert.deepEqual(
    r.files.filter((f) => f.startsWith('src/')),
    ['src/cli/main.ts', 'src/cli/usage-error.ts'],
  );
  assert.deepEqual([...r.packages].filter((p) => !TSX.has(p)), ['commander']);
});

test('matinale help send loads the send command only; a mistyped command loads none and is refused with a suggestion', async () => {
  const help = await tracedRun(['help', 'send'], { env: SOURCE });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: matinale send \[options\] <edition-id>/);
  assert.match(help.stdout, /--wait/);
  assert.deepEqual(commandModules(help.files).filter((f) => /^src\/cli\/[^/]+\.ts$/.test(f) && f !== 'src/cli/context.ts'), ['src/cli/send.ts']);

  const typo = await tracedRun(['sned', '1'], { env: SOURCE });
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /unknown command 'sned'/);
  assert.match(typo.stderr, /Did you mean send\?/);
  assert.deepEqual(commandModules(typo.files), []);
});

test('matinale lint loads the lint command and the edition, not the store, the web app, MJML or OpenPGP', async () => {
  const r = await tracedRun(['lint', SAMPLE], { env: SOURCE });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /0 errors/);
  assert.deepEqual(commandModules(r.files), ['src/cli/lint.ts']);
  assert.ok(r.files.includes('src/edition/parse.ts'));
  assert.ok(!r.files.some((f) => /^src\/(store|web|delivery|tips|audience)\//.test(f)), r.files.filter((f) => f.startsWith('src/')).join(' '));
  for (const name of ['mjml', 'openpgp', 'fastify', 'kysely', 'better-sqlite3', 'pg']) assert.ok(!r.packages.has(name), `lint loaded ${name}`);
});

test('matinale worker is ready without MJML, OpenPGP, Fastify, the Markdown parser, the renderers or zod (they load with the first message or save)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-lazy-worker-'));
  try {
    const r = await tracedRun(['worker'], {
      env: { ...SOURCE, DATA_DIR: dataDir, DATABASE_URL: '', SMTP_URL: '', PUBLIC_URL: 'https://news.example.org' },
      readyOn: /^matinale worker \S+ on /m,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^matinale worker \S+ on sqlite /m);
    assert.ok(r.packages.has('kysely') && r.packages.has('better-sqlite3'), 'the worker opened its store');
    for (const name of HEAVY) assert.ok(!r.packages.has(name), `the worker loaded ${name} before it was ready`);
    // Nor what only a message, a transactional mail, a saved publication or a matinale.yaml needs.
    for (const name of ['typograf', 'zod', 'yaml']) assert.ok(!r.packages.has(name), `the worker loaded ${name} before it was ready`);
    for (const file of ['node_modules/nodemailer/lib/mail-composer/index.js', 'src/render/email.ts', 'src/render/text.ts', 'src/edition/publication.ts']) {
      assert.ok(!r.files.includes(file), `the worker loaded ${file} before it was ready`);
    }
    assert.ok(!r.packages.has('pg'), 'a worker on SQLite loaded the PostgreSQL driver');
    assert.deepEqual(commandModules(r.files).filter((f) => f !== 'src/cli/context.ts'), ['src/cli/worker.ts']);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
