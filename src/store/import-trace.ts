// How long each database step of an import took, for the benchmarks and for
// diagnosis: both ways of writing an import (subscriber-import.ts,
// subscriber-import-copy.ts) time their steps through \`timed\`.

/** Told how long each database step of an import took (benchmarks, diagnosis); steps are named per backend. */
export type ImportTrace = (step: string, ms: number) => void;

/** Runs one step, and tells \`trace\` (when there is one) how long it took, whether it succeeded or not. */
export async function timed<T>(trace: ImportTrace | undefined, step: string, work: () => Promise<T>): Promise<T> {
  if (!trace) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    trace(step, performance.now() - started);
  }
}
