// A campaign's schedule as EventBridge Scheduler runs it: the expression infra deploys (`cron(...)` or `rate(...)` in
// the campaign's IANA zone) and the instants it fires in a window, so `asks run --from --to` replays exactly the
// hourly runs the cloud would start. Cron bodies have six fields: minutes hours day-of-month month day-of-week year
// (day-of-week 1-7 = SUN-SAT, `?` in one of the two day fields). Supported: numbers, names (JAN, MON), `*`, `?`,
// ranges `a-b`, steps `*/n` and `a-b/n`, lists; `L`, `W` and `#` are refused with a ValidationError.
// Wall times are matched in the schedule's zone minute by minute, so a time that DST skips does not fire and a time
// that occurs twice fires twice. Rate schedules fire every interval starting at the window's start.
import type { Schedule } from './schemas/campaign.js';
import { ValidationError } from './errors.js';
import { inZone } from './zoned-time.js';

/** The ScheduleExpression infra deploys for a campaign schedule. */
export function scheduleExpression(schedule: Pick<Schedule, 'cron' | 'rate'>): string {
  if (schedule.cron !== undefined) return `cron(${schedule.cron})`;
  if (schedule.rate !== undefined) return `rate(${schedule.rate})`;
  throw new ValidationError('schedule: give exactly one of cron or rate');
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  any: boolean;
  values: Set<number>;
}

function parseField(text: string, name: string, min: number, max: number, names: string[] = [], nameBase = 1): Field {
  if (text === '*' || text === '?') return { any: true, values: new Set() };
  if (/[LW#]/i.test(text.replace(/[A-Z]{3}/gi, (m) => (names.includes(m.toUpperCase()) ? '' : m)))) {
    throw new ValidationError(`cron ${name}: "${text}" uses L, W or #, which asks run does not replay`);
  }
  const value = (v: string): number => {
    const i = names.indexOf(v.toUpperCase());
    const n = i >= 0 ? i + nameBase : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new ValidationError(`cron ${name}: "${v}" is not in ${min}-${max}`);
    return n;
  };
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ValidationError(`cron ${name}: bad step in "${part}"`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [min, max];
    else if (range.includes('-')) [from, to] = range.split('-').map(value) as [number, number];
    else [from, to] = [value(range), stepText === undefined ? value(range) : max];
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return { any: false, values };
}

interface Cron {
  minute: Field;
  hour: Field;
  dom: Field;
  month: Field;
  dow: Field;
  year: Field;
}

/** Parse an EventBridge cron body (the part inside `cron(...)`). Throws ValidationError. */
export function parseCron(body: string): Cron {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) throw new ValidationError(`cron "${body}": needs 6 fields (minutes hours day-of-month month day-of-week year)`);
  const [minute, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  return {
    minute: parseField(minute, 'minutes', 0, 59),
    hour: parseField(hour, 'hours', 0, 23),
    dom: parseField(dom, 'day-of-month', 1, 31),
    month: parseField(month, 'month', 1, 12, MONTHS, 1),
    dow: parseField(dow, 'day-of-week', 1, 7, DAYS, 1),
    year: parseField(year, 'year', 1970, 2199),
  };
}

const has = (f: Field, v: number): boolean => f.any || f.values.has(v);

const MINUTE_MS = 60_000;

function parseRate(body: string): number {
  const m = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  if (!m) throw new ValidationError(`rate "${body}": must look like "1 hour"`);
  const unit = m[2]!.startsWith('minute') ? 1 : m[2]!.startsWith('hour') ? 60 : 1440;
  return Number(m[1]) * unit * MINUTE_MS;
}

/**
 * The instants (ISO-8601 UTC, whole minutes, no milliseconds) at which the schedule fires in [from, to), oldest first.
 * Throws ValidationError for an expression it cannot replay or a window of more than `maxFires` fires.
 */
export function scheduledFires(schedule: Pick<Schedule, 'cron' | 'rate' | 'timezone'>, from: Date, to: Date, maxFires = 10_000): string[] {
  const out: string[] = [];
  const start = Math.ceil(from.getTime() / MINUTE_MS) * MINUTE_MS;
  const push = (t: number): void => {
    if (out.length >= maxFires) throw new ValidationError(`the window holds more than ${maxFires} scheduled fires: choose a shorter one`);
    out.push(new Date(t).toISOString().replace('.000Z', 'Z'));
  };
  if (schedule.rate !== undefined) {
    const every = parseRate(schedule.rate);
    for (let t = start; t < to.getTime(); t += every) push(t);
    return out;
  }
  const cron = parseCron(schedule.cron ?? '');
  for (let t = start; t < to.getTime(); t += MINUTE_MS) {
    const w = inZone(t, schedule.timezone);
    if (!w) throw new ValidationError(`schedule timezone "${schedule.timezone}" is not a known IANA zone`);
    if (!has(cron.minute, w.minute) || !has(cron.hour, w.hour) || !has(cron.month, w.month) || !has(cron.year, w.year)) continue;
    const dow = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 1;
    if (!has(cron.dom, w.day) || !has(cron.dow, dow)) continue;
    push(t);
  }
  return out;
}
