// HTML built by tagged templates that escape every interpolated value unless it
// is already `SafeHtml`: output is escaped by default, so a forgotten call
// cannot open an XSS hole; only code that built markup itself can mark it safe.
import { escapeHtml } from '../render/html-escape.ts';

/** Markup known to be safe (built by `html` or marked with `raw`). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/** Builds markup; interpolated strings are escaped, arrays are joined, null/false vanish. */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Marks markup produced elsewhere (a renderer) as safe to embed as is. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
