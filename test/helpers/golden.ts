// Golden files: compare an output with the file kept beside the test input;
// with UPDATE=1 the file is (re)written instead, to be reviewed in the diff.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Asserts that `actual` equals the golden file at `path` (or writes it when UPDATE=1). */
export function assertGolden(path: string, actual: string): void {
  if (process.env.UPDATE === '1' || !existsSync(path)) {
    if (process.env.UPDATE !== '1' && process.env.CI) {
      assert.fail(`golden file ${path} is missing: run with UPDATE=1 and review it`);
    }
    writeFileSync(path, actual);
    return;
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `output differs from ${path} (UPDATE=1 regenerates it)`);
}
