// The public archive as static files (`matinale site build`): the same pages
// the app serves, at paths that give the app's URLs on any web server
// (`/{slug}/{date}` is `{slug}/{date}/index.html`), so that a web server or a
// CDN can serve the archive without the app. What needs the app (the
// subscribe form with its CSRF token, the search, the tip page, the newsroom)
// is linked on `appUrl` instead (pages/archive-page.ts). Which editions are
// published is decided as on the app (edition/published.ts), at build time.
import { readFileSync } from 'node:fs';
import type { Store } from '../store/db.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../clock.ts';
import { publicRule } from '../edition/published.ts';
import { storeDesk } from './store-desk.ts';
import { publishedEditions } from './public-site.ts';
import { archivePage, editionsSection } from './pages/archive-page.ts';
import { homePage } from './pages/home-page.ts';
import { notFoundPage } from './pages/error-page.ts';
import { FEED_FORMATS, FEED_LENGTH, feedDocument, type FeedFile } from './feeds.ts';
import { renderWeb } from '../render/web.ts';
import { renderJson } from '../render/json.ts';

export interface StaticSiteOptions {
  /** Where the files will be served (the edition pages' canonical links and the feeds' links): absolute, no trailing slash. */
  publicUrl: string;
  /** Where the app answers, for what needs it (subscribe, search, tips, the newsroom): absolute, no trailing slash. */
  appUrl: string;
}

/** One file of the static archive, its path relative to the folder (always `/`-separated). */
export interface StaticFile {
  path: string;
  body: string | Buffer;
}

/** Files the pages link to, from src/web/assets (layout.ts links these two). */
const ASSETS = ['site.css', 'favicon.svg'];

// Slugs and dates become folder names: only what the app's own URL patterns allow.
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function segment(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new Error(`${what} ${JSON.stringify(value)} cannot be a folder name of the static archive`);
  return value;
}

/** Every file of the static archive, one at a time (a big archive is never held whole in memory). */
export async function* staticSite(store: Store, config: Config, clock: Clock, options: StaticSiteOptions): AsyncGenerator<StaticFile> {
  const desk = storeDesk(store, clock);
  const rule = publicRule(config, clock);
  const render = { publicUrl: options.publicUrl, appUrl: options.appUrl };
  const home = [];
  for (const publication of await desk.publications()) {
    const slug = segment(publication.slug, SLUG, 'slug');
    const editions = await publishedEditions(desk, rule, publication, Number.MAX_SAFE_INTEGER);
    home.push({ publication, latest: editions[0] });
    yield { path: `${slug}/index.html`, body: archivePage(publication, editionsSection(publication, editions), '', { appUrl: options.appUrl }) };
    for (const file of Object.keys(FEED_FORMATS) as FeedFile[]) {
      yield { path: `${slug}/${file}`, body: feedDocument(file, publication, editions.slice(0, FEED_LENGTH), options.publicUrl, clock.now()) };
    }
    for (const { row, edition } of editions) {
      const date = segment(row.date, DATE, 'date');
      yield { path: `${slug}/${date}/index.html`, body: renderWeb(edition, publication.settings, render) };
      yield { path: `${slug}/${date}.json`, body: renderJson(edition, publication.settings, render) };
    }
  }
  yield { path: 'index.html', body: homePage(home, `${options.appUrl}/newsroom`) };
  yield { path: '404.html', body: notFoundPage() };
  for (const name of ASSETS) yield { path: `assets/${name}`, body: readFileSync(new URL(`./assets/${name}`, import.meta.url)) };
}
