// Whether dist/ was built from src/ as it is now: every file under src/ has its
// counterpart in dist/ (x.ts → x.js, any other file as it is), written after
// it. A stale dist/ would make a test or a benchmark prove old code, so
// test/cli/dist.test.ts and bench/start.ts check this and build again when not.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The first file of src/ that dist/ lacks or holds older, or undefined when dist/ is fresh. */
export function staleDistFile(root = ROOT) {
  const src = join(root, 'src');
  const dist = join(root, 'dist');
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      const stat = statSync(path);
      if (stat.isDirectory()) {
        const found = walk(path);
        if (found) return found;
        continue;
      }
      const built = join(dist, relative(src, path).replace(/\.ts$/, '.js'));
      if (!existsSync(built) || statSync(built).mtimeMs < stat.mtimeMs) return relative(root, path);
    }
    return undefined;
  };
  return walk(src);
}
