import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typeset } from '../../src/edition/typography.ts';

const NBSP = '\u00A0';
const NNBSP = '\u202F';

test('fr: narrow no-break space before ; ! ? replaces or adds the space', () => {
  assert.equal(typeset('Vraiment? Oui ! Bon;', 'fr'), `Vraiment${NNBSP}? Oui${NNBSP}! Bon${NNBSP};`);
  assert.equal(typeset('Quoi ?!', 'fr'), `Quoi${NNBSP}?!`);
});

test('fr: the default typograf rule no longer deletes the space before punctuation', () => {
  assert.equal(typeset('plateforme ?', 'fr'), `plateforme${NNBSP}?`);
});

test('en: no space before ; ! ? :, typograf deletes a typed one', () => {
  assert.equal(typeset('Really ? Yes : no ; fine !', 'en'), 'Really? Yes: no; fine!');
});

test('fr: no-break space before a colon that ends a clause', () => {
  assert.equal(typeset('Réseaux: le plan', 'fr'), `Réseaux${NBSP}: le plan`);
  assert.equal(typeset('Réseaux : le plan', 'fr'), `Réseaux${NBSP}: le plan`);
});

test('fr: times, URLs and mail addresses keep their colons and punctuation', () => {
  assert.equal(typeset('à 9:30 précises', 'fr'), 'à 9:30 précises');
  const url = 'https://example.org/a--b?x=1;y=2&z=3:4';
  assert.equal(typeset(`voir ${url} ici`, 'fr'), `voir ${url} ici`);
  assert.equal(typeset('écrire à jeanne.moreau@example.org ou mailto:a@b.fr', 'fr'), 'écrire à jeanne.moreau@example.org ou mailto:a@b.fr');
  assert.equal(typeset('see https://example.com/x?a=1;b=2 now', 'en'), 'see https://example.com/x?a=1;b=2 now');
});

test('fr: straight double quotes become « » with narrow no-break spaces inside', () => {
  assert.equal(typeset('reste "serré", dit-il', 'fr'), `reste «${NNBSP}serré${NNBSP}», dit-il`);
  assert.equal(typeset('un « mot » ou «mot»', 'fr'), `un «${NNBSP}mot${NNBSP}» ou «${NNBSP}mot${NNBSP}»`);
});

test('fr: a guillemet alone in a text fragment (around a link) is spaced too', () => {
  assert.equal(typeset('dit « ', 'fr'), `dit «${NNBSP}`);
  assert.equal(typeset(' », ajoute', 'fr'), `${NNBSP}», ajoute`);
});

test('a straight quote at the edge of a fragment (a quotation around a link) faces the right way', () => {
  assert.equal(typeset('He said "', 'en'), 'He said “');
  assert.equal(typeset('", today', 'en'), '”, today');
  assert.equal(typeset('Il dit "', 'fr'), `Il dit «${NNBSP}`);
  assert.equal(typeset('" aujourd’hui', 'fr'), `${NNBSP}» aujourd’hui`);
  // Inside a fragment, typograf decides as usual.
  assert.equal(typeset('a "b" c', 'en'), 'a “b” c');
});

test('en: straight double quotes become curly quotes, no inner spacing', () => {
  assert.equal(typeset('it is "tight", he said', 'en'), 'it is “tight”, he said');
});

test('apostrophes become ’ in both languages', () => {
  assert.equal(typeset("l'Arcep d'abord", 'fr'), 'l’Arcep d’abord');
  assert.equal(typeset("it's here", 'en'), 'it’s here');
});

test('three dots become an ellipsis; dots between digits do not', () => {
  assert.equal(typeset('une rallonge... que', 'fr'), 'une rallonge… que');
  assert.equal(typeset('wait...', 'en'), 'wait…');
  assert.equal(typeset('version 1.2.3', 'en'), 'version 1.2.3');
});

test('fr: typed digit groups become unbreakable; long bare numbers are grouped before a counted word', () => {
  assert.equal(typeset('les 300 000 foyers', 'fr'), `les 300${NNBSP}000 foyers`);
  assert.equal(typeset('10000 foyers et 1500000 €', 'fr'), `10${NNBSP}000 foyers et 1${NNBSP}500${NNBSP}000${NBSP}€`);
});

test('fr: years, postal codes, standards and decimals are left as typed', () => {
  assert.equal(typeset('en 2027 et 2028', 'fr'), 'en 2027 et 2028');
  assert.equal(typeset('12 rue Exemple, 75002 Paris', 'fr'), '12 rue Exemple, 75002 Paris');
  assert.equal(typeset('la norme ISO 27001.', 'fr'), 'la norme ISO 27001.');
  assert.equal(typeset('3,14159', 'fr'), '3,14159');
});

test('en: numbers are not grouped with spaces', () => {
  assert.equal(typeset('10000 homes and 300 000 people', 'en'), '10000 homes and 300 000 people');
});

test('fr: number and unit stay together (9 h 30, 5 €, 20 %, 35 millions)', () => {
  assert.equal(typeset('à 9 h 30', 'fr'), `à 9${NBSP}h${NBSP}30`);
  assert.equal(typeset('5 € et 20 % et 20%', 'fr'), `5${NBSP}€ et 20${NNBSP}% et 20${NNBSP}%`);
  assert.equal(typeset('35 millions d’euros', 'fr'), `35${NBSP}millions d’euros`);
  assert.equal(typeset('à 16 heures, 3 ans', 'fr'), `à 16${NBSP}heures, 3${NBSP}ans`);
  // A word that merely starts like a unit is not a unit.
  assert.equal(typeset('3 hommes', 'fr'), '3 hommes');
});

test('fr: the day of a date stays with its month; a year or another number does not', () => {
  assert.equal(typeset('le 2 mars 2026 et le 1er avril', 'fr'), `le 2${NBSP}mars 2026 et le 1er${NBSP}avril`);
  assert.equal(typeset('en 2026 mars reste', 'fr'), 'en 2026 mars reste');
  assert.equal(typeset('on 2 March', 'en'), 'on 2 March');
});

test('en: number and unit stay together (10 am, 5 million)', () => {
  assert.equal(typeset('at 10 am, 5 million', 'en'), `at 10${NBSP}am, 5${NBSP}million`);
  assert.equal(typeset('3 amps', 'en'), '3 amps');
});

test('fr: courtesy titles stay with the name', () => {
  assert.equal(typeset('M. Dupont et Mme Durand', 'fr'), `M.${NBSP}Dupont et Mme${NBSP}Durand`);
  assert.equal(typeset('Mme la ministre', 'fr'), 'Mme la ministre');
});

test('en: titles stay with the name; a lower-case word after them does not', () => {
  assert.equal(typeset('Dr Patel and Mr. Jones', 'en'), `Dr${NBSP}Patel and Mr.${NBSP}Jones`);
  assert.equal(typeset('the Dr said', 'en'), 'the Dr said');
});

test('dashes: a spaced hyphen is an aside dash held to the word before', () => {
  assert.equal(typeset('le budget -- déjà voté - est là', 'fr'), `le budget${NBSP}— déjà voté${NBSP}— est là`);
  assert.equal(typeset('start-up et 1990-2000', 'fr'), 'start-up et 1990-2000');
  assert.equal(typeset('the budget -- already passed', 'en'), `the budget${NBSP}— already passed`);
});

test('leading and trailing spaces of a text fragment are kept', () => {
  assert.equal(typeset(' selon ', 'fr'), ' selon ');
  assert.equal(typeset(' according to ', 'en'), ' according to ');
});

test('a bracket inside a word is left alone (« ami(e)s », « f(x) »)', () => {
  assert.equal(typeset('les ami(e)s et f(x)', 'fr'), 'les ami(e)s et f(x)');
  assert.equal(typeset('the user(s) of f(x)', 'en'), 'the user(s) of f(x)');
});

test('output holds Unicode characters, never HTML entities', () => {
  const out = typeset('Il dit "oui" : 300 000 € ... & <3', 'fr');
  assert.doesNotMatch(out, /&[a-z#0-9]+;/i);
});

test('typesetting is idempotent', () => {
  for (const [text, lang] of [
    ['Il dit "oui" : 300 000 € à 9 h 30 ? Oui !', 'fr'],
    ['He said "yes" -- at 10 am...', 'en'],
  ] as const) {
    const once = typeset(text, lang);
    assert.equal(typeset(once, lang), once);
  }
});
