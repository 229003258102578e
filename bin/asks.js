#!/usr/bin/env node
// Entry point for `npx asks`: runs the TypeScript CLI through tsx, so the repo needs no build step.
import { register } from 'tsx/esm/api';
register();
await import('../cli/main.ts');
