// The publication settings form (create and edit), every setting of the
// settings file, each problem shown next to its field and listed on top.
import { html, type SafeHtml } from '../html.ts';
import { CSRF_FIELD } from '../auth/guard.ts';
import { LANGUAGES, ROLES } from '../../edition/publication.ts';
import type { FieldErrors, PublicationFields } from '../publication-form.ts';
import { scheduleOf } from '../publication-form.ts';
import { scheduleInWords, WEEK_DAYS } from '../schedule-words.ts';

const LANGUAGE_NAMES: Record<string, string> = { fr: 'French (fr)', en: 'English (en)' };
/** Spare team rows under the members, for adding people without a script. */
const SPARE_ROWS = 2;

export interface PublicationFormOptions {
  fields: PublicationFields;
  errors: FieldErrors;
  csrf: string;
  /** Where the form posts. */
  action: string;
  /** Creating (the slug can be chosen) or editing (the slug is the publication's, fixed). */
  mode: 'create' | 'edit';
  /** What the last post did (« Settings saved. »). */
  notice?: string;
}

/** The form page's body. */
export function publicationFormPage(o: PublicationFormOptions): SafeHtml {
  const f = o.fields;
  const all = [...o.errors.values()].flat();
  const err = (field: string) => {
    const messages = o.errors.get(field);
    return messages ? html`<span class="field-error" id="${field.replace(/\./g, '-')}-error">${messages.join('; ')}</span>` : null;
  };
  const invalid = (field: string) => (o.errors.has(field) ? html` aria-invalid="true" aria-describedby="${field.replace(/\./g, '-')}-error"` : null);
  const text = (field: keyof PublicationFields & string, label: string, hint?: string, attrs?: SafeHtml) =>
    html`<p class="field"><label for="f-${field}">${label}</label>${hint ? html` <small class="muted">${hint}</small>` : null}
<input id="f-${field}" name="${field}" type="text" value="${String(f[field])}"${invalid(field)}${attrs ?? null}>${err(field)}</p>`;
  const words = scheduleInWords(scheduleOf(f));
  const rows = [...f.team, ...Array.from({ length: SPARE_ROWS }, () => ({ name: '', email: '', role: 'author' }))];
  return html`<h1>${o.mode === 'create' ? 'New publication' : `Settings of ${f.name || f.slug}`}</h1>
${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : null}
${o.mode === 'edit' ? html`<p><a href="/newsroom/publications/${f.slug}/settings.yaml" download>Download the settings file</a> (what <code>matinale publication add</code> reads)</p>` : null}
${all.length ? html`<div class="problem-list" role="alert"><p class="problem">The settings were not saved: ${all.length} problem${all.length === 1 ? '' : 's'}.</p><ul>${all.map((m) => html`<li>${m}</li>`)}</ul></div>` : null}
<form method="post" action="${o.action}" class="settings" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${o.csrf}">
${o.mode === 'create'
  ? text('slug', 'Slug', 'in the archive’s address: lower-case letters, digits and dashes', html` required pattern="[a-z0-9]+(-[a-z0-9]+)*"`)
  : html`<input type="hidden" name="slug" value="${f.slug}"><p>Slug: <code>${f.slug}</code> (the address of the archive: <a href="/${f.slug}">/${f.slug}</a>)</p>`}
${text('name', 'Name')}
<p class="field"><label for="f-language">Language</label>
<select id="f-language" name="language"${invalid('language')}>${LANGUAGES.map((l) => html`<option value="${l}"${f.language === l ? html` selected` : null}>${LANGUAGE_NAMES[l] ?? l}</option>`)}</select>${err('language')}</p>
${text('timezone', 'Time zone', 'IANA name, for instance Europe/Paris', html` list="time-zones" autocomplete="off"`)}
<datalist id="time-zones">${Intl.supportedValuesOf('timeZone').map((z) => html`<option value="${z}">`)}</datalist>
<fieldset class="schedule"${invalid('schedule')}><legend>Schedule</legend>
<p>${words ? html`Now: <strong>${words}</strong> (${f.timezone || 'the time zone above'})` : f.schedule ? html`Now: the cron expression <code>${f.schedule}</code>` : 'No schedule yet.'}</p>
<p><label><input type="radio" name="schedule_mode" value="picker"${f.scheduleMode === 'picker' ? html` checked` : null}> These days, at this time</label></p>
<div class="days">${WEEK_DAYS.map((d) => html`<label><input type="checkbox" name="schedule_days" value="${d.cron}"${f.scheduleDays.includes(d.cron) ? html` checked` : null}> ${d.name}</label>`)}</div>
<p><label for="f-schedule_time">Time</label> <input id="f-schedule_time" name="schedule_time" type="time" value="${f.scheduleTime}"></p>
<p><label><input type="radio" name="schedule_mode" value="cron"${f.scheduleMode === 'cron' ? html` checked` : null}> A cron expression</label>
<input aria-label="Cron expression" name="schedule" type="text" value="${f.schedule}" placeholder="0 6 * * 1-5"></p>
${err('schedule')}
</fieldset>
${text('from', 'From', 'Name <address> of the mail readers get')}
${text('replyTo', 'Reply-to', 'an address; optional')}
<p class="field"><label for="f-address">Postal address</label> <small class="muted">printed at the foot of every mail</small>
<textarea id="f-address" name="address" rows="2"${invalid('address')}>${f.address}</textarea>${err('address')}</p>
${text('greeting', 'Greeting', 'optional')}
${text('tipLine', 'Tip line', 'optional')}
<p class="field"><label for="f-welcome">Welcome mail</label> <small class="muted">Briefing Markdown; optional</small>
<textarea id="f-welcome" name="welcome" rows="4"${invalid('welcome')}>${f.welcome}</textarea>${err('welcome')}</p>
<p class="field"><label for="f-words">Word list</label> <small class="muted">words the spelling check accepts, one a line</small>
<textarea id="f-words" name="words" rows="4"${invalid('words')}>${f.words}</textarea>${err('words')}</p>
<p class="field"><label for="f-lintOff">Lint rules turned off</label> <small class="muted">rule ids, separated by commas (for instance grammar-style); optional</small>
<input id="f-lintOff" name="lintOff" type="text" value="${f.lintOff}"${invalid('lintOff')}>${err('lintOff')}</p>
<fieldset class="team"${invalid('team')}><legend>Team</legend>
${err('team')}
${rows.map((m, i) => memberRow(m, i, i >= f.team.length, err, invalid))}
</fieldset>
${err('general')}
<p><button type="submit">${o.mode === 'create' ? 'Create the publication' : 'Save the settings'}</button></p>
</form>`;
}

function memberRow(
  m: { name: string; email: string; role: string },
  i: number,
  spare: boolean,
  err: (field: string) => SafeHtml | null,
  invalid: (field: string) => SafeHtml | null,
): SafeHtml {
  const id = (k: string) => `m${i}-${k}`;
  return html`<div class="member">
<p><label for="${id('name')}">${spare ? 'New member’s name' : `Member ${i + 1}: name`}</label>
<input id="${id('name')}" name="member_name" type="text" value="${m.name}"${invalid(`team.${i}.name`)}>${err(`team.${i}.name`)}</p>
<p><label for="${id('email')}">Address</label>
<input id="${id('email')}" name="member_email" type="email" value="${m.email}"${invalid(`team.${i}.email`)}>${err(`team.${i}.email`)}</p>
<p><label for="${id('role')}">Role</label>
<select id="${id('role')}" name="member_role"${invalid(`team.${i}.role`)}>${ROLES.map((r) => html`<option value="${r}"${m.role === r ? html` selected` : null}>${r}</option>`)}</select>${err(`team.${i}.role`)}${err(`team.${i}`)}</p>
</div>`;
}
