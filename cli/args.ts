// Validators of command arguments that several commands share: one rule for a calendar date and one for an instant,
// so every command refuses `2026-02-31` the same way (exit 2, naming the option).
import { DateTime } from 'luxon';
import { CliError, EXIT } from './output.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `value` if it is a real calendar date `YYYY-MM-DD` (2026-02-29 and 2026-11-31 are not), else a usage CliError
 * (exit 2) naming `flag`.
 */
export function checkLocalDate(flag: string, value: string): string {
  if (!DATE.test(value) || !DateTime.fromISO(value, { zone: 'utc' }).isValid) throw new CliError(`${flag}: must be a calendar date YYYY-MM-DD (got "${value}")`, EXIT.usage);
  return value;
}

/** A commander option parser for a calendar date (see `checkLocalDate`). */
export const localDateOption =
  (flag: string) =>
  (value: string): string =>
    checkLocalDate(flag, value);

/**
 * `value` as an ISO-8601 UTC instant (`toISOString`) if it is a real instant with a zone (`Z` or `±hh:mm`), e.g.
 * 2026-03-08T00:00:00Z; else a usage CliError (exit 2) naming `flag`.
 */
export function checkInstant(flag: string, value: string): string {
  const parsed = INSTANT.test(value) ? DateTime.fromISO(value, { setZone: true }) : undefined;
  if (!parsed?.isValid) throw new CliError(`${flag}: must be an ISO-8601 instant with a zone, e.g. 2026-03-08T00:00:00Z (got "${value}")`, EXIT.usage);
  return new Date(parsed.toMillis()).toISOString();
}

/** A commander option parser for an instant (see `checkInstant`). */
export const instantOption =
  (flag: string) =>
  (value: string): string =>
    checkInstant(flag, value);

/**
 * The one answer to a campaign id that no campaign file has: not found (exit 1, like an unknown customer), naming it
 * and the known ids. A usage error (exit 2) is for a malformed argument, not for a well-formed id nobody has.
 */
export function unknownCampaign(campaignId: string, known: readonly string[]): CliError {
  return new CliError(`campaign: no campaign "${campaignId}" (known: ${known.join(', ') || 'none'})`, EXIT.failure);
}
