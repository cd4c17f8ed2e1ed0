// The loader hooks of module-trace.mjs (they run on the loader's own thread).
import { appendFileSync } from 'node:fs';

const file = process.env.MODULE_TRACE;

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  appendFileSync(file, `${Math.round(performance.timeOrigin + performance.now() - Number(process.env.MODULE_TRACE_T0 ?? performance.timeOrigin))} ${url}\n`);
  return result;
}
