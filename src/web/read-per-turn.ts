// One database read for the requests that arrived together. A public page
// asks the database on every request whether it changed (the stamps of
// store/archive-stamps.ts), and that read was most of the page's cost once
// the page itself is kept (bench/results/site.md). Here the requests asking
// the same question in one turn of the event loop wait for its check phase
// (setImmediate), where one read answers them all: every one of them had
// arrived when the read was made, so each still sees the database as it was
// at a moment after it arrived, never before. A change committed by another
// process shows on the next request as it did, and a lone request waits only
// for the end of the turn it came in.

interface Waiting<V> {
  args: string[];
  answer: Promise<V>;
  resolve(value: V): void;
  reject(err: unknown): void;
}

/** `read`, with the calls of one turn that pass the same arguments answered by one call. */
export function readPerTurn<A extends string[], V>(read: (...args: A) => Promise<V>): (...args: A) => Promise<V> {
  let turn: Map<string, Waiting<V>> | undefined;
  const run = () => {
    const calls = turn!;
    turn = undefined;
    for (const w of calls.values()) read(...(w.args as A)).then(w.resolve, w.reject);
  };
  return (...args) => {
    if (!turn) {
      turn = new Map();
      setImmediate(run);
    }
    const key = args.join('\u0000');
    let waiting = turn.get(key);
    if (!waiting) {
      let resolve!: (value: V) => void;
      let reject!: (err: unknown) => void;
      const answer = new Promise<V>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      waiting = { args, answer, resolve, reject };
      turn.set(key, waiting);
    }
    return waiting.answer;
  };
}
