// `matinale preview EDITION.md`: a local page showing the email (desktop and
// phone widths), the plain text and the web page, with the diagnostics beside
// them, refreshed when the edition or its publication settings are saved
// (fs.watch, then a server-sent event to the page).
import { createServer, type ServerResponse } from 'node:http';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../edition/diagnostic.ts';
import { loadEdition } from '../edition/load.ts';
import { publicationSlugOf } from '../edition/front-matter.ts';
import { findPublicationFile } from '../edition/publication-file.ts';
import { loadConfig } from '../config.ts';
import { renderEmail } from '../render/email.ts';
import { renderText } from '../render/text.ts';
import { renderWeb } from '../render/web.ts';
import { escapeHtml } from '../render/html-escape.ts';
import { fillPlaceholders, SAMPLE_PLACEHOLDER_VALUES } from '../render/placeholders.ts';
import { diagnosticsHtml, previewPageHtml, type PreviewState } from '../render/preview-page.ts';
import { lintFile } from './lint.ts';
import { GrammarService } from '../grammar/service.ts';
import { UsageError } from './usage-error.ts';

export interface PreviewOptions {
  file: string;
  publicationFile?: string;
  publicUrl: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
}

export interface PreviewServer {
  url: string;
  /** Resolves once a rebuild after a change has been pushed to the pages (for tests). */
  nextVersion(): Promise<number>;
  close(): Promise<void>;
}

interface Renderings {
  email: string;
  text: string;
  web: string;
}

/** Starts the preview server; it watches the edition until closed. */
export async function startPreview(options: PreviewOptions): Promise<PreviewServer> {
  const file = resolve(options.file);
  let state: PreviewState = { version: 0, file: options.file, diagnostics: [], stale: true, hasRenderings: false };
  let renderings: Renderings | undefined;
  const clients = new Set<ServerResponse>();
  let waiters: Array<(v: number) => void> = [];
  // One grammar checker for every rebuild (one Grammalecte process, one Harper thread), ended with the preview.
  const grammar = new GrammarService();

  async function rebuild(): Promise<void> {
    let diagnostics: Diagnostic[];
    const loaded = await loadEdition(options.file, options.publicationFile ? { publicationFile: options.publicationFile } : {});
    try {
      diagnostics = await lintFile(options.file, { checker: grammar, ...(options.publicationFile ? { publication: options.publicationFile } : {}) });
    } catch {
      diagnostics = sortDiagnostics(loaded.diagnostics);
    }
    let stale = true;
    if (loaded.edition && loaded.publication && !hasErrors(loaded.diagnostics)) {
      const o = { publicUrl: options.publicUrl };
      renderings = {
        email: fillPlaceholders(renderEmail(loaded.edition, loaded.publication, o), SAMPLE_PLACEHOLDER_VALUES, escapeHtml),
        text: fillPlaceholders(renderText(loaded.edition, loaded.publication, o), SAMPLE_PLACEHOLDER_VALUES),
        web: renderWeb(loaded.edition, loaded.publication, o),
      };
      stale = false;
    }
    state = { version: state.version + 1, file: options.file, diagnostics, stale, hasRenderings: Boolean(renderings) };
    for (const client of clients) client.write(`data: ${JSON.stringify({ version: state.version })}\n\n`);
    for (const w of waiters) w(state.version);
    waiters = [];
  }

  await rebuild();

  // Editors save by writing a new file and renaming it over the old one, which
  // ends a watch on the file itself: watch the folders and filter by name.
  const watched = new Map<string, Set<string>>();
  const watchFile = (path: string) => {
    const dir = dirname(resolve(path));
    if (!watched.has(dir)) watched.set(dir, new Set());
    watched.get(dir)!.add(basename(path));
  };
  watchFile(file);
  const slug = publicationSlugOf(await readFile(file, 'utf8').catch(() => ''));
  const publicationFile = options.publicationFile ?? (slug ? findPublicationFile(options.file, slug) : undefined);
  if (publicationFile) watchFile(publicationFile);

  let timer: NodeJS.Timeout | undefined;
  let building = Promise.resolve();
  const schedule = () => {
    clearTimeout(timer);
    // Saves come in bursts of events: rebuild once they settle.
    timer = setTimeout(() => {
      building = building.then(rebuild).catch((err: unknown) => {
        process.stderr.write(`preview: ${(err as Error).message}\n`);
      });
    }, 60);
  };
  const watchers: FSWatcher[] = [...watched].map(([dir, names]) =>
    watch(dir, (_event, name) => {
      if (name && names.has(name.toString())) schedule();
    }),
  );

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://preview').pathname;
    const send = (type: string, body: string, status = 200) => {
      res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      res.end(body);
    };
    const missing = () => send('text/plain', 'Not rendered: the edition has errors.\n', 503);
    switch (path) {
      case '/':
        return send('text/html', previewPageHtml(state));
      case '/diagnostics.html':
        return send('text/html', diagnosticsHtml(state));
      case '/email.html':
        return renderings ? send('text/html', renderings.email) : missing();
      case '/web.html':
        return renderings ? send('text/html', renderings.web) : missing();
      case '/text.txt':
        return renderings ? send('text/plain', renderings.text) : missing();
      case '/events':
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(`data: ${JSON.stringify({ version: state.version })}\n\n`);
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return;
      default:
        return send('text/plain', 'Not found\n', 404);
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host ?? '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    nextVersion: () => new Promise((ok) => waiters.push(ok)),
    close: async () => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      for (const c of clients) c.end();
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      // Browsers keep connections open; Ctrl-C must not wait for them to time out.
      server.closeAllConnections();
      await closed;
      await building;
      await grammar.close();
    },
  };
}

/** Adds `preview` to the program. */
export function register(program: Command): void {
  program
    .command('preview')
    .description('serve a local page showing the email (desktop and phone), the text and the web page, refreshed on save')
    .argument('<edition>', 'the edition, a Briefing Markdown file')
    .option('--publication <file>', 'the publication settings (default: publications/<slug>.yaml beside the edition or in its parent folder)')
    .option('--port <port>', 'the port to listen on (0 for any free port)', '4000')
    .action(async (file: string, opts: { publication?: string; port: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${opts.port}: not a port number`);
      const preview = await startPreview({
        file,
        publicationFile: opts.publication,
        publicUrl: loadConfig().publicUrl,
        port,
      });
      process.stdout.write(`Preview of ${file} at ${preview.url} (Ctrl-C to stop)\n`);
      const stop = () => void preview.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
