// Synthesize the CDK app once before any test file runs: the local runtime and the workflow tests read the run
// state machine back from cdk.out, exactly as `npm start` does, so a fresh clone's `npm test` needs no extra step.
import { ensureSynth } from '../local/definition.js';

export default async function setup(): Promise<void> {
  await ensureSynth({ log: (line) => console.log(line) });
}
