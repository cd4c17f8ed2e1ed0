// A publication's schedule (a cron expression) for people who never met cron:
// said in words, and set with a picker (days of the week and a time). Only the
// plain "these days at this time" shape has a picker; anything else stays a
// cron expression, shown as such.

/** Days as the form lists them, Monday first, with their cron number (Sunday is 0). */
export const WEEK_DAYS = [
  { cron: 1, name: 'Monday' },
  { cron: 2, name: 'Tuesday' },
  { cron: 3, name: 'Wednesday' },
  { cron: 4, name: 'Thursday' },
  { cron: 5, name: 'Friday' },
  { cron: 6, name: 'Saturday' },
  { cron: 0, name: 'Sunday' },
] as const;

/** A schedule the picker can show: these days, at this time. */
export interface PickedSchedule {
  /** Cron day numbers, 0 (Sunday) to 6. */
  days: number[];
  /** HH:MM. */
  time: string;
}

/** The picker's reading of a cron expression, or undefined when it is not "minute hour * * days". */
export function pickedSchedule(cron: string): PickedSchedule | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
  if (!/^\d{1,2}$/.test(minute) || !/^\d{1,2}$/.test(hour) || dayOfMonth !== '*' || month !== '*') return undefined;
  if (Number(minute) > 59 || Number(hour) > 23) return undefined;
  const days = daysOf(dayOfWeek);
  if (!days) return undefined;
  return { days, time: `${hour.padStart(2, '0')}:${minute.padStart(2, '0')}` };
}

function daysOf(field: string): number[] | undefined {
  if (field === '*') return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\d)(?:-(\d))?$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > 7 || to > 7 || to < from) return undefined;
    for (let d = from; d <= to; d++) days.add(d % 7);
  }
  return [...days].sort((a, b) => a - b);
}

/** The cron expression of a picked schedule; undefined when no day is picked or the time does not read. */
export function cronOf(picked: PickedSchedule): string | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(picked.time);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || picked.days.length === 0) return undefined;
  const days = [...new Set(picked.days)].filter((d) => d >= 0 && d <= 6).sort((a, b) => a - b);
  if (days.length === 0) return undefined;
  return `${Number(m[2])} ${Number(m[1])} * * ${days.length === 7 ? '*' : runs(days)}`;
}

/** 1,2,3,4,5 as 1-5: the way people write cron by hand. */
function runs(days: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < days.length; ) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === days[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${days[i]}-${days[j]}` : days.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

/** « Monday to Friday at 06:00 », or undefined when the picker cannot read the expression. */
export function scheduleInWords(cron: string): string | undefined {
  const picked = pickedSchedule(cron);
  if (!picked) return undefined;
  return `${daysInWords(picked.days)} at ${picked.time}`;
}

function daysInWords(days: number[]): string {
  if (days.length === 7) return 'Every day';
  // Monday first, as the week is shown: three days or more in a row read « Monday to Friday ».
  const picked = WEEK_DAYS.map((d, i) => ({ ...d, i })).filter((d) => days.includes(d.cron));
  const names = picked.map((d) => d.name);
  if (names.length >= 3 && picked.at(-1)!.i - picked[0]!.i === names.length - 1) return `${names[0]} to ${names.at(-1)}`;
  return names.length === 1 ? `Every ${names[0]}` : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
