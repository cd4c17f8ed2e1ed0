// The audience's words as readers see them on pages: typeset like an edition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audienceStrings, typesetStrings } from '../../src/audience/strings.ts';
import { checkInboxPage, confirmPage, preferencesPage, unsubscribePage } from '../../src/web/pages/audience-pages.ts';

function assertFrench(words: string, where: string): void {
  assert.doesNotMatch(words, / [:;!?]/, `an ordinary space before : ; ! or ? in ${where}:\n${words}`);
  assert.doesNotMatch(words, /'|&#39;|&apos;|&#x27;/, `a straight apostrophe in ${where}:\n${words}`);
}

/** What a reader reads on a page: its title and body text, without tags, styles or scripts. */
function wordsOf(page: string): string {
  return page
    .replace(/<(style|script)[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]*>/g, ' ');
}

test('the French audience strings are typeset: curly apostrophes, no-break spaces before : ; ! ?', () => {
  const s = typesetStrings('fr');
  for (const [key, value] of Object.entries(s)) assertFrench(value, key);
  assert.equal(s.confirmTitle, 'Confirmer l’inscription');
  assert.equal(s.confirmQuestion, 'Confirmez-vous votre inscription à {name}\u202f?');
  assert.equal(s.wordingVersion, audienceStrings('fr').wordingVersion);
});

test('French audience pages show typeset words', () => {
  const pages = {
    confirm: confirmPage('fr', 'Tech Matin', '/confirm/cX'),
    unsubscribe: unsubscribePage('fr', 'Tech Matin', '/unsubscribe/uX', '/tech-matin', '/preferences/pX'),
    checkInbox: checkInboxPage('fr', 'Tech Matin'),
    preferences: preferencesPage('fr', { name: null, publications: [] } as unknown as Parameters<typeof preferencesPage>[1], '/preferences/pX'),
  };
  for (const [name, page] of Object.entries(pages)) assertFrench(wordsOf(page), name);
  assert.match(pages.confirm, /Confirmer l’inscription/);
});
