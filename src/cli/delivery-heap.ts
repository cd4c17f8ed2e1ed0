// The garbage collector's settings of a process that delivers a send
// (`matinale worker`, `matinale send --wait`): its peak memory must stay flat
// in the list's size (issue 14: under 150 MB through a 1,000,000-recipient send).
//
// What grew was garbage, not live data: each recipient's spliced message is a
// Buffer of the message's size (43 KB for the sample edition) whose small JS
// object outlives two young-generation collections while its batch is on the
// wire, so it is promoted to the old generation and its memory stays taken
// until the next full collection. V8 lets the old generation grow to four
// times what the last full collection kept (about 100 MB here) and keeps a
// 32 MB young generation: the worker peaked at 160–213 MB at 100,000 and
// 200,000 recipients while its live heap stayed near 30 MB.
//
// Both settings are V8's own, read at each collection, so setting them once
// the process runs takes effect (Node's NODE_OPTIONS refuses the first, and a
// process started by `node bin/matinale.js` has no other place for flags):
//  - the young generation keeps its starting size (two 1 MB halves) instead of
//    doubling up to 16 MB: collected more often, each time cheaply, it holds
//    less garbage at any moment;
//  - the old generation may grow to twice what the last full collection kept,
//    not four times: full collections come sooner, each short (the live heap is small).
// Measured on one worker at 100,000 recipients (bench/million.ts, `--workers 1`):
// peak RSS 135 MB, flat after the first seconds, against 160–213 MB; CPU time of
// the worker 34.4 s against 31.9 s (+8 %), the send's rate unchanged within the noise.
import { setFlagsFromString } from 'node:v8';

/** Bounds the young and old generations of a delivering process (see above); call once, before delivering. */
export function boundDeliveryHeap(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=100');
}
