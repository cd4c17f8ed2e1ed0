// « goes out Mon 7 Dec 06:00 Europe/Paris »: when an edition will be mailed,
// written in the publication's language and time zone, wherever the dashboard
// lists approved editions (editions list, editor, sends page), with the form
// that unschedules it.
import { html, type SafeHtml } from '../html.ts';
import { CSRF_FIELD } from '../auth/guard.ts';

const WORDS: Record<string, string> = { en: 'goes out', fr: 'part' };

/** A moment as `Mon 7 Dec 06:00` (`lun. 7 déc. 06:00`) in a language and time zone. */
export function wallTime(ms: number, language: string, timezone: string): string {
  const parts = new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : language, {
    timeZone: timezone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('hour')}:${part('minute')}`;
}

/** The sentence, in the publication's language: `goes out Mon 7 Dec 06:00 Europe/Paris`. */
export function goesOutText(ms: number, language: string, timezone: string): string {
  return `${WORDS[language] ?? WORDS.en} ${wallTime(ms, language, timezone)} ${timezone}`;
}

/** The sentence as markup, marked with its language, with the unschedule button when `unschedule` gives the form's token. */
export function goesOut(
  ms: number | undefined,
  publication: { language: string; settings: { timezone: string } },
  unschedule?: { editionId: number; csrf: string },
): SafeHtml | null {
  if (ms === undefined) return null;
  const text = goesOutText(ms, publication.language, publication.settings.timezone);
  return html`<span class="goes-out" lang="${publication.language}"><time datetime="${new Date(ms).toISOString()}">${text}</time></span>${
    unschedule
      ? html` <form method="post" action="/newsroom/editions/${unschedule.editionId}/unschedule" class="inline">
<input type="hidden" name="${CSRF_FIELD}" value="${unschedule.csrf}">
<button type="submit">Unschedule</button>
</form>`
      : null
  }`;
}
