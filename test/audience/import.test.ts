// Importing CSV files of subscribers (and exporting them), on every backend.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import iconv from 'iconv-lite';
import { fixtureTest, testBackends } from '../helpers/store.ts';
import { audienceFixture, type AudienceFixture } from './audience-fixture.ts';
import { importSubscribers, ImportRefusedError, NotCsvError, type ImportOptions } from '../../src/audience/import.ts';
import { checkImportFile } from '../../src/audience/import-file-check.ts';
import { exportSubscribers } from '../../src/audience/export.ts';
import { suppress } from '../../src/audience/suppression.ts';
import { ensureSubscriber } from '../../src/store/subscribers.ts';

const dir = mkdtempSync(join(tmpdir(), 'matinale-import-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function file(content: string | Buffer): string {
  const path = join(dir, `file-${++n}.csv`);
  writeFileSync(path, content);
  return path;
}

async function counts(f: AudienceFixture) {
  const c = async (t: 'subscribers' | 'subscriptions' | 'consent_log') =>
    Number((await f.store.db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { subscribers: await c('subscribers'), subscriptions: await c('subscriptions'), consent: await c('consent_log') };
}

async function statuses(f: AudienceFixture) {
  const rows = await f.store.db
    .selectFrom('subscriptions')
    .innerJoin('subscribers', 'subscribers.id', 'subscriptions.subscriber_id')
    .select(['subscribers.email', 'subscribers.name', 'subscriptions.status'])
    .orderBy('subscribers.email')
    .execute();
  return rows.map((r) => [r.email, r.name, r.status]);
}

// On PostgreSQL every test runs twice: the indexes filled row by row (these
// files are far below the size that rebuilds them), and rebuilt at the end.
const ways = (await testBackends()).flatMap((backend) =>
  backend.name === 'postgres'
    ? [{ backend, label: 'postgres', indexRebuild: 'never' as const }, { backend, label: 'postgres, indexes rebuilt', indexRebuild: 'always' as const }]
    : [{ backend, label: backend.name, indexRebuild: 'never' as const }],
);
const rebuildOf = new WeakMap<AudienceFixture, ImportOptions['indexRebuild']>();
const run = (f: AudienceFixture, o: Partial<ImportOptions> & { file: string }) =>
  importSubscribers(f.deps, { publicationSlug: 'tech-matin', indexRebuild: rebuildOf.get(f), ...o });

test('a UTF-8 character cut by the end of a read (1 MiB) is still UTF-8; a cut or broken one anywhere makes the file Windows-1252', async () => {
  const header = Buffer.from('email,name\n');
  for (const char of ['é', '€', '😀']) {
    const bytes = Buffer.from(char);
    for (let before = 1; before <= bytes.length + 1; before++) {
      // The character starts `before` bytes before the end of the first read.
      const fill = Buffer.alloc((1 << 20) - header.length - before, 'a');
      const body = Buffer.concat([header, fill, bytes, Buffer.from('\n')]);
      assert.equal((await checkImportFile(file(body))).encoding, 'utf8', `${char} ${before}`);
      // The same file with the character's last byte missing, or its first alone at the very end.
      const broken = Buffer.concat([header, fill, bytes.subarray(0, bytes.length - 1), Buffer.from('\n')]);
      assert.equal((await checkImportFile(file(broken))).encoding, 'windows-1252', `${char} ${before} broken`);
      const cutAtEnd = Buffer.concat([header, fill, bytes.subarray(0, 1)]);
      assert.equal((await checkImportFile(file(cutAtEnd))).encoding, 'windows-1252', `${char} ${before} cut at the end`);
    }
  }
});

for (const way of ways) {
  const it = (name: string, body: (f: AudienceFixture) => Promise<void>) =>
    fixtureTest(way.label, () => audienceFixture(way.backend))(name, async (f) => {
      rebuildOf.set(f, way.indexRebuild);
      await body(f);
    });

  it('imports a UTF-8 file with BOM, CRLF, quoted fields and another tool\'s column names; bad rows go to the rejects file', async (f) => {
    const path = file(
      '\uFEFF"Email Address","First Name","Last Name",OPTIN_TIME\r\n' +
        'ann@Example.org,Ann,"Lee, Jr.",2025-01-02 10:00:00\r\n' +
        'not-an-address,Bob,,\r\n' +
        '"carl@example.org","Carl ""CJ""",Jones,\r\n' +
        '\r\n' +
        'ANN@example.org,Ann again,,\r\n' +
        ',,,\r\n' +
        'dora@bücher.de,Dora,,not a date\r\n' +
        'eve@example.org,Eve,,\r\n',
    );
    const rejects = join(dir, 'rejects-1.csv');
    const summary = await run(f, { file: path, rejectsFile: rejects });
    assert.equal(summary.encoding, 'utf8');
    assert.equal(summary.delimiter, ',');
    assert.deepEqual([summary.rows, summary.imported, summary.unchanged, summary.rejected], [7, 3, 0, 4]);
    assert.deepEqual(await statuses(f), [
      ['ann@example.org', 'Ann Lee, Jr.', 'pending'],
      ['carl@example.org', 'Carl "CJ" Jones', 'pending'],
      ['eve@example.org', 'Eve', 'pending'],
    ]);
    assert.equal(
      readFileSync(rejects, 'utf8'),
      'line,reason,email\n' +
        '3,no @ in the address,not-an-address\n' +
        '6,duplicate of line 2,ANN@example.org\n' +
        '7,no address,\n' +
        '8,created_at is not a date,dora@xn--bcher-kva.de\n',
    );
    const ann = await f.store.db.selectFrom('subscribers').select('created_at').where('email', '=', 'ann@example.org').executeTakeFirstOrThrow();
    assert.equal(ann.created_at, Date.parse('2025-01-02T10:00:00Z'));
    // One consent log row per subscription created, with how it came.
    const log = await f.store.db.selectFrom('consent_log').select(['action', 'method']).execute();
    assert.deepEqual(log.map((l) => [l.action, l.method]), Array(3).fill(['import', 'import']));
  });

  it('re-importing the same file changes nothing', async (f) => {
    const path = file('email,name\nann@example.org,Ann\nbob@example.org,Bob\nbad,\nann@example.org,Twice\n');
    const first = await run(f, { file: path, batchSize: 1 });
    assert.deepEqual([first.imported, first.unchanged, first.rejected], [2, 0, 2]);
    assert.deepEqual(first.sampleRejects.map((r) => r.reason), ['no @ in the address', 'duplicate in the file']);
    const before = await counts(f);
    f.clock.advance(1000);
    const again = await run(f, { file: path, batchSize: 1 });
    assert.deepEqual([again.imported, again.unchanged, again.rejected], [0, 3, 1]);
    assert.deepEqual(await counts(f), before);
  });

  it('a semicolon-separated Windows-1252 file is read as such', async (f) => {
    const path = file(iconv.encode('e-mail;Nom;consent_source\r\nzoe@example.fr;Zoé Côté;salon 2025\r\nandre@example.fr;André €uro;\r\n', 'win1252'));
    const summary = await run(f, { file: path, confirmed: true, consentSource: 'old list' });
    assert.equal(summary.encoding, 'windows-1252');
    assert.equal(summary.delimiter, ';');
    assert.deepEqual(await statuses(f), [
      ['andre@example.fr', 'André €uro', 'active'],
      ['zoe@example.fr', 'Zoé Côté', 'active'],
    ]);
    const details = (await f.store.db.selectFrom('consent_log').select(['action', 'details']).orderBy('id').execute()).map((r) => [
      r.action,
      (JSON.parse(r.details!) as { consentSource: string }).consentSource,
    ]);
    assert.deepEqual(details.sort(), [['import-confirmed', 'old list'], ['import-confirmed', 'salon 2025']]);
  });

  it('Windows-1252 is detected even when its first non-ASCII byte comes late in the file', async (f) => {
    const ascii = Array.from({ length: 3000 }, (_, i) => `r${i}@example.org,Reader ${i}`).join('\r\n');
    const path = file(Buffer.concat([Buffer.from(`email,name\r\n${ascii}\r\n`), iconv.encode('late@example.org,Hélène\r\n', 'win1252')]));
    const summary = await run(f, { file: path });
    assert.equal(summary.encoding, 'windows-1252');
    assert.equal(summary.imported, 3001);
    const row = await f.store.db.selectFrom('subscribers').select('name').where('email', '=', 'late@example.org').executeTakeFirstOrThrow();
    assert.equal(row.name, 'Hélène');
  });

  it('a rejects file that cannot be written refuses the import before anything is written', async (f) => {
    await assert.rejects(run(f, { file: file('email\nann@example.org\n'), rejectsFile: join(dir, 'no-such-dir', 'r.csv') }), /cannot write the rejects file/);
    assert.deepEqual(await counts(f), { subscribers: 0, subscriptions: 0, consent: 0 });
  });

  it('--confirmed without any consent source is refused before anything is written', async (f) => {
    const path = file('email\nann@example.org\n');
    await assert.rejects(run(f, { file: path, confirmed: true }), ImportRefusedError);
    assert.deepEqual(await counts(f), { subscribers: 0, subscriptions: 0, consent: 0 });
  });

  it('suppressed addresses are not re-subscribed by an import', async (f) => {
    await suppress(f.deps, f.ids.tech, 'gone@example.org', 'unsubscribe');
    await suppress(f.deps, f.ids.tech, 'bounced@example.org', 'hard-bounce');
    const summary = await run(f, { file: file('email\nGone@example.org\nbounced@EXAMPLE.org\nstays@example.org\n'), confirmed: true, consentSource: 'x' });
    assert.deepEqual([summary.imported, summary.rejected], [1, 2]);
    assert.deepEqual(summary.sampleRejects.map((r) => [r.line, r.reason]), [[2, 'suppressed'], [3, 'suppressed']]);
    assert.deepEqual(await statuses(f), [['stays@example.org', null, 'active']]);
  });

  it('stray quotes inside a field are kept as text; a quote never closed is rejected with its reason', async (f) => {
    const summary = await run(f, { file: file('email,name\nann@example.org,"Ann"x\nbob@example.org,Bob\ncarl@example.org,"Carl\n') });
    assert.deepEqual([summary.imported, summary.rejected], [2, 1]);
    assert.match(summary.sampleRejects[0]!.reason, /unreadable CSV: a quote opened in this row is never closed/);
    assert.deepEqual((await statuses(f)).map((r) => r[1]), ['"Ann"x', 'Bob']);
  });

  it('a file that is not CSV is refused with a clear message before anything is written', async (f) => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    await assert.rejects(run(f, { file: file(png) }), (e: Error) => e instanceof NotCsvError && /binary data/.test(e.message));
    await assert.rejects(run(f, { file: file('') }), (e: Error) => e instanceof NotCsvError && /empty/.test(e.message));
    await assert.rejects(
      run(f, { file: file('id,phone\n1,0601020304\n') }),
      (e: Error) => e instanceof NotCsvError && /no email column.*« id », « phone »/.test(e.message),
    );
    await assert.rejects(run(f, { file: file('{"email": "ann@example.org"}\n') }), NotCsvError);
    await assert.rejects(run(f, { file: file(Buffer.from([0xff, 0xfe, 0x65, 0x00])) }), /UTF-16/);
    await assert.rejects(run(f, { file: file('email\nann@example.org\n'), publicationSlug: 'nope' }), ImportRefusedError);
    assert.deepEqual(await counts(f), { subscribers: 0, subscriptions: 0, consent: 0 });
  });

  it('a binary file with text at its start is still refused before anything is written', async (f) => {
    const path = file(Buffer.concat([Buffer.from('email\nann@example.org\n'.repeat(5000)), Buffer.from([0, 1, 2, 3])]));
    await assert.rejects(run(f, { file: path }), NotCsvError);
    assert.deepEqual(await counts(f), { subscribers: 0, subscriptions: 0, consent: 0 });
  });

  for (const eol of ['\n', '\r\n']) {
    it(`line numbers in the rejects file stay exact after quoted fields over several lines (${JSON.stringify(eol)} between rows), across reads of the file and chunks`, async (f) => {
      // Enough rows for several reads of the file (64 KiB each) and several
      // chunks; every 7th name spans three lines (LF, then CRLF: csv-parse
      // counts a CRLF inside a field as two lines), every 50th row is refused.
      const rows: string[] = [];
      const expected: string[] = [];
      let line = 2;
      let lineOf7 = 0;
      for (let i = 0; i < 3000; i++) {
        const email = i % 50 === 49 ? `bad${i}.example.org` : `m${i}@example.org`;
        const name = i % 7 === 0 ? `"Reader ${i}\nsecond line\r\nthird, ${'x'.repeat(40)}"` : `Reader ${i} ${'y'.repeat(40)}`;
        if (i % 50 === 49) expected.push(`${line},no @ in the address,${email}`);
        if (i === 7) lineOf7 = line;
        rows.push(`${email},${name}`);
        line += 1 + (i % 7 === 0 ? 2 : 0);
      }
      // Duplicates of a multi-line row: in the same chunk (told by its line) and in a later one.
      const text = `email,name${eol}${rows.join(eol)}${eol}m7@example.org,again${eol}`;
      const rejects = join(dir, `rejects-multiline-${eol.length}.csv`);
      const summary = await run(f, { file: file(text), rejectsFile: rejects, batchSize: 700 });
      assert.equal(summary.rejected, expected.length + 1);
      const got = readFileSync(rejects, 'utf8').trim().split('\n').slice(1);
      assert.deepEqual(got, [...expected, `${line},duplicate in the file,m7@example.org`]);
      f.clock.advance(1000);
      const same = await run(f, { file: file(`email${eol}"m7@example.org"${eol}"a${eol}b"${eol}"m7@example.org"${eol}`), rejectsFile: rejects });
      assert.deepEqual([same.rejected, same.unchanged], [2, 1]);
      assert.equal(readFileSync(rejects, 'utf8'), 'line,reason,email\n3,no @ in the address,"a' + eol + 'b"\n5,duplicate of line 2,m7@example.org\n');
      assert.ok(lineOf7 > 0);
      // And the multi-line names come back whole.
      const m7 = await f.store.db.selectFrom('subscribers').select('name').where('email', '=', 'm7@example.org').executeTakeFirstOrThrow();
      assert.equal(m7.name, `Reader 7\nsecond line\r\nthird, ${'x'.repeat(40)}`);
    });
  }

  it('progress is reported batch by batch', async (f) => {
    const rows = Array.from({ length: 25 }, (_, i) => `p${i}@example.org`).join('\n');
    const seen: number[] = [];
    await run(f, { file: file(`email\n${rows}\n`), batchSize: 10, onProgress: (p) => seen.push(p.imported) });
    assert.deepEqual(seen, [10, 20, 25]);
  });

  it('names with tabs, backslashes, line breaks and \\N come back as they were written', async (f) => {
    const names = ['Ann\tTab', 'Back\\slash', 'Two\nlines', '\\N', 'Zoé « Ω »'];
    const csv = names.map((n, i) => `r${i}@example.org,"${n}"`).join('\n');
    const summary = await run(f, { file: file(`email,name\n${csv}\n`) });
    assert.equal(summary.imported, names.length);
    assert.deepEqual((await statuses(f)).map((r) => r[1]), names);
  });

  it('a failure during the import leaves no chunk half-written (and none at all where the backend streams the whole file in one transaction)', async (f) => {
    const rows = Array.from({ length: 5 }, (_, i) => `f${i}@example.org`).join('\n');
    let calls = 0;
    const onProgress = () => {
      if (++calls === 2) throw new Error('the terminal went away');
    };
    await assert.rejects(run(f, { file: file(`email\n${rows}\n`), batchSize: 2, onProgress }), /the terminal went away/);
    const after = await counts(f);
    // Chunks are written whole: every subscriber has its subscription and its consent row.
    assert.equal(after.subscriptions, after.subscribers);
    assert.equal(after.consent, after.subscribers);
    // The failing call reports the second chunk: SQLite committed both chunks before it, PostgreSQL nothing.
    assert.equal(after.subscribers, f.store.capabilities.supportsCopy ? 0 : 4);
    // And the import can simply be run again (later: a run is told apart by its time).
    f.clock.advance(1000);
    const again = await run(f, { file: file(`email\n${rows}\n`) });
    assert.equal(again.imported + again.unchanged, 5);
    assert.deepEqual(await counts(f), { subscribers: 5, subscriptions: 5, consent: 5 });
  });

  it('an address already held under another hash (secret rotated) is left unchanged, and the rest imported', async (f) => {
    await ensureSubscriber(f.store, { email: 'ann@example.org', emailHash: 'old-secret-hash', name: 'Ann', at: 1 });
    const summary = await run(f, { file: file('email\nann@example.org\nbob@example.org\n'), confirmed: true, consentSource: 'x' });
    assert.deepEqual([summary.imported, summary.unchanged, summary.rejected], [1, 1, 0]);
    assert.deepEqual(await statuses(f), [['bob@example.org', null, 'active']]);
    assert.deepEqual(await counts(f), { subscribers: 2, subscriptions: 1, consent: 1 });
  });

  it('rows too long to share the COPY text\'s usual blocks come back whole', async (f) => {
    // 1,000 rows of about 1.5 kB (two bytes a character): a block of COPY text larger than the 1 MiB slabs.
    const name = (i: number) => `${i} ${'é'.repeat(190)}`;
    const source = 'è'.repeat(500);
    const csv = Array.from({ length: 1200 }, (_, i) => `long${i}@example.org,${name(i)},${source}`).join('\n');
    const summary = await run(f, { file: file(`email,name,consent_source\n${csv}\n`), confirmed: true });
    assert.equal(summary.imported, 1200);
    const rows = await f.store.db.selectFrom('subscribers').select(['email', 'name']).where('email', 'in', ['long0@example.org', 'long1199@example.org']).orderBy('email').execute();
    assert.deepEqual(rows, [
      { email: 'long0@example.org', name: name(0) },
      { email: 'long1199@example.org', name: name(1199) },
    ]);
    const details = await f.store.db.selectFrom('consent_log').select('details').execute();
    assert.ok(details.every((d) => (JSON.parse(d.details!) as { consentSource: string }).consentSource === source));
  });

  it('an export lists the imported subscribers in the file\'s order, whatever the order the store writes subscribers in', async (f) => {
    // PostgreSQL inserts each chunk's new subscribers in hash order (cheaper for its index): subscriptions keep the file's.
    const emails = Array.from({ length: 40 }, (_, i) => `${String.fromCharCode(122 - (i % 26))}${i}@example.org`);
    await run(f, { file: file(`email\n${emails.join('\n')}\n`), batchSize: 15 });
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    await exportSubscribers(f.store, 'tech-matin', out);
    assert.deepEqual(
      text.trim().split('\n').slice(1).map((l) => l.split(',')[0]),
      emails,
    );
  });

  it('exports the publication\'s subscribers with their status as CSV', async (f) => {
    await run(f, { file: file('email,name\nann@example.org,"Ann, A."\nbob@example.org,\n') });
    await suppress(f.deps, f.ids.tech, 'bob@example.org', 'complaint');
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const rows = await exportSubscribers(f.store, 'tech-matin', out);
    assert.equal(rows, 2);
    const lines = text.trim().split('\n');
    assert.equal(lines[0], 'email,name,status,source,created_at,confirmed_at,unsubscribed_at');
    assert.match(lines[1]!, /^ann@example\.org,"Ann, A\.",pending,import,2026-03-02T05:00:00\.000Z,,$/);
    assert.match(lines[2]!, /^bob@example\.org,,unsubscribed,import,/);
  });
}
