#!/usr/bin/env node
// The `matinale` command. The sources are TypeScript run through tsx, so that
// `npx matinale` works straight after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Long-running commands (serve, worker, preview) keep the event loop alive themselves.
if (code !== 0) process.exit(code);
