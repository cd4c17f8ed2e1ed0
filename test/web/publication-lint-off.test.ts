// The publication settings form turns lint rules off (`lint: { off: [...] }`
// in the settings file): an id that is no lint rule is refused next to its
// field, naming it; a good list is stored, shown again and written to the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { Visitor, newsroom } from './harness.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';
import { getPublicationBySlug } from '../../src/store/publications.ts';
import { parsePublicationYaml } from '../../src/edition/publication-file.ts';

const ADMIN = { email: 'admin.lint@example.org', password: 'admin-password-123' };

function form(lintOff: string): URLSearchParams {
  return new URLSearchParams([
    ['slug', 'soir-lint'], ['name', 'Soir Lint'], ['language', 'fr'], ['timezone', 'Europe/Paris'],
    ['schedule_mode', 'picker'], ['schedule_time', '18:30'], ['schedule_days', '1'],
    ['from', 'Soir <soir@example.org>'], ['address', '1 place du Marché, 69001 Lyon'], ['lintOff', lintOff],
    ['member_name', 'Ada Admin'], ['member_email', ADMIN.email], ['member_role', 'admin'],
  ]);
}

// One backend is enough: the settings are stored whole, as JSON, on both (store tests prove it).
const [backend] = await testBackends();
test(`lint rules turned off in the publication settings form, on ${backend!.name}`, async (t) => {
  const n = await newsroom(backend!);
  t.after(() => n.close());
  await addAccount(n.store, { ...ADMIN, role: 'admin', publicationSlugs: ['tech-matin'] }, n.clock);
  const admin = new Visitor(n.app);
  await admin.signIn(ADMIN);

  const bad = await admin.post('/newsroom/publications/new', form('grammar-style, grammar-agrement'));
  assert.equal(bad.statusCode, 422);
  assert.match(bad.body, /id="f-lintOff"[^>]*aria-invalid="true" aria-describedby="lintOff-error"/);
  assert.match(bad.body, /id="lintOff-error">`lint.off\[1\]` is not a lint rule: `grammar-agrement` \(did you mean `grammar-agreement`\?\)/);
  assert.match(bad.body, /value="grammar-style, grammar-agrement"/, 'what was typed stays');
  assert.equal(await getPublicationBySlug(n.store, 'soir-lint'), undefined);

  const created = await admin.post('/newsroom/publications/new', form('grammar-style\nunknown-word'));
  assert.equal(created.statusCode, 303, created.body.slice(0, 300));
  const stored = await getPublicationBySlug(n.store, 'soir-lint');
  assert.deepEqual(stored?.settings.lint, { off: ['grammar-style', 'unknown-word'] });
  const edit = await admin.get('/newsroom/publications/soir-lint/settings');
  assert.match(edit.body, /name="lintOff" type="text" value="grammar-style, unknown-word"/);
  const file = await admin.get('/newsroom/publications/soir-lint/settings.yaml');
  assert.match(file.body, /^lint:\n {2}off:\n {4}- grammar-style\n {4}- unknown-word$/m);
  assert.deepEqual(parsePublicationYaml(file.body, 'f.yaml').publication?.lint, { off: ['grammar-style', 'unknown-word'] });

  // Emptied, the setting goes away.
  const cleared = await admin.post('/newsroom/publications/soir-lint/settings', form(''));
  assert.equal(cleared.statusCode, 303);
  assert.equal((await getPublicationBySlug(n.store, 'soir-lint'))?.settings.lint, undefined);
});
