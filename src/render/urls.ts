// Every address a rendering links to, built in one place so that the web app's
// routes and the renderings cannot drift apart.

/** Options every renderer takes. */
export interface RenderOptions {
  /** Base of every link in mail and pages (PUBLIC_URL), absolute, without a trailing slash. */
  publicUrl: string;
  /**
   * Where the app itself answers, for what only it can serve (the tip form),
   * when the pages are served elsewhere (a static copy of the archive); PUBLIC_URL otherwise.
   */
  appUrl?: string;
}

function base(publicUrl: string): string {
  const url = new URL(publicUrl); // throws on a relative base: links in mail must be absolute
  return url.href.replace(/\/+$/, '');
}

/** The « view in browser » page of an edition: `{publicUrl}/{slug}/{YYYY-MM-DD}`. */
export function editionUrl(publicUrl: string, slug: string, date: string): string {
  return `${base(publicUrl)}/${encodeURIComponent(slug)}/${encodeURIComponent(date)}`;
}

/** The publication's home page (archive and subscribe form). */
export function publicationUrl(publicUrl: string, slug: string): string {
  return `${base(publicUrl)}/${encodeURIComponent(slug)}`;
}

/** The publication's feeds (RSS 2.0, Atom 1.0, JSON Feed), with their media types, for links and `<link rel="alternate">`. */
export function feedUrls(publicUrl: string, slug: string): Array<{ url: string; type: string; format: 'RSS' | 'Atom' | 'JSON Feed' }> {
  const home = publicationUrl(publicUrl, slug);
  return [
    { url: `${home}/feed.xml`, type: 'application/rss+xml', format: 'RSS' },
    { url: `${home}/atom.xml`, type: 'application/atom+xml', format: 'Atom' },
    { url: `${home}/feed.json`, type: 'application/feed+json', format: 'JSON Feed' },
  ];
}

/** The publication's tip page (the tip line's form): `{publicUrl}/{slug}/tips`. */
export function tipsUrl(publicUrl: string, slug: string): string {
  return `${publicationUrl(publicUrl, slug)}/tips`;
}

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/**
 * An author's link made absolute against the public URL. The parser already
 * refuses other schemes; renderers check again because they also take
 * hand-built editions, and a `javascript:` link must never reach a reader.
 */
export function absoluteUrl(url: string, publicUrl: string): string {
  try {
    const resolved = new URL(url, base(publicUrl) + '/');
    if (SAFE_SCHEMES.has(resolved.protocol)) return resolved.href;
  } catch {
    // fall through to the publication's base
  }
  return base(publicUrl) + '/';
}

/** A mailto: link to one address. */
export function mailtoUrl(address: string): string {
  return `mailto:${address}`;
}
