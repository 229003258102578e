// A campaign's schedule as EventBridge Scheduler runs it: the expression infra deploys (`cron(...)` or `rate(...)` in
// the campaign's IANA zone) and the instants it fires in a window, so `asks run --from --to` replays exactly the
// hourly runs the cloud would start. Cron bodies have six fields: minutes hours day-of-month month day-of-week year
// (day-of-week 1-7 = SUN-SAT, `?` in one of the two day fields). Supported: numbers, names (JAN, MON), `*`, `?`,
// ranges `a-b`, steps `*/n` and `a-b/n`, lists, and the wildcards of the EventBridge cron reference
// (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based): `L` (day-of-month: the
// month's last day; day-of-week: Saturday, `5L` the month's last Thursday), `W` (`15W` the weekday nearest the 15th
// within its month, `LW` the last weekday) and `#` (`3#2` the second Tuesday).
// Wall times are matched in the schedule's zone minute by minute. Daylight saving time as EventBridge Scheduler
// documents it (same page, "Daylight saving time"): a wall time the spring-forward skips does not fire, and a wall
// time the fall-back repeats fires once (its first occurrence). Rate schedules fire every interval from the window's
// start.
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
  /** Day-of-month `L`. */
  last?: boolean;
  /** Day-of-month `LW`. */
  lastWeekday?: boolean;
  /** Day-of-month `nW`: the days n whose nearest weekday is wanted. */
  nearestWeekday?: Set<number>;
  /** Day-of-week `dL`: the month's last d. */
  lastOfMonth?: Set<number>;
  /** Day-of-week `d#k`: the month's k-th d, as `d*10 + k`. */
  nth?: Set<number>;
}

type FieldKind = 'plain' | 'dom' | 'dow';

function parseField(text: string, name: string, min: number, max: number, names: string[] = [], nameBase = 1, kind: FieldKind = 'plain'): Field {
  if (text === '*' || text === '?') return { any: true, values: new Set() };
  const value = (v: string): number => {
    const i = names.indexOf(v.toUpperCase());
    const n = i >= 0 ? i + nameBase : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new ValidationError(`cron ${name}: "${v}" is not in ${min}-${max}`);
    return n;
  };
  const field: Field = { any: false, values: new Set<number>() };
  for (const part of text.split(',')) {
    const upper = part.toUpperCase();
    if (/[LW#]/.test(upper.replace(/[A-Z]{3}/g, (m) => (names.includes(m) ? '' : m)))) {
      if (kind === 'dom' && upper === 'L') field.last = true;
      else if (kind === 'dom' && upper === 'LW') field.lastWeekday = true;
      else if (kind === 'dom' && /^\d{1,2}W$/.test(upper)) (field.nearestWeekday ??= new Set()).add(value(upper.slice(0, -1)));
      else if (kind === 'dow' && upper === 'L') field.values.add(7);
      else if (kind === 'dow' && /^[A-Z0-9]+L$/.test(upper)) (field.lastOfMonth ??= new Set()).add(value(upper.slice(0, -1)));
      else if (kind === 'dow' && /^[A-Z0-9]+#[1-5]$/.test(upper)) {
        const [d, k] = upper.split('#') as [string, string];
        (field.nth ??= new Set()).add(value(d) * 10 + Number(k));
      } else throw new ValidationError(`cron ${name}: "${part}" is not a form EventBridge accepts here (L, LW and nW in day-of-month; L, dL and d#k in day-of-week)`);
      continue;
    }
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ValidationError(`cron ${name}: bad step in "${part}"`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [min, max];
    else if (range.includes('-')) [from, to] = range.split('-').map(value) as [number, number];
    else [from, to] = [value(range), stepText === undefined ? value(range) : max];
    for (let v = from; v <= to; v += step) field.values.add(v);
  }
  return field;
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
    dom: parseField(dom, 'day-of-month', 1, 31, [], 1, 'dom'),
    month: parseField(month, 'month', 1, 12, MONTHS, 1),
    dow: parseField(dow, 'day-of-week', 1, 7, DAYS, 1, 'dow'),
    year: parseField(year, 'year', 1970, 2199),
  };
}

const has = (f: Field, v: number): boolean => f.any || f.values.has(v);

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1-7 = SUN-SAT, as EventBridge numbers them. */
const weekday = (year: number, month: number, day: number): number => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

/** The weekday nearest `day` within its month (Quartz and EventBridge `W`: Saturday -> Friday, Sunday -> Monday). */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysIn(year, month);
  const d = Math.min(day, last);
  const dow = weekday(year, month, d);
  if (dow === 7) return d === 1 ? 3 : d - 1;
  if (dow === 1) return d === last ? d - 2 : d + 1;
  return d;
}

function domMatches(f: Field, year: number, month: number, day: number): boolean {
  if (has(f, day)) return true;
  const last = daysIn(year, month);
  if (f.last && day === last) return true;
  if (f.lastWeekday && day === nearestWeekday(year, month, last)) return true;
  for (const n of f.nearestWeekday ?? []) if (n <= last && nearestWeekday(year, month, n) === day) return true;
  return false;
}

function dowMatches(f: Field, year: number, month: number, day: number): boolean {
  const dow = weekday(year, month, day);
  if (has(f, dow)) return true;
  if (f.lastOfMonth?.has(dow) && day + 7 > daysIn(year, month)) return true;
  return f.nth?.has(dow * 10 + Math.ceil(day / 7)) ?? false;
}

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
  // Wall times fired in the last two hours: a fall-back repeats a wall time within an hour or two, and fires once.
  const recent = new Map<string, number>();
  for (let t = start; t < to.getTime(); t += MINUTE_MS) {
    const w = inZone(t, schedule.timezone);
    if (!w) throw new ValidationError(`schedule timezone "${schedule.timezone}" is not a known IANA zone`);
    if (!has(cron.hour, w.hour) || !has(cron.month, w.month) || !has(cron.year, w.year) || !domMatches(cron.dom, w.year, w.month, w.day) || !dowMatches(cron.dow, w.year, w.month, w.day)) {
      // Nothing in this local hour fires: go on at the next local hour's first minute (a DST shift lands later in
      // the hour it moved to, never past a wall time that exists).
      t += (59 - w.minute) * MINUTE_MS;
      continue;
    }
    if (!has(cron.minute, w.minute)) continue;
    const wall = `${w.year}-${w.month}-${w.day} ${w.hour}:${w.minute}`;
    const before = recent.get(wall);
    if (before !== undefined && t - before <= 3 * 60 * MINUTE_MS) continue;
    recent.set(wall, t);
    if (recent.size > 512) recent.delete(recent.keys().next().value!);
    push(t);
  }
  return out;
}
