// A generated edition of about 1,500 words of author text, in Briefing
// Markdown, for the size check (Gmail clips mail over 102 KB) and the benchmark.

const WORDS = (
  'le gouvernement présente ce matin la dernière tranche de son plan selon plusieurs sources ' +
  'les opérateurs attendent surtout de savoir qui paiera les travaux et le calendrier reste serré ' +
  'un conseiller reconnaît que les collectivités rurales réclament une rallonge budgétaire'
).split(' ');

function sentence(seed: number, length: number): string {
  const words: string[] = [];
  for (let i = 0; i < length; i++) words.push(WORDS[(seed * 7 + i * 3) % WORDS.length]!);
  const text = words.join(' ');
  return text[0]!.toUpperCase() + text.slice(1) + '.';
}

/** The Markdown source of a French edition with `sections` sections of stories, about 1,500 words in all. */
export function largeEditionSource(options: { date?: string } = {}): string {
  const lines = [
    '---',
    'publication: tech-matin',
    `date: ${options.date ?? '2026-03-02'}`,
    'by: Jeanne Moreau',
    'with: [Paul Girard, Inès Haddad]',
    'thanks: notre éditrice Lucie Fabre',
    '---',
    '',
  ];
  let seed = 1;
  for (let s = 1; s <= 6; s++) {
    lines.push(`# Rubrique ${s}`, '');
    for (let k = 1; k <= 2; k++) {
      lines.push(`## Le point ${s}.${k}.`);
      if (s === 1 || k === 1) lines.push(`> menu: ${sentence(seed++, 9)}`);
      lines.push('');
      lines.push(`${sentence(seed++, 30)} ${sentence(seed++, 25)}`, '');
      lines.push(`**Ce qu'on sait.** ${sentence(seed++, 25)} Selon [la source](https://example.org/articles/${s}-${k}).`, '');
      lines.push(`**Ce qui coince.** ${sentence(seed++, 20)}`, '');
    }
  }
  lines.push('# Ordre du jour', '');
  for (let i = 0; i < 5; i++) lines.push(`- **${9 + i} h** ${sentence(seed++, 12)}`);
  lines.push('', '# Restez branchés', '');
  for (let i = 0; i < 5; i++) lines.push(`- ${sentence(seed++, 12)} Raconte [Le Journal](https://example.org/lien/${i}).`);
  lines.push('');
  return lines.join('\n');
}

/** Counts the words of a Markdown source's body (front matter and markup left out). */
export function wordCount(source: string): number {
  const body = source.replace(/^---[\s\S]*?---/, '');
  return body
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/[#>*[\]-]/g, ' ')
    .split(/\s+/)
    .filter((w) => /\p{L}/u.test(w)).length;
}
