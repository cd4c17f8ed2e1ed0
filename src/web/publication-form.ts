// The publication settings form: the fields a browser posts, read into the
// settings file's shape and written out as that very YAML file, so that the
// form is checked by the one reader of `matinale publication add`
// (edition/publication-file.ts) and refused with the same messages. Each
// message names the setting it is about (`timezone`, `team[1].email`): that
// name places it next to its field.
import { stringify } from 'yaml';
import { parsePublicationYaml } from '../edition/publication-file.ts';
import { PUBLICATION_KEYS, type Publication, type TeamMember } from '../edition/publication.ts';
import { cronOf } from './schedule-words.ts';

/** What the form holds, as typed (nothing checked yet). */
export interface PublicationFields {
  slug: string;
  name: string;
  language: string;
  timezone: string;
  /** `picker` (days and a time) or `cron` (the expression as typed). */
  scheduleMode: 'picker' | 'cron';
  scheduleDays: number[];
  scheduleTime: string;
  schedule: string;
  from: string;
  replyTo: string;
  address: string;
  greeting: string;
  tipLine: string;
  welcome: string;
  /** One word a line. */
  words: string;
  /** The lint rules turned off, as typed: ids separated by commas, spaces or lines (`grammar-style, unknown-word`). */
  lintOff: string;
  team: Array<{ name: string; email: string; role: string }>;
}

/** Problems by field: `name`, `team` (the team as a whole), `team.1.email`…; `general` for the rest. */
export type FieldErrors = Map<string, string[]>;

export type FormBody = Record<string, string | string[] | undefined>;

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

/** The fields of a posted form (`member_name`, `member_email`, `member_role` repeat, one per team row). */
export function fieldsFromBody(body: FormBody): PublicationFields {
  const names = list(body.member_name);
  const emails = list(body.member_email);
  const roles = list(body.member_role);
  const team = names
    .map((name, i) => ({ name: name.trim(), email: (emails[i] ?? '').trim(), role: (roles[i] ?? '').trim() }))
    // A row left blank is a spare row, not a member.
    .filter((m) => m.name || m.email);
  return {
    slug: one(body.slug).trim(),
    name: one(body.name).trim(),
    language: one(body.language).trim(),
    timezone: one(body.timezone).trim(),
    scheduleMode: one(body.schedule_mode) === 'cron' ? 'cron' : 'picker',
    scheduleDays: list(body.schedule_days).map(Number).filter((d) => Number.isInteger(d)),
    scheduleTime: one(body.schedule_time).trim(),
    schedule: one(body.schedule).trim(),
    from: one(body.from).trim(),
    replyTo: one(body.replyTo).trim(),
    address: one(body.address).trim(),
    greeting: one(body.greeting).trim(),
    tipLine: one(body.tipLine).trim(),
    welcome: one(body.welcome).replace(/\r\n/g, '\n').trim(),
    words: one(body.words).replace(/\r\n/g, '\n'),
    lintOff: one(body.lintOff).trim(),
    team,
  };
}

/** The form filled from stored settings (the picker used when it can show the schedule). */
export function fieldsFromSettings(p: Publication, picked: { days: number[]; time: string } | undefined): PublicationFields {
  return {
    slug: p.slug,
    name: p.name,
    language: p.language,
    timezone: p.timezone,
    scheduleMode: picked ? 'picker' : 'cron',
    scheduleDays: picked?.days ?? [],
    scheduleTime: picked?.time ?? '',
    schedule: p.schedule,
    from: p.from,
    replyTo: p.replyTo ?? '',
    address: p.address,
    greeting: p.greeting ?? '',
    tipLine: p.tipLine ?? '',
    welcome: p.welcome ?? '',
    words: (p.words ?? []).join('\n'),
    lintOff: (p.lint?.off ?? []).join(', '),
    team: p.team.map((m) => ({ name: m.name, email: m.email, role: m.role })),
  };
}

/** The schedule the form asks for: from the picker, or the cron expression as typed. */
export function scheduleOf(fields: PublicationFields): string {
  if (fields.scheduleMode === 'cron') return fields.schedule;
  return cronOf({ days: fields.scheduleDays, time: fields.scheduleTime }) ?? '';
}

/**
 * The settings file the form stands for. Optional settings left empty are
 * left out; required ones stay, empty, so that the reader says they must not
 * be. Team members keep the OpenPGP keys of `previous` (the form does not show
 * keys; the file import does).
 */
export function settingsYaml(fields: PublicationFields, previous?: Publication): string {
  const keys = new Map((previous?.team ?? []).map((m) => [m.email.toLowerCase(), m.pgpKey]));
  const team = fields.team.map((m) => {
    const pgpKey = keys.get(m.email.toLowerCase());
    return { name: m.name, email: m.email, role: m.role, ...(pgpKey ? { pgpKey } : {}) } as TeamMember;
  });
  const words = fields.words.split('\n').map((w) => w.trim()).filter(Boolean);
  const lintOff = fields.lintOff.split(/[\s,]+/).filter(Boolean);
  const data: Record<string, unknown> = {
    slug: fields.slug,
    name: fields.name,
    language: fields.language,
    timezone: fields.timezone,
    schedule: scheduleOf(fields),
    from: fields.from,
    ...(fields.replyTo ? { replyTo: fields.replyTo } : {}),
    address: fields.address,
    team,
    ...(fields.greeting ? { greeting: fields.greeting } : {}),
    ...(fields.tipLine ? { tipLine: fields.tipLine } : {}),
    ...(fields.welcome ? { welcome: fields.welcome } : {}),
    ...(words.length ? { words } : {}),
    ...(lintOff.length ? { lint: { off: lintOff } } : {}),
  };
  // Keys in the order the reference documents them, as a person would write the file.
  const ordered = Object.fromEntries(PUBLICATION_KEYS.filter((k) => k in data).map((k) => [k, data[k]]));
  return stringify(ordered, { lineWidth: 0 });
}

/** The settings file of stored settings, for download (the import/export format). */
export function publicationFile(p: Publication): string {
  const ordered = Object.fromEntries(PUBLICATION_KEYS.filter((k) => (p as Record<string, unknown>)[k] !== undefined).map((k) => [k, (p as Record<string, unknown>)[k]]));
  return stringify(ordered, { lineWidth: 0 });
}

/** Checks the form as `publication add` checks a file: the settings, or every problem by field. */
export function checkFields(fields: PublicationFields, previous?: Publication): { publication?: Publication; errors: FieldErrors } {
  const errors: FieldErrors = new Map();
  const add = (field: string, message: string) => errors.set(field, [...(errors.get(field) ?? []), message]);
  if (fields.scheduleMode === 'picker' && !scheduleOf(fields)) {
    add('schedule', fields.scheduleDays.length === 0 ? 'pick at least one day' : 'give the time as HH:MM (for instance 06:00)');
    return { errors };
  }
  const { publication, diagnostics } = parsePublicationYaml(settingsYaml(fields, previous), 'form');
  for (const d of diagnostics) add(fieldOf(d.message), d.message);
  return publication ? { publication, errors } : { errors };
}

/** The field a reader's message is about, from the setting it names first (`team[1].email` → `team.1.email`). */
function fieldOf(message: string): string {
  if (/^`lint\b/.test(message) || /in `lint`/.test(message)) return 'lintOff';
  const m = /`([A-Za-z]+)(?:\[(\d+)\](?:\.([A-Za-z]+))?)?`/.exec(message);
  if (!m) return 'general';
  const [, key, index, sub] = m;
  if (!(PUBLICATION_KEYS as string[]).includes(key!)) return 'general';
  if (key === 'team' && index !== undefined) return sub ? `team.${index}.${sub}` : `team.${index}`;
  return key!;
}
