// Two versions of an edition compared as readers of a patch expect: a
// unified line diff, each side named by its version, author and time. Kept
// apart from editions.ts, which saves and moves editions.
import { createTwoFilesPatch } from 'diff';
import type { Store } from './db.ts';
import { getVersion } from './editions.ts';

/** Two versions of an edition compared line by line, as a unified diff; undefined when either is missing. */
export async function diffVersions(store: Store, editionId: number, a: number, b: number): Promise<string | undefined> {
  const [va, vb] = await Promise.all([getVersion(store, editionId, a), getVersion(store, editionId, b)]);
  if (!va || !vb) return undefined;
  return createTwoFilesPatch(
    `edition-${editionId}/v${a}`,
    `edition-${editionId}/v${b}`,
    va.source,
    vb.source,
    `${va.author}, ${new Date(va.createdAt).toISOString()}`,
    `${vb.author}, ${new Date(vb.createdAt).toISOString()}`,
  );
}
