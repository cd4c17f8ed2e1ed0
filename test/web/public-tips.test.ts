// The tip form through the app, without JavaScript: closed until a desk
// member has a key; a tip with a file sealed on arrival to the desk's key;
// the receipt code opening the newsroom's replies; a wrong code getting the
// page of an unanswered tip; typos, oversize uploads and floods refused; and
// not one log line about any of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as openpgp from 'openpgp';
import type { FastifyInstance } from 'fastify';
import { testBackends } from '../helpers/store.ts';
import { newsroom, EDITOR } from './harness.ts';
import { goodKey } from '../helpers/tip-keys.ts';
import { setPersonKey } from '../../src/store/people.ts';
import { listTips, tipParts } from '../../src/store/tips.ts';
import { buildApp } from '../../src/web/app.ts';
import { replyToTip } from '../../src/tips/tip-line.ts';
import { newReceiptCode } from '../../src/tips/receipt-code.ts';
import { multipart } from '../helpers/multipart.ts';

/** A body as the form's script posts it: one part sealed in the browser, no proof of work. */
function multipartSealed(armored: string) {
  const boundary = '----sealed';
  const payload = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="sealed-message"; filename="message.asc"\r\nContent-Type: application/octet-stream\r\n\r\n${armored}\r\n--${boundary}--\r\n`);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const codeOf = (body: string) => /<code id="receipt-code">([^<]+)<\/code>/.exec(body)?.[1] ?? '';

for (const backend of await testBackends()) {
  test(`${backend.name}: a tip through the form without JavaScript, its replies, and what a wrong code gets`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const lines: string[] = [];
    const app: FastifyInstance = await buildApp({ store: n.store, config: { ...n.config, tipsPerHour: 100 }, clock: n.clock, logger: { stream: { write: (l) => lines.push(l) } } });
    t.after(() => app.close());

    const closed = await app.inject({ method: 'GET', url: '/tech-matin/tips' });
    assert.equal(closed.statusCode, 200);
    assert.match(closed.body, /ne reçoit pas d’infos par ce formulaire/);
    assert.doesNotMatch(closed.body, /enctype="multipart\/form-data"/);
    const refused = await app.inject({ method: 'POST', url: '/tech-matin/tips', ...multipart({ message: 'x' }) });
    assert.equal(refused.statusCode, 503);
    assert.deepEqual(await listTips(n.store, [n.ids.techMatin]), []);

    const key = await goodKey(EDITOR.email);
    await setPersonKey(n.store, EDITOR.email, key.publicKey);
    const form = await app.inject({ method: 'GET', url: '/tech-matin/tips' });
    assert.match(form.body, /<html lang="fr">/);
    assert.match(form.body, /enctype="multipart\/form-data"/);
    assert.match(form.body, /10\u00a0Mo au plus/);
    assert.doesNotMatch(form.body, /(src|href)="(https?:)?\/\//, 'nothing from another origin');
    assert.equal(form.headers['cache-control'], 'no-store');
    assert.equal(form.headers['set-cookie'], undefined);

    const file = Buffer.from([...Buffer.from('MARKER-CONTENT '), 0, 255, 128]);
    const sent = await app.inject({
      method: 'POST',
      url: '/tech-matin/tips',
      ...multipart({ message: 'MARKER-MESSAGE ministre' }, [{ name: 'MARKER-NAME.bin', data: file }]),
      remoteAddress: '203.0.113.7',
    });
    assert.equal(sent.statusCode, 200, sent.body);
    const code = codeOf(sent.body);
    assert.equal(code.split(' ').length, 8);
    const [tip] = await listTips(n.store, [n.ids.techMatin]);
    assert.equal(tip?.day, '2026-03-02');
    const parts = await tipParts(n.store, tip!.id);
    assert.deepEqual(parts.map((p) => p.kind), ['message', 'attachment']);
    const privateKey = await openpgp.readPrivateKey({ armoredKey: key.privateKey });
    const opened = await openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: parts[1]!.ciphertext }), decryptionKeys: privateKey, format: 'binary' });
    assert.deepEqual(Buffer.from(opened.data as Uint8Array), file);
    assert.equal(opened.filename, 'MARKER-NAME.bin');

    const thread = (c: string) => app.inject({ method: 'POST', url: '/tech-matin/tips/thread', payload: new URLSearchParams({ code: c }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const before = await thread(code);
    assert.equal(before.statusCode, 200);
    assert.match(before.body, /Pas encore de réponse/);
    const wrong = newReceiptCode('fr');
    const wrongPage = await thread(wrong);
    assert.equal(wrongPage.statusCode, 200);
    // The same page but for the code and the proof-of-work challenge each page carries.
    const same = (body: string, c: string) => body.replace(c, 'CODE').replace(/data-challenge="[^"]+"/, '');
    assert.equal(same(wrongPage.body, wrong), same(before.body, code), 'a wrong code gets the page of an unanswered tip');

    await replyToTip({ store: n.store, secret: n.config.secret, clock: n.clock }, tip!.id, 'Merci <b>!</b>\nPouvez-vous préciser ?', [await openpgp.readKey({ armoredKey: key.publicKey })]);
    const after = await thread(code.toUpperCase());
    assert.match(after.body, /Merci &lt;b&gt;!&lt;\/b&gt;<br>Pouvez-vous préciser \?/);
    assert.equal(same((await thread(wrong)).body, wrong), same(wrongPage.body, wrong));

    const typo = await thread(code.replace(/^(\S+)/, '$1z'));
    assert.equal(typo.statusCode, 400);
    assert.match(typo.body, /Le 1e mot, «\u202f\S+z\u202f», n’est pas un mot des codes/);

    const added = await app.inject({ method: 'POST', url: '/tech-matin/tips/add', ...multipart({ code, message: 'one more' }) });
    assert.equal(added.statusCode, 200);
    assert.match(added.body, /Votre complément est arrivé/);
    assert.deepEqual((await tipParts(n.store, tip!.id)).map((p) => p.kind), ['message', 'attachment', 'reply', 'follow-up']);

    const big = await app.inject({ method: 'POST', url: '/tech-matin/tips', ...multipart({ message: 'big' }, [{ name: 'big.bin', data: Buffer.alloc(10 * 1024 * 1024 + 1, 1) }]) });
    assert.equal(big.statusCode, 413);
    assert.match(big.body, /dépasse 10\u00a0Mo/);
    // A part sealed "in the browser" without the script's proof of work is refused.
    const sealed = await openpgp.encrypt({ message: await openpgp.createMessage({ text: 'x' }), encryptionKeys: await openpgp.readKey({ armoredKey: key.publicKey }) });
    const noProof = await app.inject({ method: 'POST', url: '/tech-matin/tips', ...multipartSealed(sealed) });
    assert.equal(noProof.statusCode, 400);
    assert.match(noProof.body, /vérification anti-abus a échoué/);
    const empty = await app.inject({ method: 'POST', url: '/tech-matin/tips', ...multipart({ message: '  ' }) });
    assert.equal(empty.statusCode, 400);
    assert.equal((await listTips(n.store, [n.ids.techMatin])).length, 1, 'refused tips left nothing');

    assert.deepEqual(lines.filter((l) => /tips|203\.0\.113/.test(l)), [], 'no log line about the tip routes');
  });

  test(`${backend.name}: the tip line brakes a flood from one network, in memory`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const app = await buildApp({ store: n.store, config: { ...n.config, tipsPerHour: 2 }, clock: n.clock });
    t.after(() => app.close());
    const post = (ip: string) => app.inject({ method: 'POST', url: '/tech-matin/tips/thread', payload: 'code=a', headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: ip });
    assert.equal((await post('198.51.100.1')).statusCode, 400);
    assert.equal((await post('198.51.100.2')).statusCode, 400);
    const third = await post('198.51.100.3');
    assert.equal(third.statusCode, 429, 'the same /24');
    assert.match(third.body, /Trop d’envois depuis votre réseau/);
    assert.equal((await post('198.51.101.1')).statusCode, 400, 'another network');
    n.clock.advance(3_600_001);
    assert.equal((await post('198.51.100.3')).statusCode, 400, 'an hour later');
  });
}
