// Slugs for anchors and URLs: lower-case ASCII words joined by dashes, accents
// folded (« Câbles d'abord » → `cables-d-abord`), so that links survive every
// mail client and stay the same from one render to the next.

const LIGATURES: Record<string, string> = { œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

const MAX_LENGTH = 60;

/** The slug of a text; empty when the text has no letter or digit. */
export function slugify(text: string): string {
  const folded = text
    .toLowerCase()
    .replace(/[œæßøłđðþı]/g, (c) => LIGATURES[c] ?? c)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '');
  let slug = folded.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug.length > MAX_LENGTH) {
    // Cut at a word boundary so that the anchor still reads as words.
    const cut = slug.slice(0, MAX_LENGTH + 1);
    const lastDash = cut.lastIndexOf('-');
    slug = (lastDash > 0 ? cut.slice(0, lastDash) : cut.slice(0, MAX_LENGTH)).replace(/-+$/, '');
  }
  return slug;
}

/** A slug not yet in `taken` (adding `-2`, `-3`… when needed), recorded in `taken`. */
export function uniqueSlug(base: string, taken: Set<string>): string {
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}-${n}`;
  taken.add(candidate);
  return candidate;
}
