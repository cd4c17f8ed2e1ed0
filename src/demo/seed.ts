// The demo newsroom of the embedded default: the sample publications and
// editions of examples/ (French Tech Matin, English Policy Morning), approved
// so that the public site shows them at once, a few demo subscribers, and a
// demo editor account. Everything goes through the store's and the audience's
// own functions, as a newsroom's first morning would.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '../store/db.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../clock.ts';
import { parsePublicationYaml } from '../edition/publication-file.ts';
import { parseEdition } from '../edition/parse.ts';
import { formatDiagnostic, hasErrors } from '../edition/diagnostic.ts';
import type { Publication } from '../edition/publication.ts';
import { subjectOf } from '../edition/inline-text.ts';
import { hasPublications, upsertPublication } from '../store/publications.ts';
import { findEdition, saveEdition, transitionEdition } from '../store/editions.ts';
import { inTransaction } from '../store/transaction.ts';
import { addAccount } from '../web/auth/accounts.ts';
import { audienceDeps } from '../audience/deps.ts';
import { importSubscribers } from '../audience/import.ts';

/** The samples shipped in the repository. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

/** The demo editor's address (editor of both demo publications). */
export const DEMO_EDITOR_EMAIL = 'editor@example.org';

/** Where the demo editor's password is kept for later starts (readable by the owner only). */
export function demoAccountFile(config: Config): string {
  return join(config.dataDir, 'demo-account.txt');
}

const DEMO_SUBSCRIBERS = [
  ['email', 'name'],
  ['camille.martin@example.net', 'Camille'],
  ['sam.lee@example.net', 'Sam'],
  ['nadia.benali@example.net', 'Nadia'],
  ['olivier.roux@example.net', 'Olivier'],
];

export interface SeedResult {
  /** False when the database already held a publication: nothing was touched. */
  seeded: boolean;
  publications: string[];
  editions: Array<{ publication: string; date: string; id: number }>;
  /** The demo editor account, with its password: shown once. */
  account?: { email: string; password: string };
}

/**
 * True where `serve` seeds on its own: the embedded default (SQLite in
 * DATA_DIR, mail kept in the outbox). A PostgreSQL or a relay means a real
 * newsroom, whose empty database must stay empty unless asked (`--demo`).
 */
export function isEmbeddedDefault(config: Config): boolean {
  return !config.databaseUrl && config.smtpUrls.length === 0;
}

/** True when the database holds no publication yet. */
export async function isEmptyNewsroom(store: Store): Promise<boolean> {
  return !(await hasPublications(store));
}

/** Seeds the demo newsroom when the database has no publication yet; a second call does nothing. */
export async function seedDemo(store: Store, config: Config, clock: Clock, examplesDir = EXAMPLES_DIR): Promise<SeedResult> {
  // One transaction: an interrupted seed leaves an empty database, seeded again at the next start.
  const seeded = await inTransaction(store, (tx) => seedNewsroom(tx, clock, examplesDir));
  if (!seeded) return { seeded: false, publications: [], editions: [] };

  // Demo subscribers go through the real import (consent log included); re-importing changes nothing.
  const dir = mkdtempSync(join(tmpdir(), 'matinale-demo-'));
  try {
    const csv = join(dir, 'subscribers.csv');
    writeFileSync(csv, DEMO_SUBSCRIBERS.map((row) => row.join(',')).join('\n') + '\n');
    const audience = audienceDeps(config, store, { clock });
    for (const slug of seeded.publications) {
      await importSubscribers(audience, { file: csv, publicationSlug: slug, confirmed: true, consentSource: 'demo newsroom' });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeFileSync(demoAccountFile(config), `${seeded.account.email}\n${seeded.account.password}\n`, { mode: 0o600 });
  return { seeded: true, ...seeded };
}

async function seedNewsroom(
  store: Store,
  clock: Clock,
  examplesDir: string,
): Promise<{ publications: string[]; editions: SeedResult['editions']; account: { email: string; password: string } } | undefined> {
  if (await hasPublications(store)) return undefined;

  const publications = new Map<string, { id: number; settings: Publication }>();
  const pubDir = join(examplesDir, 'publications');
  for (const file of readdirSync(pubDir).filter((f) => f.endsWith('.yaml')).sort()) {
    const path = join(pubDir, file);
    const parsed = parsePublicationYaml(readFileSync(path, 'utf8'), path);
    if (!parsed.publication) throw new Error(`demo publication ${path} is invalid:\n${parsed.diagnostics.map(formatDiagnostic).join('\n')}`);
    const { id } = await upsertPublication(store, parsed.publication, { actor: 'system:demo', clock });
    publications.set(parsed.publication.slug, { id, settings: parsed.publication });
  }

  const password = randomBytes(12).toString('base64url');
  await addAccount(store, { email: DEMO_EDITOR_EMAIL, name: 'Demo Editor', password, role: 'editor', publicationSlugs: [...publications.keys()] }, clock);

  const editions: SeedResult['editions'] = [];
  for (const file of readdirSync(examplesDir).filter((f) => f.endsWith('.md')).sort()) {
    const path = join(examplesDir, file);
    const source = readFileSync(path, 'utf8');
    const slug = /^publication:\s*(\S+)/m.exec(source)?.[1];
    const publication = slug ? publications.get(slug) : undefined;
    if (!publication) continue;
    const parsed = parseEdition(source, { file: path, publication: publication.settings });
    if (!parsed.edition || hasErrors(parsed.diagnostics)) {
      throw new Error(`demo edition ${path} has errors:\n${parsed.diagnostics.map(formatDiagnostic).join('\n')}`);
    }
    const date = parsed.edition.date;
    if (await findEdition(store, publication.id, date)) continue;
    const author = publication.settings.team.find((m) => m.role === 'author')?.email ?? DEMO_EDITOR_EMAIL;
    const saved = await saveEdition(
      store,
      { publicationId: publication.id, date, source, author, subject: subjectOf(parsed.edition) },
      { clock },
    );
    await transitionEdition(store, saved.editionId, 'ready', { kind: 'person', email: author }, { clock });
    await transitionEdition(store, saved.editionId, 'approved', { kind: 'person', email: DEMO_EDITOR_EMAIL }, { clock });
    editions.push({ publication: publication.settings.slug, date, id: saved.editionId });
  }

  return { publications: [...publications.keys()], editions, account: { email: DEMO_EDITOR_EMAIL, password } };
}

/** The demo account as saved at seeding, if the file is still there. */
export function savedDemoAccount(config: Config): { email: string; password: string } | undefined {
  const path = demoAccountFile(config);
  if (!existsSync(path)) return undefined;
  const [email, password] = readFileSync(path, 'utf8').split('\n');
  return email && password ? { email, password } : undefined;
}
