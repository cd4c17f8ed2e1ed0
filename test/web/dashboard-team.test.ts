// The team in the dashboard, through the app on every backend: an admin
// invites a person, whose mail (in the local outbox, through the one
// transactional mail path) holds a signed link that sets their password once;
// they sign in; the admin changes their role, ends their sessions and
// disables the account; a member's password change ends their other sessions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { testBackends } from '../helpers/store.ts';
import { EDITOR, Visitor, newsroom } from './harness.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';
import { outbox, linkInText } from '../audience/mail-reader.ts';
import { findPerson } from '../../src/store/people.ts';
import { INVITATION_TTL_MS } from '../../src/web/auth/invitations.ts';

const ADMIN = { email: 'ada.admin@example.org', password: 'admin-password-1' };
const NEW = { email: 'nina.new@example.org', password: 'a-long-new-password' };

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never: ${what}`);
}

for (const backend of await testBackends()) {
  test(`${backend.name}: an admin invites a person who sets a password from the mail and signs in; roles, sessions and disabling`, async () => {
    const n = await newsroom(backend);
    try {
      await addAccount(n.store, { ...ADMIN, role: 'admin', publicationSlugs: ['tech-matin'] }, n.clock);
      const admin = new Visitor(n.app);
      await admin.signIn(ADMIN);
      const team = await admin.get('/newsroom/team');
      assert.equal(team.statusCode, 200);
      assert.match(team.body, /Lucie|lucie\.fabre@example\.org/);

      const refused = await admin.post('/newsroom/team/invite', { email: 'not an address', name: 'X', publication: 'tech-matin', role: 'author' });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /this is not an email address/);

      const invited = await admin.post('/newsroom/team/invite', { email: NEW.email, name: 'Nina New', publication: 'tech-matin', role: 'author' });
      assert.equal(invited.statusCode, 303);
      assert.match((await admin.get(String(invited.headers.location))).body, /Invitation sent/);
      const box = join(n.config.dataDir, 'outbox');
      await until(() => outbox(box).some((m) => m.to.includes(NEW.email)), 'the invitation in the outbox');
      const mail = outbox(box).find((m) => m.to.includes(NEW.email))!;
      assert.match(mail.subject, /invitation to the newsroom of Tech Matin/);
      const link = new URL(linkInText(mail, '/newsroom/invitation/'));

      // Before the password is set, the account cannot sign in with anything.
      const nina = new Visitor(n.app);
      await assert.rejects(nina.signIn(NEW));
      const form = await nina.get(link.pathname);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /Choose the password of your newsroom account nina\.new@example\.org/);
      // A forged or tampered link does nothing.
      const tampered = link.pathname.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      assert.equal((await new Visitor(n.app).get(tampered)).statusCode, 404);
      assert.equal((await new Visitor(n.app).post(tampered, { password: NEW.password, repeated: NEW.password })).statusCode, 403, 'no CSRF cookie');
      const short = await nina.post(link.pathname, { password: 'short', repeated: 'short' });
      assert.equal(short.statusCode, 400);
      assert.match(short.body, /at least 10 characters/);
      const set = await nina.post(link.pathname, { password: NEW.password, repeated: NEW.password });
      assert.equal(set.statusCode, 200);
      assert.match(set.body, /Your password is set/);
      // Once: the link is void now.
      assert.equal((await nina.get(link.pathname)).statusCode, 410);
      assert.equal((await nina.post(link.pathname, { password: 'another-password-2', repeated: 'another-password-2' })).statusCode, 410);
      await nina.signIn(NEW);
      assert.equal((await nina.get('/newsroom')).statusCode, 200);
      assert.equal((await nina.get('/newsroom/team')).statusCode, 403, 'an author has no team page');


      const person = (await findPerson(n.store, NEW.email))!;
      assert.equal((await admin.post('/newsroom/team/role', { person: String(person.id), publication: 'tech-matin', role: 'editor' })).statusCode, 303);
      assert.equal((await nina.get('/newsroom/publications/tech-matin/subscribers')).statusCode, 200, 'an editor now');
      assert.equal((await admin.post('/newsroom/team/role', { person: String(person.id), publication: 'policy-morning', role: 'admin' })).statusCode, 404, 'not an admin there');
      const self = (await findPerson(n.store, ADMIN.email))!;
      assert.equal((await admin.post('/newsroom/team/role', { person: String(self.id), publication: 'tech-matin', role: 'author' })).statusCode, 403);

      assert.equal((await admin.post('/newsroom/team/sign-out', { person: String(person.id) })).statusCode, 303);
      assert.equal((await nina.get('/newsroom')).statusCode, 303, 'her session ended');
      await nina.signIn(NEW);
      // Lucie is also on Policy Morning, where this admin is not: her account is not theirs to disable.
      const lucie = (await findPerson(n.store, EDITOR.email))!;
      assert.equal((await admin.post('/newsroom/team/disable', { person: String(lucie.id) })).statusCode, 403);
      assert.equal((await admin.post('/newsroom/team/disable', { person: String(person.id) })).statusCode, 303);
      assert.equal((await nina.get('/newsroom')).statusCode, 303);
      await assert.rejects(nina.signIn(NEW));
    } finally {
      await n.close();
    }
  });

  test(`${backend.name}: an invitation expires; a password change asks the current one and ends the other sessions only`, async () => {
    const n = await newsroom(backend);
    try {
      await addAccount(n.store, { ...ADMIN, role: 'admin', publicationSlugs: ['tech-matin'] }, n.clock);
      const admin = new Visitor(n.app);
      await admin.signIn(ADMIN);
      await admin.post('/newsroom/team/invite', { email: NEW.email, name: 'Nina', publication: 'tech-matin', role: 'author' });
      const box = join(n.config.dataDir, 'outbox');
      await until(() => outbox(box).some((m) => m.to.includes(NEW.email)), 'the invitation in the outbox');
      const link = new URL(linkInText(outbox(box).find((m) => m.to.includes(NEW.email)), '/newsroom/invitation/'));
      n.clock.advance(INVITATION_TTL_MS + 1);
      const late = await new Visitor(n.app).get(link.pathname);
      assert.equal(late.statusCode, 410);
      assert.match(late.body, /This link has expired/);

      const here = new Visitor(n.app);
      const elsewhere = new Visitor(n.app);
      await here.signIn(EDITOR);
      await elsewhere.signIn(EDITOR);
      await here.get('/newsroom/account');
      const wrong = await here.post('/newsroom/account/password', { current: 'not-it', next: 'editor-password-2', repeated: 'editor-password-2' });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /This is not your current password/);
      const changed = await here.post('/newsroom/account/password', { current: EDITOR.password, next: 'editor-password-2', repeated: 'editor-password-2' });
      assert.equal(changed.statusCode, 200);
      assert.match(changed.body, /Password changed\. One other session ended\./);
      assert.equal((await here.get('/newsroom')).statusCode, 200, 'this session stays');
      assert.equal((await elsewhere.get('/newsroom')).statusCode, 303, 'the other one ended');
      await elsewhere.signIn({ email: EDITOR.email, password: 'editor-password-2' });
    } finally {
      await n.close();
    }
  });
}
