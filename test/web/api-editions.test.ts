// The editions JSON API: session auth, CSRF header on writes, roles, typed
// errors with their status, and the preview the editor calls while typing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, Visitor, newsroom, sampleSource } from './harness.ts';
import { getEdition } from '../../src/store/editions.ts';
import { WEB_ERRORS } from '../../src/web/errors.ts';

for (const backend of await testBackends()) {
  test(`editions API on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const { policyEdition, techEdition } = n.ids;

    await t.test('without a session: 401 with a typed error', async () => {
      const res = await n.app.inject('/api/editions');
      assert.equal(res.statusCode, 401);
      assert.deepEqual(res.json(), { error: { code: 'unauthenticated', message: WEB_ERRORS.unauthenticated.message } });
    });

    await t.test('list and get', async () => {
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      const list = (await editor.api('GET', '/api/editions')).json();
      assert.deepEqual(list.editions.map((e: { publication: string }) => e.publication).sort(), ['policy-morning', 'tech-matin']);
      const one = await editor.api('GET', `/api/editions/${policyEdition}`);
      assert.equal(one.statusCode, 200);
      assert.equal(one.json().edition.status, 'draft');
      assert.equal(one.json().edition.source, sampleSource('policy-morning'));
      assert.deepEqual(one.json().edition.moves, ['ready']);
      assert.equal((await editor.api('GET', '/api/editions/99999')).statusCode, 404);
      assert.equal((await editor.api('GET', '/api/editions/abc')).statusCode, 404);
    });

    await t.test('writes need the CSRF header', async () => {
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      const res = await editor.api('POST', `/api/editions/${policyEdition}/transitions`, { to: 'ready' }, { csrf: null });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'csrf-refused');
    });

    await t.test('an author cannot approve (403), an editor can', async () => {
      const author = new Visitor(n.app);
      await author.signIn(AUTHOR);
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      // Jeanne is an author of tech-matin only.
      const save = await author.api('POST', `/api/editions/${techEdition}`, { source: sampleSource('tech-matin') + '\n' });
      assert.equal(save.statusCode, 200);
      assert.equal(save.json().edition.status, 'ready');
      const refused = await author.api('POST', `/api/editions/${techEdition}/transitions`, { to: 'approved' });
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().error.code, 'forbidden');
      assert.equal((await getEdition(n.store, techEdition))?.status, 'ready');
      const approved = await editor.api('POST', `/api/editions/${techEdition}/transitions`, { to: 'approved' });
      assert.equal(approved.statusCode, 200);
      assert.equal(approved.json().edition.status, 'approved');
      const twice = await editor.api('POST', `/api/editions/${techEdition}/transitions`, { to: 'approved' });
      assert.equal(twice.statusCode, 409);
      assert.equal(twice.json().error.code, 'transition-refused');
      const unknown = await editor.api('POST', `/api/editions/${techEdition}/transitions`, { to: 'sent' });
      assert.equal(unknown.statusCode, 400);
    });

    await t.test('preview returns diagnostics with positions and the rendered page', async () => {
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      const good = await editor.api('POST', '/api/editions/preview', { publication: 'tech-matin', source: sampleSource('tech-matin') });
      assert.equal(good.statusCode, 200);
      assert.equal(good.json().hasErrors, false);
      assert.match(good.json().html, /<h1>/);
      const broken = sampleSource('tech-matin').replace('# Le fait du jour', '# Le fait du jour\n\n### Trop profond\n\nl\'source');
      const bad = (await editor.api('POST', '/api/editions/preview', { publication: 'tech-matin', source: broken })).json();
      assert.equal(bad.hasErrors, true);
      const error = bad.diagnostics.find((d: { severity: string }) => d.severity === 'error');
      assert.equal(error.line, 11, "the `###` heading");
      assert.equal(typeof error.rule, 'string');
      assert.ok(bad.diagnostics.some((d: { severity: string }) => d.severity === 'warning'), 'lint warnings too');
    });

    await t.test('preview is refused for a publication the account is not on (404, as for none)', async () => {
      const author = new Visitor(n.app);
      await author.signIn(AUTHOR);
      const res = await author.api('POST', '/api/editions/preview', { publication: 'policy-morning', source: 'x' });
      assert.equal(res.statusCode, 404);
      const none = await author.api('POST', '/api/editions/preview', { publication: 'no-such-title', source: 'x' });
      assert.deepEqual(res.json(), none.json());
      const bad = await author.api('POST', '/api/editions/preview', { source: 'x' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'invalid-input');
    });
  });
}

test('every error code has a message, a 4xx or 5xx status, and its line in src/web/README.md', () => {
  const readme = readFileSync(new URL('../../src/web/README.md', import.meta.url), 'utf8');
  for (const [code, { status, message }] of Object.entries(WEB_ERRORS)) {
    assert.ok(message.length > 0, code);
    assert.ok(status >= 400 && status < 600, code);
    assert.match(readme, new RegExp(`^\\| \`${code}\` \\| ${status} \\|`, 'm'), `${code} documented with its status`);
  }
});
