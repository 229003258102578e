// Every `asks` subcommand registers itself here: one line per command.
import type { Command } from 'commander';
import { registerValidate } from './validate.js';
import { registerPreview } from './preview.js';
import { registerSchema } from './schema.js';

export const commands: Array<(program: Command) => void> = [
  registerValidate,
  registerPreview,
  registerSchema,
];
