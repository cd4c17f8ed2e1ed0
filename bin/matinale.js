#!/usr/bin/env node
// The `matinale` command. The sources are TypeScript run through tsx, so that
// `npx matinale` works straight after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
