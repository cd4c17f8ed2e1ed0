// « l'source »: an elided article or pronoun before a word that starts with a
// consonant. French elides only before a vowel or a mute h; before an h
// aspiré (« la hauteur », « le hasard ») the article stays whole.
import type { LintRule } from './rule.ts';
import { eachMatch } from './rule.ts';

/** Words with an h aspiré most often met in news copy (no elision: « le héros », « la hausse »). */
export const H_ASPIRE = new Set([
  'hache', 'haie', 'haine', 'haïr', 'hall', 'halte', 'hamac', 'hameau', 'hamster', 'hanche', 'handicap', 'hangar',
  'hanter', 'harcèlement', 'harceler', 'hardi', 'hardware', 'hareng', 'haricot', 'harpe', 'hasard', 'hâte', 'hausse',
  'haut', 'haute', 'hauteur', 'havre', 'hennissement', 'hérisson', 'hernie', 'héron', 'héros', 'hêtre', 'hibou',
  'hic', 'hiérarchie', 'hippie', 'hisser', 'hockey', 'holding', 'homard', 'hongre', 'honte', 'honteux', 'hoquet',
  'horde', 'hors', 'houle', 'housse', 'hublot', 'huée', 'huit', 'huitième', 'hurler', 'hutte', 'hacker', 'hackers',
  'hacking', 'hashtag', 'hashtags', 'hub', 'hangars', 'hausses', 'hauts', 'héros', 'hiérarchies', 'holdings',
]);

// An acronym read letter by letter starts with a vowel sound when its first
// letter is said « effe », « elle », « emme », « enne », « erre », « esse », « ixe ».
const VOWEL_SOUND_LETTERS = /^[FLMNRSX]/;

const ELIDED = String.raw`(?<![\p{L}\p{M}])((?:jusqu|lorsqu|puisqu|quoiqu|presqu|qu|[cdjlmnst])['’])([\p{L}\p{M}]+)`;

/** Reports an elision before a consonant or an h aspiré, at the elided word. */
export const frenchElision: LintRule = {
  id: 'fr-elision',
  languages: ['fr'],
  check(ctx) {
    eachMatch(ctx.texts, new RegExp(ELIDED, 'giu'), (m, offsetOf) => {
      const word = m[2]!;
      const lower = word.toLocaleLowerCase('fr');
      const first = lower[0]!;
      if (/[aàâäeéèêëiîïoôöuùûüyÿæœ]/.test(first)) return;
      if (first === 'h' && !H_ASPIRE.has(lower)) return;
      // An acronym said letter by letter: « l’SMS » is « l’esse-emme-esse ».
      if (word === word.toLocaleUpperCase('fr') && word.length > 1 && VOWEL_SOUND_LETTERS.test(word)) return;
      const why = first === 'h' ? `« ${word} » has an h aspiré` : `« ${word} » starts with a consonant`;
      ctx.report('fr-elision', offsetOf(m.index), `elision « ${m[1]}${word} »: ${why}, write the word before it in full`);
    });
  },
};
