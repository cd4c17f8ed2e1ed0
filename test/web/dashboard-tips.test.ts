// The newsroom's side of the tip line in the dashboard: an editor sets their
// key (weak keys refused), lists the tips, downloads a part that their key
// decrypts, replies so that the source reads it with the code, and deletes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as openpgp from 'openpgp';
import { testBackends } from '../helpers/store.ts';
import { newsroom, EDITOR, Visitor } from './harness.ts';
import { goodKey, weakRsaKey } from '../helpers/tip-keys.ts';
import { multipart } from '../helpers/multipart.ts';
import { listTips } from '../../src/store/tips.ts';
import { listAudit } from '../../src/store/audit-log.ts';

for (const backend of await testBackends()) {
  test(`${backend.name}: an editor sets a key, reads a tip as an OpenPGP file, replies to the code holder, deletes it`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const editor = new Visitor(n.app);
    await editor.signIn(EDITOR);

    const weak = await editor.post('/newsroom/key', { key: (await weakRsaKey()).publicKey });
    assert.equal(weak.statusCode, 400);
    assert.match(weak.body, /This key was refused: the key .* is too weak/);
    const key = await goodKey(EDITOR.email);
    assert.equal((await editor.post('/newsroom/key', { key: key.publicKey })).statusCode, 303);
    const keyPage = await editor.get('/newsroom/key');
    assert.ok(keyPage.body.includes(key.fingerprint.replace(/(.{4})(?=.)/g, '$1 ')), 'the fingerprint is shown');

    const sent = await n.app.inject({ method: 'POST', url: '/tech-matin/tips', ...multipart({ message: 'le texte' }, [{ name: 'doc.txt', data: Buffer.from('contenu') }]) });
    const code = /<code id="receipt-code">([^<]+)<\/code>/.exec(sent.body)![1]!;
    const list = await editor.get('/newsroom/tips');
    const [tip] = await listTips(n.store, [n.ids.techMatin]);
    assert.match(list.body, new RegExp(`<a href="/newsroom/tips/${tip!.id}">2026-03-02</a></td><td>Tech Matin</td><td>\\d+ KB</td><td>no</td>`));

    const page = await editor.get(`/newsroom/tips/${tip!.id}`);
    const links = [...page.body.matchAll(/href="(\/newsroom\/tips\/\d+\/parts\/\d+)"/g)].map((m) => m[1]!);
    assert.equal(links.length, 2);
    const file = await editor.get(links[1]!);
    assert.equal(file.headers['content-type'], 'application/pgp-encrypted');
    assert.match(String(file.headers['content-disposition']), /attachment; filename="tip-\d+-2\.asc"/);
    const privateKey = await openpgp.readPrivateKey({ armoredKey: key.privateKey });
    const opened = await openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: file.body }), decryptionKeys: privateKey, format: 'binary' });
    assert.equal(Buffer.from(opened.data as Uint8Array).toString(), 'contenu');
    assert.equal(opened.filename, 'doc.txt');

    assert.equal((await editor.post(`/newsroom/tips/${tip!.id}/reply`, { text: 'Bien reçu, merci.' })).statusCode, 303);
    const thread = await n.app.inject({ method: 'POST', url: '/tech-matin/tips/thread', payload: new URLSearchParams({ code }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.match(thread.body, /Bien reçu, merci\./);
    assert.match((await editor.get('/newsroom/tips')).body, /<td>yes<\/td>/);
    assert.equal((await editor.post(`/newsroom/tips/${tip!.id}/reply`, { text: '  ' })).statusCode, 400);

    assert.equal((await editor.post(`/newsroom/tips/${tip!.id}/delete`, {})).statusCode, 303);
    assert.deepEqual(await listTips(n.store, [n.ids.techMatin]), []);
    assert.equal((await n.store.db.selectFrom('tip_parts').select('id').execute()).length, 0);
    assert.equal((await editor.get(`/newsroom/tips/${tip!.id}`)).statusCode, 404);
    assert.deepEqual((await listAudit(n.store, { type: 'tip' })).map((e) => e.action), ['tip.reply', 'tip.delete']);
  });
}
