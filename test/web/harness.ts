// A newsroom for web tests: a fresh store on one backend with the two sample
// publications, an author and an editor who can sign in, and the app built on
// it (not listening: tests call app.inject()).
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { buildApp } from '../../src/web/app.ts';
import { FakeClock } from '../../src/clock.ts';
import type { Config } from '../../src/config.ts';
import { publicationSchema, type Publication } from '../../src/edition/publication.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { saveEdition, transitionEdition } from '../../src/store/editions.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';
import type { TestBackend, TestStore } from '../helpers/store.ts';

const EXAMPLES = new URL('../../examples/', import.meta.url);

export const AUTHOR = { email: 'jeanne.moreau@example.org', password: 'author-password-1' };
export const EDITOR = { email: 'lucie.fabre@example.org', password: 'editor-password-1' };
export const OUTSIDER = { email: 'tom.reed@example.com', password: 'outsider-password-1' };

/** The sample publication settings of examples/publications. */
export function samplePublication(slug: 'tech-matin' | 'policy-morning'): Publication {
  return publicationSchema.parse(parseYaml(readFileSync(new URL(`publications/${slug}.yaml`, EXAMPLES), 'utf8')));
}

/** The sample edition source of a publication. */
export function sampleSource(slug: 'tech-matin' | 'policy-morning'): string {
  return readFileSync(new URL(`2026-03-02-${slug}.md`, EXAMPLES), 'utf8');
}

export interface Newsroom {
  app: FastifyInstance;
  store: TestStore;
  config: Config;
  clock: FakeClock;
  ids: { techMatin: number; policyMorning: number; techEdition: number; policyEdition: number };
  close(): Promise<void>;
}

/** Builds the newsroom: tech-matin's edition approved, policy-morning's a draft. */
export async function newsroom(backend: TestBackend, options: { smtpUrls?: string[] } = {}): Promise<Newsroom> {
  const store = await backend.open();
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-web-'));
  const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
  const config: Config = { dataDir, smtpUrls: options.smtpUrls ?? [], publicUrl: 'http://news.test', secret: 'a'.repeat(64) };
  const tech = await upsertPublication(store, samplePublication('tech-matin'), { actor: 'test', clock });
  const policy = await upsertPublication(store, samplePublication('policy-morning'), { actor: 'test', clock });
  await addAccount(store, { ...AUTHOR, role: 'author', publicationSlugs: ['tech-matin'] }, clock);
  await addAccount(store, { ...EDITOR, role: 'editor', publicationSlugs: ['tech-matin', 'policy-morning'] }, clock);
  await addAccount(store, { ...OUTSIDER, role: 'editor', publicationSlugs: ['policy-morning'] }, clock);
  const techEdition = await saveEdition(store, { publicationId: tech.id, date: '2026-03-02', source: sampleSource('tech-matin'), author: AUTHOR.email }, { clock });
  await transitionEdition(store, techEdition.editionId, 'ready', { kind: 'person', email: AUTHOR.email }, { clock });
  await transitionEdition(store, techEdition.editionId, 'approved', { kind: 'person', email: EDITOR.email }, { clock });
  const policyEdition = await saveEdition(
    store,
    { publicationId: policy.id, date: '2026-03-02', source: sampleSource('policy-morning'), author: 'alex.carter@example.com' },
    { clock },
  );
  const app = await buildApp({ store, config, clock });
  return {
    app,
    store,
    config,
    clock,
    ids: { techMatin: tech.id, policyMorning: policy.id, techEdition: techEdition.editionId, policyEdition: policyEdition.editionId },
    async close() {
      await app.close();
      await store.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Cookies as a browser keeps them, from Set-Cookie headers. */
export class CookieJar {
  private cookies = new Map<string, string>();
  /** Takes the cookies a response sets. */
  take(response: LightMyRequestResponse): void {
    for (const c of response.cookies as Array<{ name: string; value: string; maxAge?: number }>) {
      if (c.value === '' || c.maxAge === 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }
  /** The Cookie header to send. */
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** The CSRF token of the first form (or meta) in a page. */
export function csrfIn(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page) ?? /name="csrf-token" content="([^"]+)"/.exec(page);
  if (!m) throw new Error('no CSRF token in the page');
  return m[1]!;
}

/**
 * Posts a publication's subscribe form as a browser does: the archive page
 * first, whose cookie and CSRF token come along with the fields.
 */
export async function subscribeThroughForm(
  app: FastifyInstance,
  slug: string,
  fields: Record<string, string>,
  options: { remoteAddress?: string } = {},
): Promise<LightMyRequestResponse> {
  const client = options.remoteAddress ? { remoteAddress: options.remoteAddress } : {};
  const archive = await app.inject({ method: 'GET', url: `/${slug}`, ...client });
  const jar = new CookieJar();
  jar.take(archive);
  return app.inject({
    method: 'POST',
    url: `/${slug}/subscribe`,
    payload: new URLSearchParams({ _csrf: csrfIn(archive.body), ...fields }).toString(),
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    ...client,
  });
}

/** A browser-like session: signs in through the form and keeps its cookies. */
export class Visitor {
  readonly jar = new CookieJar();
  csrf = '';
  constructor(private app: FastifyInstance) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'GET', url, headers: { cookie: this.jar.header() } });
    this.jar.take(response);
    if (response.headers['content-type']?.toString().startsWith('text/html')) {
      try {
        this.csrf = csrfIn(response.body);
      } catch {
        // pages without forms keep the last token
      }
    }
    return response;
  }

  /** Posts a form; URLSearchParams for repeated fields (rows of a table). */
  async post(url: string, form: Record<string, string> | URLSearchParams, options: { csrf?: string | null } = {}): Promise<LightMyRequestResponse> {
    const token = options.csrf === undefined ? this.csrf : options.csrf;
    const fields = new URLSearchParams(form);
    if (token !== null) fields.set('_csrf', token);
    const payload = fields.toString();
    const response = await this.app.inject({
      method: 'POST',
      url,
      payload,
      headers: { cookie: this.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.jar.take(response);
    return response;
  }

  async api(method: 'GET' | 'POST', url: string, body?: unknown, options: { csrf?: string | null } = {}): Promise<LightMyRequestResponse> {
    const token = options.csrf === undefined ? this.csrf : options.csrf;
    const response = await this.app.inject({
      method,
      url,
      headers: {
        cookie: this.jar.header(),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { 'x-csrf-token': token } : {}),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    this.jar.take(response);
    return response;
  }

  /** Signs in through the form; returns the final response. */
  async signIn(who: { email: string; password: string }): Promise<LightMyRequestResponse> {
    await this.get('/newsroom/sign-in');
    const response = await this.post('/newsroom/sign-in', { email: who.email, password: who.password, next: '/newsroom' });
    if (response.statusCode !== 303) throw new Error(`sign-in failed: ${response.statusCode}`);
    await this.get('/newsroom');
    return response;
  }
}
