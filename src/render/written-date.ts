// Edition dates written out in the publication's language (« lundi 2 mars »).
import type { Language } from '../edition/publication.ts';
import { stringsFor } from './strings.ts';

/**
 * Writes a `YYYY-MM-DD` edition date out in words. The date is already a
 * calendar day in the publication's time zone, so it is formatted at noon UTC
 * in UTC: converting it to the zone again could move it to another day.
 */
export function writtenDate(date: string, language: Language, options: { year?: boolean } = {}): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const instant = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
  if (Number.isNaN(instant.getTime())) return date;
  const format = new Intl.DateTimeFormat(stringsFor(language).locale, {
    timeZone: 'UTC',
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(options.year ? { year: 'numeric' } : {}),
  });
  return format
    .formatToParts(instant)
    .map((part) => (language === 'fr' && part.type === 'day' && part.value === '1' ? '1er' : part.value))
    .join('');
}
