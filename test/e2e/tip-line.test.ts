// The tip line end to end, on each backend: `matinale serve` as a child
// process, a desk member's key set with `matinale user key`, and Debian's
// chromium with JavaScript off sending a tip with a file through the form.
// GnuPG (a temporary GNUPGHOME) decrypts what the server stored with the
// member's private key, byte for byte, the file name inside; the source reads
// the newsroom's reply with the receipt code and adds a file. The marker
// strings of the message, the file name and the file's content appear
// nowhere in DATA_DIR (the SQLite files, the outbox, the secret), the
// server's logs, or a pg_dump of the PostgreSQL schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { chromium } from 'playwright-core';
import { cliBackends } from '../helpers/cli-database.ts';
import { goodKey } from '../helpers/tip-keys.ts';
import { systemClock } from '../../src/clock.ts';
import { listTips, tipParts } from '../../src/store/tips.ts';
import { replyToTip } from '../../src/tips/tip-line.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) ? `Debian's chromium is not installed at ${CHROMIUM}` : !existsSync('/usr/bin/gpg') ? 'gpg is not installed (apt-get install gnupg)' : false;
const SECRET = 'e2e'.repeat(22);
const EDITOR = 'lucie.fabre@example.org';

function run(env: NodeJS.ProcessEnv, args: string[]) {
  const r = spawnSync(process.execPath, ['bin/matinale.js', ...args], { cwd: ROOT, env, encoding: 'utf8' });
  assert.equal(r.status, 0, `matinale ${args.join(' ')}: ${r.stderr}`);
  return r;
}

function gpg(home: string, args: string[], input?: string) {
  const r = spawnSync('gpg', ['--homedir', home, '--batch', '--yes', '--no-tty', ...args], input ? { input: Buffer.from(input) } : {});
  assert.equal(r.status, 0, `gpg ${args.join(' ')}: ${r.stderr.toString()}`);
  return r;
}

/** Every file under a folder, with its bytes. */
function filesUnder(dir: string): Array<{ path: string; bytes: Buffer }> {
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, String(name)))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, bytes: readFileSync(path) }));
}

for (const backend of await cliBackends()) {
  for (const javaScript of [false, true]) {
  const how = javaScript ? 'with JavaScript (sealed in the browser, with its proof of work)' : 'without JavaScript (sealed on arrival)';
  test(`${backend.name}: a tip sent from chromium ${how} is read with GnuPG, answered, and leaves no marker anywhere`, { skip, timeout: 240_000 }, async (t) => {
    const db = await backend.create();
    t.after(() => db.dispose());
    const env: NodeJS.ProcessEnv = { ...db.env, MATINALE_SECRET: SECRET, PUBLIC_URL: '', SMTP_URL: '' };
    mkdirSync(env.DATA_DIR!, { recursive: true });
    const tag = randomBytes(4).toString('hex');
    const markers = { message: `MSGMARK${tag}`, name: `NAMEMARK${tag}`, content: `CONTENTMARK${tag}`, added: `ADDMARK${tag}` };

    run(env, ['publication', 'add', 'examples/publications/tech-matin.yaml']);
    const key = await goodKey(EDITOR);
    const keyFile = join(db.dir, 'lucie.asc');
    writeFileSync(keyFile, key.publicKey);
    run(env, ['user', 'key', EDITOR, '--key', keyFile]);

    const child = spawn(process.execPath, ['bin/matinale.js', 'serve', '--port', '0', '--no-worker'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    child.stdout.on('data', (c) => (logs += c));
    child.stderr.on('data', (c) => (logs += c));
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve printed no URL:\n${logs}`)), 60_000);
      child.stdout.on('data', () => {
        const m = /Matinale is running at (http:\/\/\S+)/.exec(logs);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${logs}`)));
    });

    // The file: the marker, then every byte value, so that any mangling shows.
    const file = Buffer.concat([Buffer.from(markers.content), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(200_000)]);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    t.after(() => browser.close());
    const context = await browser.newContext({ javaScriptEnabled: javaScript });
    const page = await context.newPage();
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base)) foreign.push(r.url());
    });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });

    await page.goto(`${base}/tech-matin`);
    await page.getByRole('link', { name: 'Envoyer une info à Tech Matin' }).click();
    await page.waitForURL(`${base}/tech-matin/tips`);
    // The archive's subscribe form has its CSRF cookie; the tip pages must add none.
    await context.clearCookies();
    await page.reload();
    await page.getByLabel('Votre message').fill(`${markers.message} : le ministre savait.`);
    await page.getByLabel('Fichiers (facultatif)').setInputFiles({ name: `${markers.name}.bin`, mimeType: 'application/octet-stream', buffer: file });
    await page.getByRole('button', { name: 'Envoyer chiffré' }).click();
    // With JavaScript the script says it is sealing in the browser (and the server took parts only with its proof of work).
    if (javaScript) await page.getByText('Chiffrement dans votre navigateur').waitFor();
    await page
      .getByRole('heading', { name: 'Votre info est arrivée, chiffrée' })
      .waitFor({ timeout: 90_000 })
      .catch((err: Error) => {
        throw new Error(`${err.message}\n${problems.join('\n')}`);
      });
    const code = (await page.locator('#receipt-code').textContent())!.trim();
    assert.equal(code.split(' ').length, 8);
    assert.deepEqual(await context.cookies(), [], 'the tip pages set no cookie');

    // What the server stored, decrypted by GnuPG with the member's private key.
    const store = db.open();
    t.after(() => store.close());
    const [tip] = await listTips(store, [1]);
    assert.ok(tip, 'the tip is stored');
    const parts = await tipParts(store, tip.id);
    assert.deepEqual(parts.map((p) => p.kind), ['message', 'attachment']);
    const home = join(db.dir, 'gnupg');
    mkdirSync(home, { mode: 0o700 });
    gpg(home, ['--import'], key.privateKey);
    const decrypt = (armored: string, name: string) => {
      const path = join(db.dir, name);
      writeFileSync(path, armored);
      const out = join(db.dir, `${name}.out`);
      gpg(home, ['--output', out, '--decrypt', path]);
      const packets = gpg(home, ['--list-packets', path]).stdout.toString();
      return { bytes: readFileSync(out), packets };
    };
    const message = decrypt(parts[0]!.ciphertext, 'part1.asc');
    assert.equal(message.bytes.toString(), `${markers.message} : le ministre savait.`);
    const attachment = decrypt(parts[1]!.ciphertext, 'part2.asc');
    assert.ok(attachment.bytes.equals(file), 'the file, byte for byte');
    assert.match(attachment.packets, new RegExp(`name="${markers.name}\\.bin"`));
    const midnight = Math.floor(Date.parse(`${tip.day}T00:00:00Z`) / 1000);
    assert.match(attachment.packets, new RegExp(`created ${midnight}\\b`), 'the literal packet carries the day (UTC midnight), never the time');

    // The source comes back with the code: no reply yet; the newsroom replies; the source reads it and adds a file.
    await page.goto(`${base}/tech-matin/tips`);
    await page.getByLabel('Votre code de reçu (8 mots)').fill(code.toUpperCase());
    await page.getByRole('button', { name: 'Lire les réponses' }).click();
    await page.getByText('Pas encore de réponse.').waitFor();
    const desk = [await openpgp.readKey({ armoredKey: key.publicKey })];
    assert.equal(await replyToTip({ store, secret: SECRET, clock: systemClock }, tip.id, 'Merci. Avez-vous le courriel original ?', desk), true);
    await page.goto(`${base}/tech-matin/tips`);
    await page.getByLabel('Votre code de reçu (8 mots)').fill(code);
    await page.getByRole('button', { name: 'Lire les réponses' }).click();
    await page.getByText('Merci. Avez-vous le courriel original ?').waitFor();
    await page.locator('#add-files').setInputFiles({ name: 'original.eml', mimeType: 'message/rfc822', buffer: Buffer.from(markers.added) });
    await page.getByRole('button', { name: 'Envoyer chiffré' }).click();
    await page.getByText('Votre complément est arrivé, chiffré, avec votre envoi.').waitFor();
    const later = await tipParts(store, tip.id);
    assert.deepEqual(later.map((p) => p.kind), ['message', 'attachment', 'reply', 'attachment']);
    assert.equal(decrypt(later[3]!.ciphertext, 'part4.asc').bytes.toString(), markers.added);
    assert.deepEqual(foreign, [], 'no request leaves the site');
    assert.deepEqual(problems, [], 'no script error');

    // Stop the server (its logs are complete), then look for the markers everywhere.
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    await store.close();
    const places: Array<{ where: string; bytes: Buffer }> = filesUnder(env.DATA_DIR!).map((f) => ({ where: f.path, bytes: f.bytes }));
    places.push({ where: 'the server logs', bytes: Buffer.from(logs) });
    if (backend.name === 'postgres') {
      const url = new URL(env.DATABASE_URL!);
      const schema = /search_path=(\S+)/.exec(url.searchParams.get('options')!)![1]!;
      url.search = '';
      const dump = spawnSync('pg_dump', ['--schema', schema, url.toString()], { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 });
      assert.equal(dump.status, 0, dump.stderr.toString());
      assert.match(dump.stdout.toString(), /tip_parts/);
      places.push({ where: 'pg_dump', bytes: dump.stdout });
    } else {
      assert.ok(places.some((p) => p.where.endsWith('matinale.sqlite')), 'the SQLite file is among the places checked');
    }
    assert.ok(logs.length > 0, 'the server logged');
    for (const { where, bytes } of places) {
      for (const [what, marker] of Object.entries(markers)) assert.equal(bytes.indexOf(marker), -1, `the ${what} marker is in ${where}`);
    }
  });
  }
}
