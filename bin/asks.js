#!/usr/bin/env node
// Entry point for `npx asks`: runs the TypeScript CLI through tsx, so the repo needs no build step.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on Node 20 that its 2027 releases will need Node 22; the lockfile pins releases that run here,
// so in a terminal tool that notice is noise (the SDK's own switch; every other warning still prints).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../cli/main.ts');
