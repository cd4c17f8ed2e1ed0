// Which column of an import file holds what, from its header row. Exports of
// other newsletter tools name the address column `email`, `Email`, `Email
// Address`, `e-mail`…; names are compared without case, spaces, dashes or
// underscores.

export interface ColumnMap {
  email: number;
  name?: number;
  firstName?: number;
  lastName?: number;
  createdAt?: number;
  consentSource?: number;
}

const key = (header: string) =>
  header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s_\-.]+/g, '');

const NAMES: Record<Exclude<keyof ColumnMap, never>, string[]> = {
  email: ['email', 'emailaddress', 'mail', 'courriel', 'adresseemail', 'adressemail', 'adressecourriel'],
  name: ['name', 'fullname', 'nomcomplet'],
  firstName: ['firstname', 'fname', 'givenname', 'prenom'],
  lastName: ['lastname', 'lname', 'surname', 'familyname', 'nom'],
  createdAt: ['createdat', 'created', 'subscribedat', 'optintime', 'confirmtime', 'signupdate', 'dateinscription'],
  consentSource: ['consentsource', 'source', 'signupsource'],
};

/** The columns found in a header row; undefined when there is no address column. */
export function mapColumns(headers: readonly string[]): ColumnMap | undefined {
  const keys = headers.map(key);
  const find = (names: string[]) => {
    // The first matching name in preference order, not the first column.
    for (const n of names) {
      const i = keys.indexOf(n);
      if (i >= 0) return i;
    }
    return undefined;
  };
  const email = find(NAMES.email);
  if (email === undefined) return undefined;
  const map: ColumnMap = { email };
  for (const field of ['name', 'firstName', 'lastName', 'createdAt', 'consentSource'] as const) {
    const i = find(NAMES[field]);
    if (i !== undefined) map[field] = i;
  }
  return map;
}

// Called once per row of an import: no closure made per call.
const cellOf = (row: readonly string[], i: number | undefined) => (i === undefined ? '' : (row[i] ?? '').trim());

/** The name of a row: the `name` column, else first and last names joined. */
export function nameOf(row: readonly string[], map: ColumnMap): string | null {
  const full = cellOf(row, map.name) || [cellOf(row, map.firstName), cellOf(row, map.lastName)].filter(Boolean).join(' ');
  return full ? full.slice(0, 200) : null;
}

// Lists repeat their dates (a day without hours, an export's batch): each
// text is read once, the cache emptied when it holds 4,096 (reading was 3% of
// an import's CPU in Node).
const parsedDates = new Map<string, number | null>();

/** A date from an import file in milliseconds; dates without a zone are read as UTC. Null when unreadable. */
export function parseImportDate(text: string): number | null {
  let ms = parsedDates.get(text);
  if (ms === undefined) {
    if (parsedDates.size >= 4096) parsedDates.clear();
    ms = readDate(text);
    parsedDates.set(text, ms);
  }
  return ms;
}

function readDate(text: string): number | null {
  const t = text.trim();
  if (!t) return null;
  const local = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$/.exec(t);
  const ms = local ? Date.parse(`${local[1]}T${local[2] ?? '00:00:00'}Z`) : Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}
