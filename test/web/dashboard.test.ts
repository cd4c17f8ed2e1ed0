// The newsroom dashboard through its forms: sign-in, sessions, CSRF, roles on
// every route, saving versions, workflow moves, versions with their diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHTML } from 'linkedom';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, OUTSIDER, Visitor, newsroom, sampleSource } from './harness.ts';
import { getEdition, listVersions } from '../../src/store/editions.ts';

// linkedom keeps a <textarea>'s character references as typed; a browser decodes them (RCDATA).
function rcdata(text: string | null | undefined): string {
  const entities: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' };
  return (text ?? '').replace(/&(?:lt|gt|quot|#39|amp);/g, (e) => entities[e]!);
}

for (const backend of await testBackends()) {
  test(`dashboard on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const { techEdition, policyEdition } = n.ids;

    await t.test('pages without a session redirect to the sign-in page', async () => {
      const res = await n.app.inject('/newsroom/editions/1');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/newsroom/sign-in?next=%2Fnewsroom%2Feditions%2F1');
    });

    await t.test('a wrong password is refused without saying which part was wrong', async () => {
      const v = new Visitor(n.app);
      await v.get('/newsroom/sign-in');
      const res = await v.post('/newsroom/sign-in', { email: EDITOR.email, password: 'nope' });
      assert.equal(res.statusCode, 401);
      assert.match(res.body, /Unknown address or wrong password/);
      const unknown = await v.post('/newsroom/sign-in', { email: 'nobody@example.org', password: 'nope' });
      assert.equal(unknown.statusCode, 401);
    });

    await t.test('repeated wrong passwords are slowed down, for that address only', async () => {
      const v = new Visitor(n.app);
      await v.get('/newsroom/sign-in');
      for (let i = 0; i < 10; i++) assert.equal((await v.post('/newsroom/sign-in', { email: OUTSIDER.email, password: 'guess' + i })).statusCode, 401);
      const blocked = await v.post('/newsroom/sign-in', { email: OUTSIDER.email, password: OUTSIDER.password });
      assert.equal(blocked.statusCode, 429);
      const other = new Visitor(n.app);
      await other.get('/newsroom/sign-in');
      assert.equal((await other.post('/newsroom/sign-in', { email: EDITOR.email, password: EDITOR.password })).statusCode, 303);
      n.clock.advance(16 * 60 * 1000);
      assert.equal((await v.post('/newsroom/sign-in', { email: OUTSIDER.email, password: OUTSIDER.password })).statusCode, 303);
    });

    await t.test('sign-in without the CSRF token is refused', async () => {
      const v = new Visitor(n.app);
      await v.get('/newsroom/sign-in');
      const res = await v.post('/newsroom/sign-in', { email: EDITOR.email, password: EDITOR.password }, { csrf: null });
      assert.equal(res.statusCode, 403);
      const forged = await v.post('/newsroom/sign-in', { email: EDITOR.email, password: EDITOR.password }, { csrf: 'forged' });
      assert.equal(forged.statusCode, 403);
    });

    await t.test('a token from before the sign-in is not valid once signed in', async () => {
      const v = new Visitor(n.app);
      await v.get('/newsroom/sign-in');
      const before = v.csrf;
      await v.post('/newsroom/sign-in', { email: EDITOR.email, password: EDITOR.password, next: '/newsroom' });
      const res = await v.post(`/newsroom/editions/${policyEdition}/transition`, { to: 'ready' }, { csrf: before });
      assert.equal(res.statusCode, 403);
      assert.equal((await getEdition(n.store, policyEdition))?.status, 'draft');
    });

    await t.test('sign-in sets a signed, httpOnly, SameSite=Lax session cookie', async () => {
      const v = new Visitor(n.app);
      await v.get('/newsroom/sign-in');
      const res = await v.post('/newsroom/sign-in', { email: EDITOR.email.toUpperCase(), password: EDITOR.password, next: '/newsroom' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/newsroom');
      const cookie = (res.cookies as Array<{ name: string; value: string; httpOnly?: boolean; sameSite?: string }>).find((c) => c.name === 'matinale_session');
      assert.ok(cookie);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Lax');
      assert.match(cookie.value, /\./, 'signed');
      const list = await v.get('/newsroom');
      assert.equal(list.statusCode, 200);
      assert.equal(list.headers['cache-control'], 'no-store');
      assert.match(list.body, /Tech Matin/);
      assert.match(list.body, /Policy Morning/);
    });

    await t.test('an altered session cookie is not a session', async () => {
      const res = await n.app.inject({ url: '/api/editions', headers: { cookie: 'matinale_session=abc.def' } });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.code, 'unauthenticated');
    });

    await t.test('a next address outside the newsroom is ignored', async () => {
      const v = new Visitor(n.app);
      await v.get('/newsroom/sign-in');
      const res = await v.post('/newsroom/sign-in', { email: EDITOR.email, password: EDITOR.password, next: '//evil.test/x' });
      assert.equal(res.headers.location, '/newsroom');
    });

    await t.test('the editor shows the source, the preview and the moves the role allows', async () => {
      const author = new Visitor(n.app);
      await author.signIn(AUTHOR);
      const res = await author.get(`/newsroom/editions/${techEdition}`);
      assert.equal(res.statusCode, 200);
      const { document } = parseHTML(res.body);
      assert.equal(rcdata(document.querySelector('textarea#source')?.textContent), sampleSource('tech-matin'));
      // The email first (sample values for each recipient's links), then the other renderings, each on its own address too.
      const email = document.querySelector('iframe#preview')?.getAttribute('srcdoc') ?? '';
      assert.match(email, /<title>Réseaux/);
      assert.doesNotMatch(email, /%%unsubscribe_url%%/);
      assert.ok(document.querySelector('iframe#preview')?.hasAttribute('sandbox'));
      assert.deepEqual([...document.querySelectorAll('.views a')].map((a) => a.getAttribute('href')), ['?view=email-desktop', '?view=email-phone', '?view=text', '?view=web']);
      const web = parseHTML((await author.get(`/newsroom/editions/${techEdition}?view=web`)).body).document;
      assert.match(web.querySelector('iframe#preview')?.getAttribute('srcdoc') ?? '', /<h1>/);
      const text = parseHTML((await author.get(`/newsroom/editions/${techEdition}?view=text`)).body).document;
      assert.match(text.querySelector('iframe#preview')?.getAttribute('srcdoc') ?? '', /<pre[^>]*>[^<]*RÉSEAUX|<pre[^>]*>[\s\S]*Réseaux/);
      // The version the text started from goes with every save.
      assert.equal(document.querySelector('#editor-form input[name="base"]')?.getAttribute('value'), '1');
      // No outbox for an author: only editors read it.
      assert.equal(document.querySelector('nav a[href="/newsroom/outbox"]'), null);
      // Approved: an author has no move (back to draft is an editor's).
      assert.equal(document.querySelectorAll('form[action$="/transition"]').length, 0);
      assert.equal(document.querySelector('script')?.getAttribute('src'), '/assets/editor.js');
    });

    await t.test('an author cannot approve: 403, nothing changes', async () => {
      const author = new Visitor(n.app);
      await author.signIn(AUTHOR);
      const back = await author.post(`/newsroom/editions/${techEdition}/transition`, { to: 'draft' });
      assert.equal(back.statusCode, 403);
      assert.equal((await getEdition(n.store, techEdition))?.status, 'approved');
    });

    await t.test('someone outside the publication cannot open or change its edition: 404, as for no edition', async () => {
      const outsider = new Visitor(n.app);
      await outsider.signIn(OUTSIDER);
      const refused = await outsider.get(`/newsroom/editions/${techEdition}`);
      assert.equal(refused.statusCode, 404);
      assert.equal(refused.body, (await outsider.get('/newsroom/editions/99999')).body);
      assert.equal((await outsider.post(`/newsroom/editions/${techEdition}/save`, { source: 'x', base: '1' })).statusCode, 404);
      const list = await outsider.get('/newsroom');
      assert.doesNotMatch(list.body, /Tech Matin/);
    });

    await t.test('saving keeps a version; an approved edition goes back to ready', async () => {
      const author = new Visitor(n.app);
      await author.signIn(AUTHOR);
      const edited = sampleSource('tech-matin').replace('dernière tranche', 'ultime tranche');
      const res = await author.post(`/newsroom/editions/${techEdition}/save`, { source: edited, base: '1' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `/newsroom/editions/${techEdition}?done=saved`);
      const edition = await getEdition(n.store, techEdition);
      assert.equal(edition?.status, 'ready');
      assert.equal(edition?.currentVersion, 2);
      const versions = await listVersions(n.store, techEdition);
      assert.equal(versions.at(-1)?.author, AUTHOR.email);
      const page = await author.get(`/newsroom/editions/${techEdition}/versions`);
      assert.match(page.body, /<del>[^<]*dernière tranche/);
      assert.match(page.body, /<ins>[^<]*ultime tranche/);
      const history = [...parseHTML(page.body).document.querySelectorAll('ol.history li')].map((li) => li.textContent?.replace(/^.*UTC: /, ''));
      assert.deepEqual(history, [
        `${AUTHOR.email} moved it from draft to ready`,
        `${EDITOR.email} moved it from ready to approved`,
        `${AUTHOR.email} moved it from approved to ready`,
      ]);
    });

    await t.test('saving without the CSRF token is refused', async () => {
      const author = new Visitor(n.app);
      await author.signIn(AUTHOR);
      const res = await author.post(`/newsroom/editions/${techEdition}/save`, { source: sampleSource('tech-matin'), base: '2' }, { csrf: null });
      assert.equal(res.statusCode, 403);
      assert.equal((await getEdition(n.store, techEdition))?.currentVersion, 2);
    });

    await t.test('the front matter must keep the edition’s date', async () => {
      const author = new Visitor(n.app);
      await author.signIn(AUTHOR);
      const res = await author.post(`/newsroom/editions/${techEdition}/save`, { source: sampleSource('tech-matin').replace('2026-03-02', '2026-03-09'), base: '2' });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /keep/);
    });

    await t.test('an editor approves through the form', async () => {
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      const res = await editor.post(`/newsroom/editions/${techEdition}/transition`, { to: 'approved', version: '2' });
      assert.equal(res.statusCode, 303);
      assert.equal((await getEdition(n.store, techEdition))?.status, 'approved');
      const page = await editor.get(res.headers.location as string);
      assert.match(page.body, /Approved\./);
      // A move the state does not allow is a conflict, not a crash.
      const again = await editor.post(`/newsroom/editions/${techEdition}/transition`, { to: 'approved', version: '2' });
      assert.equal(again.statusCode, 409);
    });

    await t.test('an edition with errors cannot go to review', async () => {
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      const broken = sampleSource('policy-morning') + '\n```\ncode\n```\n';
      assert.equal((await editor.post(`/newsroom/editions/${policyEdition}/save`, { source: broken, base: '1' })).statusCode, 303);
      const res = await editor.post(`/newsroom/editions/${policyEdition}/transition`, { to: 'ready' });
      assert.equal(res.statusCode, 422);
      assert.match(res.body, /<li class="error"><span class="where">\d+:\d+<\/span>/, 'the errors are listed');
      assert.equal((await getEdition(n.store, policyEdition))?.status, 'draft');
    });

    await t.test('the editor escapes the source and the diagnostics', async () => {
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      const evil = sampleSource('policy-morning') + '\n</textarea><script>alert(1)</script>\n';
      assert.equal((await editor.post(`/newsroom/editions/${policyEdition}/save`, { source: evil, base: '2' })).statusCode, 303);
      const page = await editor.get(`/newsroom/editions/${policyEdition}`);
      assert.doesNotMatch(page.body, /<\/textarea><script>/);
      const { document } = parseHTML(page.body);
      assert.equal(rcdata(document.querySelector('textarea#source')?.textContent), evil);
      assert.equal(document.querySelectorAll('script').length, 1);
    });

    await t.test('starting an edition opens the editor on a template that cannot go to review unchanged', async () => {
      const author = new Visitor(n.app);
      await author.signIn(AUTHOR);
      const res = await author.post('/newsroom/editions', { publication: 'tech-matin', date: '2026-03-10' });
      assert.equal(res.statusCode, 303);
      const location = res.headers.location as string;
      assert.match(location, /^\/newsroom\/editions\/\d+$/);
      const page = await author.get(location);
      assert.match(page.body, /date: 2026-03-10/);
      // The template's placeholder texts are errors: no « Mark ready » until they are written over.
      assert.match(page.body, /<li class="error">[^\n]*template-text-left/);
      assert.doesNotMatch(page.body, /Mark ready for review/);
      assert.match(page.body, /fix them before it can be marked ready/);
      // A second start for that date says so and leads to the edition: not a second one, not a silent redirect.
      const again = await author.post('/newsroom/editions', { publication: 'tech-matin', date: '2026-03-10' });
      assert.equal(again.statusCode, 409);
      assert.match(again.body, /Tech Matin already has an edition for 2026-03-10/);
      assert.match(again.body, new RegExp(`<a class="button" href="${location}">Open the edition of 2026-03-10</a>`));
      assert.match(again.body, /<nav aria-label="Newsroom">/);
      assert.equal((await author.post('/newsroom/editions', { publication: 'policy-morning', date: '2026-03-10' })).statusCode, 404);
      assert.equal((await author.post('/newsroom/editions', { publication: 'tech-matin', date: '2026-02-30x' })).statusCode, 400);
      assert.equal((await author.post('/newsroom/editions', { publication: 'tech-matin', date: '2026-03-11' }, { csrf: null })).statusCode, 403);
    });

    await t.test('the publications page shows the member’s publications only, with their audience', async () => {
      const author = new Visitor(n.app);
      await author.signIn(AUTHOR);
      const res = await author.get('/newsroom/publications');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Tech Matin <small>\(tech-matin, your role: author\)/);
      assert.doesNotMatch(res.body, /Policy Morning/);
      assert.match(res.body, /0 active, 0 pending confirmation, 0 unsubscribed/);
      assert.match(res.body, /Lucie Fabre \(editor\)/);
    });

    await t.test('sign-out ends the session', async () => {
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      const out = await editor.post('/newsroom/sign-out', {});
      assert.equal(out.statusCode, 303);
      assert.equal((await editor.get('/newsroom')).statusCode, 303);
    });
  });
}
