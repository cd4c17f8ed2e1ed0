// The dashboard's stylesheet and script, from src/web/assets (read once), and
// OpenPGP.js's browser build for the tip form, from its package: served from
// this origin, so that the tip page loads nothing from anywhere else.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { RoutePlugin } from '../app.ts';

const ASSETS: Record<string, string> = {
  'site.css': 'text/css; charset=utf-8',
  'editor.js': 'text/javascript; charset=utf-8',
  'send-page.js': 'text/javascript; charset=utf-8',
  'import.js': 'text/javascript; charset=utf-8',
  'tip-form.js': 'text/javascript; charset=utf-8',
  'tip-open.js': 'text/javascript; charset=utf-8',
  'openpgp.min.mjs': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** GET /assets/:file, and /favicon.ico (browsers ask for it on every page, the edition pages included) */
export const routes: RoutePlugin = (app) => {
  // The package's Node entry is dist/node/openpgp.mjs; its browser module is dist/openpgp.min.mjs.
  const openpgpBrowser = join(dirname(fileURLToPath(import.meta.resolve('openpgp'))), '..', 'openpgp.min.mjs');
  const path = (name: string) => (name === 'openpgp.min.mjs' ? openpgpBrowser : new URL(`../assets/${name}`, import.meta.url));
  const contents = new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(path(name))]));
  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const body = contents.get(request.params.file);
    const type = ASSETS[request.params.file];
    if (!body || !type) return reply.callNotFound();
    return reply.type(type).header('Cache-Control', 'public, max-age=300').send(body);
  });
  app.get('/favicon.ico', async (_request, reply) =>
    reply.type('image/svg+xml').header('Cache-Control', 'public, max-age=86400').send(contents.get('favicon.svg')),
  );
};
