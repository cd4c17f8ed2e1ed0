// The Edition is frozen all the way down: render, store and delivery only read
// it, and a renderer that mutated a shared edition would corrupt the next one.

/** Freezes a plain-data value and everything it holds; returns it, now readonly. */
export function deepFreeze<T>(value: T): T {
  // Iterative: an edition's depth is bounded, but a fuzzed one need not be shallow.
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || Object.isFrozen(v)) continue;
    Object.freeze(v);
    for (const key of Object.keys(v)) stack.push((v as Record<string, unknown>)[key]);
  }
  return value;
}
