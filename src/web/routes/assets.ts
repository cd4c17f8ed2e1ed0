// The dashboard's stylesheet and script, from src/web/assets (read once).
import { readFileSync } from 'node:fs';
import type { RoutePlugin } from '../app.ts';

const ASSETS: Record<string, string> = {
  'site.css': 'text/css; charset=utf-8',
  'editor.js': 'text/javascript; charset=utf-8',
  'send-page.js': 'text/javascript; charset=utf-8',
  'import.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** GET /assets/:file, and /favicon.ico (browsers ask for it on every page, the edition pages included) */
export const routes: RoutePlugin = (app) => {
  const contents = new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(new URL(`../assets/${name}`, import.meta.url))]));
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
