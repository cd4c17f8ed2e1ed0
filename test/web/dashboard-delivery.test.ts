// Sends with their progress and the local outbox in the dashboard, after a
// real (test) send went through delivery's worker into the outbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, OUTSIDER, Visitor, newsroom } from './harness.ts';
import { confirmSend } from './send-confirmation.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { sendProgress } from '../../src/delivery/progress.ts';
import { startWorker } from '../../src/delivery/worker.ts';
import { decodeWords, readMessage } from '../../src/web/outbox-message.ts';

const quiet = { info() {}, warn() {}, error() {} };

for (const backend of await testBackends()) {
  test(`sends and outbox on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());

    const send = await requestSend(
      { store: n.store, clock: n.clock, publicUrl: n.config.publicUrl, mailDomain: 'news.test' },
      { editionId: n.ids.techEdition, test: ['first@example.net', 'second@example.net'], createdBy: EDITOR.email },
    );
    const worker = startWorker({ store: n.store, config: n.config, clock: n.clock, scheduler: false, pollMs: 20, logger: quiet as never });
    try {
      for (let i = 0; i < 500; i++) {
        const p = await sendProgress(n.store, send.id, n.clock.now());
        if (p && p.total > 0 && p.remaining === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await worker.stop();
    }

    await t.test('the sends page shows the figures', async () => {
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      const res = await editor.get('/newsroom/sends');
      assert.equal(res.statusCode, 200);
      const { document } = parseHTML(res.body);
      const cells = [...document.querySelectorAll('table.sends tbody tr td')].map((td) => td.textContent?.trim());
      assert.equal(cells[0], String(send.id));
      assert.equal(cells[2], 'test');
      assert.equal(document.querySelector('progress')?.getAttribute('value'), '2');
      assert.equal(cells[6], '2', 'sent');
      const api = (await editor.api('GET', '/api/sends')).json();
      assert.equal(api.sends[0].counts.sent, 2);
      assert.equal(api.sends[0].publication, 'tech-matin');
    });

    await t.test('the outbox lists the messages and shows one as a reader sees it', async () => {
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      const list = await editor.get('/newsroom/outbox');
      assert.equal(list.statusCode, 200);
      const { document } = parseHTML(list.body);
      const links = [...document.querySelectorAll('tbody a')];
      assert.equal(links.length, 2);
      const recipients = [...document.querySelectorAll('tbody tr td:nth-child(2)')].map((td) => td.textContent).sort();
      assert.deepEqual(recipients, ['first@example.net', 'second@example.net']);
      assert.match(links[0]!.textContent ?? '', /plan fibre/, 'decoded subject');
      const one = await editor.get(links[0]!.getAttribute('href')!);
      assert.equal(one.statusCode, 200);
      const page = parseHTML(one.body).document;
      assert.match(page.querySelector('iframe.mail')?.getAttribute('srcdoc') ?? '', /<html/);
      assert.ok(page.querySelector('iframe.mail')?.hasAttribute('sandbox'));
      assert.match(page.querySelector('pre.message')?.textContent ?? '', /plan fibre/);
    });

    await t.test('authors cannot read the outbox; odd file names are 404', async () => {
      const author = new Visitor(n.app);
      await author.signIn(AUTHOR);
      assert.equal((await author.get('/newsroom/outbox')).statusCode, 403);
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      assert.equal((await editor.get('/newsroom/outbox/..%2Fsecret')).statusCode, 404);
      assert.equal((await editor.get('/newsroom/outbox/nothing.eml')).statusCode, 404);
    });

    await t.test('sends from the editor: tests for members, the list for editors only, once', async () => {
      const author = new Visitor(n.app);
      await author.signIn(AUTHOR);
      const editorPage = await author.get(`/newsroom/editions/${n.ids.techEdition}`);
      assert.match(editorPage.body, /Send the test/);
      assert.doesNotMatch(editorPage.body, /Review and confirm/);
      const testSend = await author.post(`/newsroom/editions/${n.ids.techEdition}/send`, { kind: 'test', to: AUTHOR.email });
      assert.equal(testSend.statusCode, 303);
      assert.match(String(testSend.headers.location), /^\/newsroom\/sends\/\d+\?done=sent$/);
      // The test send lands on its page, which says where it went.
      const landed = await author.get(String(testSend.headers.location));
      assert.match(landed.body, new RegExp(`Test send to ${AUTHOR.email.replace('.', '\\.')}, with « \\[TEST\\] » in the subject`));
      assert.equal((await author.post(`/newsroom/editions/${n.ids.techEdition}/send`, { kind: 'test', to: 'not an address' })).statusCode, 400);
      assert.equal((await author.post(`/newsroom/editions/${n.ids.techEdition}/send`, { kind: 'list' })).statusCode, 403);
      assert.equal((await author.post(`/newsroom/editions/${n.ids.techEdition}/send`, { kind: 'test', to: 'a@example.net' }, { csrf: null })).statusCode, 403);

      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      assert.match((await editor.get(`/newsroom/editions/${n.ids.techEdition}`)).body, /Review and confirm/);
      // Without the confirmation's token, nothing goes out.
      assert.equal((await editor.post(`/newsroom/editions/${n.ids.techEdition}/send`, { kind: 'list' })).statusCode, 400);
      const { token } = await confirmSend(editor, n.ids.techEdition);
      const list = await editor.post(`/newsroom/editions/${n.ids.techEdition}/send`, { kind: 'list', confirmation: token! });
      assert.equal(list.statusCode, 303);
      const again = await editor.post(`/newsroom/editions/${n.ids.techEdition}/send`, { kind: 'list', confirmation: token! });
      assert.equal(again.statusCode, 409);
      const kinds = await n.store.db.selectFrom('sends').select('kind').where('edition_id', '=', n.ids.techEdition).orderBy('id').execute();
      assert.deepEqual(kinds.map((k) => k.kind), ['test', 'test', 'list']);
      const drafts = await confirmSend(editor, n.ids.policyEdition);
      assert.equal(drafts.page.statusCode, 409, 'a draft is not sent to the list');
      assert.equal(drafts.token, undefined);
    });

    await t.test('a message written without an index line (audience mails) is listed too', async () => {
      const dir = join(n.config.dataDir, 'outbox');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, '000000000000001-abcd.eml'),
        'From: a@example.org\r\nTo: b@example.net\r\nSubject: =?UTF-8?Q?Confirmez_votre_inscription_=C3=A0_Tech_Matin?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n',
      );
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      const list = await editor.get('/newsroom/outbox');
      assert.match(list.body, /Confirmez votre inscription à Tech Matin/);
      assert.equal((await editor.get('/newsroom/outbox/000000000000001-abcd.eml')).statusCode, 200);
      // It names no send, so no publication: an editor of only one of them reads neither it nor the others' tests.
      const outsider = new Visitor(n.app);
      await outsider.signIn(OUTSIDER);
      const theirs = await outsider.get('/newsroom/outbox');
      assert.equal(theirs.statusCode, 200);
      assert.doesNotMatch(theirs.body, /Confirmez votre inscription|first@example\.net/);
      assert.equal((await outsider.get('/newsroom/outbox/000000000000001-abcd.eml')).statusCode, 404);
    });
  });
}

test('MIME reading: encoded words, quoted-printable and base64 parts', () => {
  assert.equal(decodeWords('=?UTF-8?B?w6l0w6k=?= =?UTF-8?Q?_=C3=A0_Paris?='), 'été à Paris');
  const raw = [
    'Subject: =?UTF-8?Q?Caf=C3=A9?=',
    'Content-Type: multipart/alternative; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Caf=C3=A9 cr=',
    '=C3=A8me',
    '--b1',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('<p>Café</p>').toString('base64'),
    '--b1--',
    '',
  ].join('\r\n');
  const m = readMessage(raw);
  assert.equal(m.headers.get('subject'), 'Café');
  assert.equal(m.text?.trim(), 'Café crème');
  assert.equal(m.html?.trim(), '<p>Café</p>');
});
