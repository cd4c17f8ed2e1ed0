// The HTML shell shared by the public site and the dashboard: one stylesheet,
// at most one script, both from our own origin (the CSP allows nothing else).
import { html, type SafeHtml } from '../html.ts';

export interface PageOptions {
  title: string;
  /** BCP 47 language of the page (the publication's on public pages). */
  lang: string;
  body: SafeHtml;
  /** Extra tags for <head> (feed links, CSRF meta). */
  head?: SafeHtml;
  /** A script under /assets to load deferred. */
  script?: string;
  /** A class on <body> so that the dashboard and the site can be styled apart. */
  bodyClass?: string;
}

/** A whole HTML document. */
export function page(options: PageOptions): string {
  return html`<!doctype html>
<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title}</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/site.css">
${options.head}
${options.script ? html`<script src="${options.script}" defer></script>` : null}
</head>
<body class="${options.bodyClass ?? 'site'}">
${options.body}
</body>
</html>
`.value;
}
