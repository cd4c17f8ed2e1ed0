// The publication settings form: refused with the messages of `matinale
// publication add`, each next to its field; created and edited through it; the
// settings file to download reads back as the same settings; nobody saves
// settings that take their own admin role away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { testBackends } from '../helpers/store.ts';
import { EDITOR, Visitor, newsroom } from './harness.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';
import { getPublicationBySlug } from '../../src/store/publications.ts';
import { parsePublicationYaml } from '../../src/edition/publication-file.ts';
import { cronOf, pickedSchedule, scheduleInWords } from '../../src/web/schedule-words.ts';

const ADMIN = { email: 'admin.settings@example.org', password: 'admin-password-123' };

/** Posts a form with repeated fields (team rows), as a browser does. */
function postForm(v: Visitor, url: string, pairs: Array<[string, string]>): Promise<LightMyRequestResponse> {
  return v.post(url, new URLSearchParams(pairs));
}

function form(overrides: Record<string, string> = {}, team: Array<[string, string, string]> = [['Ada Admin', ADMIN.email, 'admin']]): Array<[string, string]> {
  const base: Record<string, string> = {
    slug: 'soir-info',
    name: 'Soir Info',
    language: 'fr',
    timezone: 'Europe/Paris',
    schedule_mode: 'picker',
    schedule_time: '18:30',
    from: 'Soir Info <soir@example.org>',
    replyTo: '',
    address: '1 place du Marché, 69001 Lyon',
    greeting: 'Bonsoir,',
    tipLine: '',
    welcome: '',
    words: 'Lyonnais\nTCL',
    ...overrides,
  };
  return [
    ...Object.entries(base),
    ...['1', '2', '3', '4', '5'].map((d): [string, string] => ['schedule_days', d]),
    ...team.flatMap(([name, email, role]): Array<[string, string]> => [['member_name', name], ['member_email', email], ['member_role', role]]),
    // The spare row the form always has, left blank.
    ['member_name', ''], ['member_email', ''], ['member_role', 'author'],
  ];
}

test('the schedule picker reads and writes the plain cron shapes, and says them in words', () => {
  assert.deepEqual(pickedSchedule('0 6 * * 1-5'), { days: [1, 2, 3, 4, 5], time: '06:00' });
  assert.equal(cronOf({ days: [1, 2, 3, 4, 5], time: '06:00' }), '0 6 * * 1-5');
  assert.equal(cronOf({ days: [0, 6], time: '09:15' }), '15 9 * * 0,6');
  assert.equal(cronOf({ days: [0, 1, 2, 3, 4, 5, 6], time: '07:00' }), '0 7 * * *');
  assert.equal(scheduleInWords('0 6 * * 1-5'), 'Monday to Friday at 06:00');
  assert.equal(scheduleInWords('30 7 * * 7'), 'Every Sunday at 07:30');
  assert.equal(scheduleInWords('0 8 * * 6,0'), 'Saturday and Sunday at 08:00');
  assert.equal(scheduleInWords('0 8 * * 1,3,5'), 'Monday, Wednesday and Friday at 08:00');
  assert.equal(scheduleInWords('0 8 * * 3-6'), 'Wednesday to Saturday at 08:00');
  assert.equal(scheduleInWords('0 */2 * * *'), undefined);
  assert.equal(cronOf({ days: [], time: '06:00' }), undefined);
  assert.equal(cronOf({ days: [1], time: '25:00' }), undefined);
});

for (const backend of await testBackends()) {
  test(`an admin creates and edits a publication in the form, on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    await addAccount(n.store, { ...ADMIN, role: 'admin', publicationSlugs: ['tech-matin'] }, n.clock);
    const admin = new Visitor(n.app);
    await admin.signIn(ADMIN);

    const blank = await admin.get('/newsroom/publications/new');
    assert.equal(blank.statusCode, 200);
    assert.match(blank.body, new RegExp(`value="${ADMIN.email}"`), 'the creator is on the new team');

    // Bad fields: refused with the reader's messages, each next to its field, nothing stored.
    const bad = await postForm(admin, '/newsroom/publications/new', form({ timezone: 'Mars/Olympus', address: '' }, [['Ada Admin', ADMIN.email, 'admin'], ['Bob', 'not-an-address', 'author']]));
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /id="f-timezone"[^>]*aria-invalid="true" aria-describedby="timezone-error"/);
    assert.match(bad.body, /<span class="field-error" id="timezone-error">`timezone` is not a known IANA time zone/);
    assert.match(bad.body, /id="address-error">`address` must not be empty/);
    assert.match(bad.body, /id="team-1-email-error">`team\[1\].email` is not a valid email address/);
    assert.match(bad.body, /value="Mars\/Olympus"/, 'what was typed stays');
    assert.equal(await getPublicationBySlug(n.store, 'soir-info'), undefined);

    // An existing slug is not overwritten by a creation.
    const taken = await postForm(admin, '/newsroom/publications/new', form({ slug: 'tech-matin' }));
    assert.equal(taken.statusCode, 422);
    assert.match(taken.body, /id="slug-error">a publication tech-matin exists already/);

    // Without oneself as admin, the new publication would be out of reach.
    const lockout = await postForm(admin, '/newsroom/publications/new', form({}, [['Ada Admin', ADMIN.email, 'editor']]));
    assert.equal(lockout.statusCode, 422);
    assert.match(lockout.body, /id="team-error">keep yourself/);

    const created = await postForm(admin, '/newsroom/publications/new', form());
    assert.equal(created.statusCode, 303, created.body.slice(0, 300));
    assert.equal(created.headers.location, '/newsroom/publications/soir-info/settings?done=created');
    const stored = await getPublicationBySlug(n.store, 'soir-info');
    assert.equal(stored?.settings.schedule, '30 18 * * 1-5');
    assert.deepEqual(stored?.settings.words, ['Lyonnais', 'TCL']);
    assert.equal(stored?.settings.greeting, 'Bonsoir,');
    assert.equal(stored?.settings.replyTo, undefined);
    assert.deepEqual(stored?.team.map((m) => [m.email, m.role]), [[ADMIN.email, 'admin']]);

    const edit = await admin.get('/newsroom/publications/soir-info/settings?done=created');
    assert.match(edit.body, /Publication created\./);
    assert.match(edit.body, /Monday to Friday at 18:30/);

    // Edited with a cron expression and a new member.
    const saved = await postForm(
      admin,
      '/newsroom/publications/soir-info/settings',
      form({ schedule_mode: 'cron', schedule: '0 7 * * 6', name: 'Soir Info Lyon' }, [['Ada Admin', ADMIN.email, 'admin'], ['Chloé', 'chloe@example.org', 'author']]),
    );
    assert.equal(saved.statusCode, 303);
    const after = await getPublicationBySlug(n.store, 'soir-info');
    assert.equal(after?.settings.name, 'Soir Info Lyon');
    assert.equal(after?.settings.schedule, '0 7 * * 6');
    assert.deepEqual(after?.team.map((m) => m.email).sort(), [ADMIN.email, 'chloe@example.org']);

    // The file to download is the settings file `publication add` reads, the same settings.
    const file = await admin.get('/newsroom/publications/soir-info/settings.yaml');
    assert.equal(file.statusCode, 200);
    assert.match(String(file.headers['content-disposition']), /attachment; filename="soir-info.yaml"/);
    const read = parsePublicationYaml(file.body, 'soir-info.yaml');
    assert.deepEqual(read.diagnostics, []);
    assert.deepEqual(read.publication, after?.settings);

    // An editor of Tech Matin is no admin: neither form is theirs.
    const editor = new Visitor(n.app);
    await editor.signIn(EDITOR);
    assert.equal((await editor.get('/newsroom/publications/new')).statusCode, 403);
    assert.equal((await editor.get('/newsroom/publications/tech-matin/settings')).statusCode, 403);
    assert.equal((await editor.get('/newsroom/publications/soir-info/settings')).statusCode, 404);
  });
}
