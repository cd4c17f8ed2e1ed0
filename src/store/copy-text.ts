// The text of `COPY … FROM STDIN` (PostgreSQL's text format), built into
// reused slabs of memory outside the JavaScript heap.
//
// The COPY text of a chunk is written into slabs of 1 MiB, taken from a pool
// that lives as long as the bulk write: the slabs go back to it once their
// text has been sent, and the next text fills them again. A buffer per block
// of rows, freed only when the garbage collector got to it, kept ~100 MB of
// dead buffers outside the heap at the peak and put an import's RSS at 300 MB;
// one buffer per chunk, doubled when full, left its smaller predecessors as
// garbage the same way.

// COPY's text format: backslash, tab, newline and carriage return must be escaped; \N is null.
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One value as COPY's text format writes it. */
export function copyValue(value: string | null): string {
  if (value === null) return '\\N';
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}

// The text of 1,000 lines is kept and written as one block: one write per
// line costs more than the line itself.
const LINES_PER_BLOCK = 1000;
const SLAB_BYTES = 1024 * 1024;

/** Slabs shared by the texts of one bulk write. */
export class SlabPool {
  private readonly free: Buffer[] = [];
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(SLAB_BYTES);
  }
  give(slabs: Buffer[]): void {
    this.free.push(...slabs);
  }
}

/** The COPY text of one table for one chunk: add lines, then send `parts()`, then `release()`. */
export class CopyText {
  private readonly parts_: Buffer[] = [];
  private readonly slabs: Buffer[] = [];
  private slab: Buffer | undefined;
  private slabUsed = 0;
  private block: string[] = [];
  lines = 0;

  constructor(private readonly pool: SlabPool) {}

  /** Adds one line (ending with its newline). */
  add(line: string): void {
    this.lines++;
    this.block.push(line);
    if (this.block.length >= LINES_PER_BLOCK) this.endBlock();
  }

  /** The text, as views of the slabs (valid until `release`). */
  parts(): Buffer[] {
    this.endBlock();
    this.endSlab();
    return this.parts_;
  }

  /**
   * A new text of the lines `keep` returns for each line of this one (the
   * line itself, another, or null to leave it out), called with the line's
   * number from 0 and the line without its newline. Every part holds whole
   * lines: a block of lines is written into one slab, or a buffer of its own.
   */
  filterLines(keep: (row: number, line: string) => string | null): CopyText {
    const out = new CopyText(this.pool);
    let row = 0;
    for (const part of this.parts()) {
      const lines = part.toString('utf8').split('\n');
      // The part ends with a newline: the last piece is empty.
      for (let i = 0; i < lines.length - 1; i++) {
        const kept = keep(row++, lines[i]!);
        if (kept !== null) out.add(`${kept}\n`);
      }
    }
    return out;
  }

  /** Gives the slabs back to the pool. */
  release(): void {
    this.pool.give(this.slabs.splice(0));
    this.parts_.length = 0;
  }

  private endSlab(): void {
    if (this.slab && this.slabUsed > 0) this.parts_.push(this.slab.subarray(0, this.slabUsed));
    this.slab = undefined;
    this.slabUsed = 0;
  }

  private endBlock(): void {
    if (!this.block.length) return;
    const text = this.block.join('');
    this.block = [];
    const bytes = Buffer.byteLength(text);
    if (bytes > SLAB_BYTES) {
      // A block of very long lines: a buffer of its own, left to the garbage collector.
      this.endSlab();
      this.parts_.push(Buffer.from(text));
      return;
    }
    if (this.slab && this.slabUsed + bytes > SLAB_BYTES) this.endSlab();
    if (!this.slab) {
      this.slab = this.pool.take();
      this.slabs.push(this.slab);
    }
    this.slabUsed += this.slab.write(text, this.slabUsed);
  }
}
