// Every `asks` subcommand registers itself here: one line per command.
import type { Command } from 'commander';

export const commands: Array<(program: Command) => void> = [];
