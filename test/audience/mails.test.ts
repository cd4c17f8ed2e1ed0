// The audience's mails read like an edition: typeset in the publication's
// language (French apostrophes and spaces before : ; ! ?), links intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alreadySubscribedMail, confirmationMail, welcomeMail } from '../../src/audience/mails.ts';
import type { PublicationRef } from '../../src/audience/publication-ref.ts';
import type { RecipientLinks } from '../../src/audience/links.ts';
import type { Mail } from '../../src/audience/mailer.ts';

const PUBLIC_URL = 'http://news.test';
const links: RecipientLinks = {
  unsubscribeUrl: 'http://news.test/unsubscribe/uA1.b-2_c',
  preferencesUrl: 'http://news.test/preferences/pA1.b-2_c',
  headers: { 'List-Unsubscribe': '<http://news.test/unsubscribe/uA1.b-2_c>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
};

function publication(welcome?: string): PublicationRef {
  return {
    id: 1,
    slug: 'tech-matin',
    name: 'Tech Matin',
    language: 'fr',
    settings: { slug: 'tech-matin', name: 'Tech Matin', language: 'fr', timezone: 'Europe/Paris', from: 'Tech Matin <tm@example.org>', ...(welcome ? { welcome } : {}) },
  };
}

/** The words a reader sees: subject, text, and the HTML part without its tags and styles. */
function wordsOf(mail: Mail): string[] {
  const body = /<body[^>]*>([\s\S]*)<\/body>/.exec(mail.html ?? '')?.[1] ?? '';
  return [mail.subject, mail.text, body.replace(/<[^>]*>/g, '')];
}

function assertFrenchTypography(mail: Mail): void {
  for (const words of wordsOf(mail)) {
    assert.doesNotMatch(words, / [:;!?]/, `an ordinary space before a colon, semicolon, ! or ? in:\n${words}`);
    assert.doesNotMatch(words, /\w[:;!?](?!\/\/)\s/u, `no space at all before a colon, semicolon, ! or ? in:\n${words}`);
    assert.doesNotMatch(words, /'|&#39;|&apos;/, `a straight apostrophe in:\n${words}`);
  }
}

test('French confirmation, « already subscribed » and welcome mails are typeset, links intact', () => {
  const welcome = "Bienvenue dans **Tech Matin** ! L'essentiel de la tech, chaque matin : [notre charte](https://news.test/charte?x=1;y=2).";
  const mails = [
    confirmationMail(publication(), 'ann@example.org', 'http://news.test/confirm/cA1.b-2_c', PUBLIC_URL),
    alreadySubscribedMail(publication(), 'ann@example.org', links, PUBLIC_URL),
    welcomeMail(publication(welcome), 'ann@example.org', links, '2026-03-02', PUBLIC_URL),
    welcomeMail(publication(), 'ann@example.org', links, undefined, PUBLIC_URL),
  ];
  for (const mail of mails) assertFrenchTypography(mail);
  // The house style (edition/typography-fr.ts): a no-break space before a colon, a narrow one before ! ? ;.

  const [confirm, already, welcomed] = mails;
  assert.match(confirm!.text, /Si vous n’avez rien demandé, ignorez ce message\u00a0: vous ne recevrez rien\./);
  assert.match(confirm!.text, /\nhttp:\/\/news\.test\/confirm\/cA1\.b-2_c\n/);
  assert.match(already!.text, /Quelqu’un \(sans doute vous\)/);
  assert.match(already!.text, /Pour gérer vos préférences\u00a0: http:\/\/news\.test\/preferences\/pA1\.b-2_c$/);
  assert.match(welcomed!.text, /^Bienvenue dans Tech Matin\u202f! L’essentiel de la tech, chaque matin\u00a0: notre charte \(https:\/\/news\.test\/charte\?x=1;y=2\)\./);
  assert.match(welcomed!.text, /Gérer vos préférences\u00a0: http:\/\/news\.test\/preferences\/pA1\.b-2_c\n/);
  assert.match(welcomed!.html ?? '', /<strong>Tech Matin<\/strong>\u202f! L’essentiel/);
  assert.match(welcomed!.html ?? '', /<a href="https:\/\/news\.test\/charte\?x=1;y=2">notre charte<\/a>/);
});
