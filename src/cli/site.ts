// `matinale site build --out DIR [--force] [--public-url URL] [--app-url URL]`:
// the public archive as static files (web/static-site.ts) for any web server
// or CDN. Written into a new folder beside DIR, then renamed into place: DIR
// is either what it was or the whole new archive, never half of one. A DIR
// that is a file, or a folder with something in it, is refused unless --force
// (then its old content is replaced whole).
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, parse, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../clock.ts';
import { staticSite } from '../web/static-site.ts';
import { withStore } from './context.ts';
import { RefusedError, UsageError } from './usage-error.ts';

interface BuildOptions {
  out: string;
  force?: boolean;
  publicUrl?: string;
  appUrl?: string;
  json?: boolean;
}

/** An absolute http(s) address without its trailing slash, or a usage error naming the option. */
function baseUrl(value: string, option: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${option}: ${JSON.stringify(value)} is not an absolute address (https://archive.example.org)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${option}: ${value} is not an http(s) address`);
  if (url.search || url.hash) throw new UsageError(`${option}: ${value} has a query or a fragment`);
  return url.href.replace(/\/+$/, '');
}

/** What is at `dir` now: nothing, an empty folder, a folder with files, or something else. */
async function whatIsAt(dir: string): Promise<'nothing' | 'empty' | 'full' | 'not-a-folder'> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) return 'not-a-folder';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'nothing';
    throw err;
  }
  return (await readdir(dir)).length ? 'full' : 'empty';
}

/**
 * --force deletes what DIR held: never a folder that is plainly not an old
 * archive (the file system's root, the home folder, the current folder or one
 * above it, a git checkout), whatever a typo in a script asked for.
 */
async function refuseToReplace(out: string, given: string): Promise<void> {
  const cwd = process.cwd();
  const above = out === cwd || cwd.startsWith(out.endsWith(sep) ? out : out + sep);
  const why =
    out === parse(out).root ? 'the root of the file system'
    : out === homedir() ? 'the home folder'
    : above ? 'the current folder or one that holds it'
    : (await whatIsAt(join(out, '.git'))) !== 'nothing' ? 'a git checkout'
    : undefined;
  if (why) throw new RefusedError(`${given}: ${why}; --force replaces only a folder of files (an older archive), never that`);
}

/** Adds `site build` to the program. */
export function register(program: Command): void {
  const site = program.command('site').description('the public archive as static files, for any web server or CDN');
  site
    .command('build')
    .description('write the public archive (pages, feeds, assets) as static files for any web server or CDN')
    .requiredOption('--out <dir>', 'the folder to write (refused when it is a file, or not empty without --force)')
    .option('--force', 'replace what DIR holds')
    .option('--public-url <url>', 'where the files will be served (default PUBLIC_URL)')
    .option('--app-url <url>', 'where the app answers, for the subscribe page, search, tips and sign-in (default PUBLIC_URL)')
    .option('--json', 'print what was written as JSON')
    .action(async (options: BuildOptions) => {
      const out = resolve(options.out);
      const present = await whatIsAt(out);
      if (present === 'not-a-folder') throw new RefusedError(`${options.out}: not a folder; give a folder to write the archive into`);
      if (present === 'full' && !options.force) throw new RefusedError(`${options.out}: not empty; add --force to replace what it holds`);
      if (present === 'full') await refuseToReplace(out, options.out);
      await withStore(async (store, config) => {
        const publicUrl = baseUrl(options.publicUrl ?? config.publicUrl, '--public-url');
        const appUrl = baseUrl(options.appUrl ?? config.publicUrl, '--app-url');
        await mkdir(dirname(out), { recursive: true });
        // Beside DIR, so that the final rename stays on one file system (and is atomic there).
        const temp = await mkdtemp(join(dirname(out), `.${basename(out)}.building-`));
        // mkdtemp makes it owner-only; a web server running as another user must read it.
        await chmod(temp, 0o755);
        let files = 0;
        let bytes = 0;
        try {
          for await (const file of staticSite(store, config, systemClock, { publicUrl, appUrl })) {
            const path = join(temp, ...file.path.split('/'));
            await mkdir(dirname(path), { recursive: true });
            await writeFile(path, file.body);
            files += 1;
            bytes += Buffer.byteLength(file.body);
          }
          if (present !== 'nothing') {
            const old = `${temp}.old`;
            await rename(out, old);
            await rename(temp, out);
            await rm(old, { recursive: true, force: true });
          } else {
            await rename(temp, out);
          }
        } catch (err) {
          await rm(temp, { recursive: true, force: true });
          throw err;
        }
        if (options.json) process.stdout.write(`${JSON.stringify({ out, files, bytes, publicUrl, appUrl })}\n`);
        else process.stdout.write(`wrote ${files} files (${Math.round(bytes / 1024)} KiB) to ${out}\n`);
      });
    });
}
