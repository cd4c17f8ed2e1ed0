// Debian's chromium through playwright-core, for the browser tests: where it
// is, why a test is skipped without it, and the one way to launch it.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';

export const CHROMIUM = '/usr/bin/chromium';

/** False when chromium is there; otherwise why the browser tests are skipped. */
export const chromiumMissing: false | string = existsSync(CHROMIUM) ? false : `Debian's chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;

/** A headless chromium without the network chatter of a desktop browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Starts the app on an ephemeral local port; returns its base URL. */
export async function listenLocally(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}
