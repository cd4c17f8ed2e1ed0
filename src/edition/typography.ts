// Typesetting for the publication's language: one typograf engine per
// language does all of it (quotes, apostrophes, ellipses, dashes, and French
// spacing through our own rules in typography-fr.ts). Authors type plain
// keyboard characters; the renderers call `typeset` on every text node and
// escape the result afterwards, so it returns Unicode characters, never HTML
// entities, and keeps leading and trailing spaces (a text node next to a link
// must keep the space that separates them).
import Typograf from 'typograf';
import type { TypografRule } from 'typograf';
import type { Language } from './publication.ts';
import { FRENCH_RULES } from './typography-fr.ts';
import { ENGLISH_RULES } from './typography-en.ts';

const LOCALES: Record<Language, string> = { fr: 'fr', en: 'en-US' };

/** typograf rules that are wrong for us in every language, and why. */
const DISABLED_ALWAYS = [
  // Text nodes are typeset one by one: trimming would glue a word to the link after it.
  'common/space/trimLeft',
  'common/space/trimRight',
  // Russian habits (a no-break space after every word of one or two letters,
  // « a », « the », « at »…): not the house style; French no-break spaces come
  // from our own rules.
  'common/nbsp/afterShortWord',
  'common/nbsp/beforeShortLastWord',
  'common/nbsp/beforeShortLastNumber',
  'common/nbsp/afterShortWordByList',
  // Would split « ami(e)s » and « f(x) » into « ami (e)s », « f (x) ».
  'common/space/beforeBracket',
];

/** typograf rules that are wrong for us, per language. */
const DISABLED: Record<Language, string[]> = {
  fr: [
    // Deletes the space French wants before ? ! : ; (« plateforme? »).
    'common/space/delBeforePunctuation',
    // French writes 20 % with a narrow no-break space (fr/matinale/units).
    'common/space/delBeforePercent',
    ...DISABLED_ALWAYS,
  ],
  en: DISABLED_ALWAYS,
};

// Web and mail addresses are hidden from every rule: typograf's own URL
// pattern stops at the first character outside a short list, and a colon or a
// semicolon inside an address must never gain a space.
const SAFE = [
  /\b(?:https?|ftp):\/\/[^\s<>«»"“”]*[^\s<>«»"“”.,;:!?)\]'’]/g,
  /\bmailto:[^\s<>«»"“”]*[^\s<>«»"“”.,;:!?)\]'’]/g,
  /\bwww\.[^\s<>«»"“”]*[^\s<>«»"“”.,;:!?)\]'’]/g,
  /[\p{L}\d._%+-]+@[\p{L}\d-]+(?:\.[\p{L}\d-]+)+/gu,
];

// Guillemets the author typed already say which way they face; typograf's
// quote rule would re-decide it from their place, and turns the » that opens a
// text fragment (after a link) into «. They are hidden from it in private-use
// characters and put back by a rule of ours, before the spacing rules run.
const TYPED_OPEN = '\uE000';
const TYPED_CLOSE = '\uE001';

// A straight quote at the edge of a text fragment belongs to a quotation that
// goes on in the next node (« He said "[this](url)" today »): alone, typograf
// cannot tell which way it faces and gets it wrong. Its place in the fragment
// tells: at the end after a space it opens, at the start before a space or a
// punctuation mark it closes. Such quotes are set aside the same way.
const EDGE_OPEN = '\uE002';
const EDGE_CLOSE = '\uE003';
const EDGE_OPEN_AT = /(^|[\s([])"$/;
const EDGE_CLOSE_AT = /^"(?=[\s,.;:!?)\]…]|$)/;

const QUOTES: Record<string, readonly [string, string]> = { fr: ['«', '»'], 'en-US': ['“', '”'] };

const restoreTypedGuillemets: TypografRule = {
  name: 'common/matinale/typedGuillemets',
  index: 950,
  handler: (text, _settings, context) => {
    const [open, close] = QUOTES[context.prefs.locale[0] ?? ''] ?? ['“', '”'];
    return text
      .replace(/\uE000/g, '«')
      .replace(/\uE001/g, '»')
      .replace(/\uE002/g, open)
      .replace(/\uE003/g, close);
  },
};

let registered = false;
const engines = new Map<Language, Typograf>();

function registerRules(): void {
  if (registered) return;
  registered = true;
  for (const rule of [restoreTypedGuillemets, ...FRENCH_RULES, ...ENGLISH_RULES]) Typograf.addRule(rule);
}

/** The one typograf engine of a language, built on first use. */
export function engineFor(language: Language): Typograf {
  let engine = engines.get(language);
  if (!engine) {
    registerRules();
    engine = new Typograf({
      locale: [LOCALES[language]],
      htmlEntity: { type: 'default' },
      disableRule: DISABLED[language],
    });
    for (const re of SAFE) engine.addSafeTag(re);
    engines.set(language, engine);
  }
  return engine;
}

/** Sets the typography of `language` on plain text typed by an author. */
export function typeset(text: string, language: Language): string {
  if (text === '') return text;
  let hidden = text.replace(/«/g, TYPED_OPEN).replace(/»/g, TYPED_CLOSE);
  // A fragment that is one quote alone says nothing about its direction: left to typograf.
  if (hidden !== '"') {
    hidden = hidden.replace(EDGE_OPEN_AT, `$1${EDGE_OPEN}`).replace(EDGE_CLOSE_AT, EDGE_CLOSE);
  }
  return engineFor(language).execute(hidden);
}
