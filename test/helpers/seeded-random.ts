/** A seeded generator of numbers in [0, 1) (Park–Miller), so that a failing case is reproduced. */
export function seeded(seed: number): () => number {
  return () => (seed = (seed * 48271) % 2147483647) / 2147483647;
}
