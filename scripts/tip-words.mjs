// Writes the receipt-code word lists (src/tips/words/<lang>.txt) from the
// Hunspell dictionaries the linter already uses: 2048 short words of plain
// a–z letters, each with its own first four letters, so that a source copying
// a code by hand types common-looking words and a typo rarely lands on
// another word of the list. Run once; the lists are committed and reviewed.
//   node scripts/tip-words.mjs
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';

const SIZE = 2048;
// Words a newsroom would not want to hand a source.
const AVOID = new Set('shit fuck piss crap damn cunt dick cock slut whore bitch twat wank nazi rape kill dead merde pute conne bite salope nazie viol tuer mort encule'.split(' '));
const sources = { en: 'dictionary-en', fr: 'dictionary-fr' };
mkdirSync(new URL('../src/tips/words/', import.meta.url), { recursive: true });
for (const [lang, pkg] of Object.entries(sources)) {
  const dic = readFileSync(new URL(`../node_modules/${pkg}/index.dic`, import.meta.url), 'utf8');
  const byPrefix = new Map();
  for (const line of dic.split('\n').slice(1)) {
    const word = line.split('/')[0].trim();
    // Plain letters only (no accent to get wrong, no capital: no proper noun), 4 to 6 of them.
    if (!/^[a-z]{4,6}$/.test(word) || !/[aeiouy]/.test(word) || AVOID.has(word)) continue;
    const prefix = word.slice(0, 4);
    const kept = byPrefix.get(prefix);
    if (!kept || word.length < kept.length || (word.length === kept.length && word < kept)) byPrefix.set(prefix, word);
  }
  const all = [...byPrefix.values()].sort();
  if (all.length < SIZE) throw new Error(`${lang}: only ${all.length} words`);
  // Evenly spaced through the alphabet, so that no region of it is left out.
  const chosen = Array.from({ length: SIZE }, (_, i) => all[Math.floor((i * all.length) / SIZE)]);
  writeFileSync(new URL(`../src/tips/words/${lang}.txt`, import.meta.url), chosen.join('\n') + '\n');
  console.log(`${lang}: ${chosen.length} of ${all.length}`);
}
