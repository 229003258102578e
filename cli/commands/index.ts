// Every `asks` subcommand registers itself here: one line per command.
import type { Command } from 'commander';
import { registerValidate } from './validate.js';
import { registerPreview } from './preview.js';
import { registerSchema } from './schema.js';
import { registerImport } from './import.js';
import { registerSeed } from './seed.js';
import { registerRun } from './run.js';
import { registerRuns } from './runs.js';
import { registerPlan } from './plan.js';
import { registerReview } from './review.js';
import { registerRewards } from './rewards.js';
import { registerCustomer } from './customer.js';
import { registerExplain } from './explain.js';
import { registerReport } from './report.js';
import { registerSimulate } from './simulate.js';
import { registerRetention } from './retention.js';

export const commands: Array<(program: Command) => void> = [
  registerValidate,
  registerPreview,
  registerSchema,
  registerImport,
  registerSeed,
  registerRun,
  registerRuns,
  registerPlan,
  registerReview,
  registerRewards,
  registerCustomer,
  registerExplain,
  registerReport,
  registerSimulate,
  registerRetention,
];
