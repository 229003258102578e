// The synthesized definitions, read back from cdk.out (what `cdk deploy` would send): the state machine passes an ASL
// validator and names only core's errors in Retry/Catch; each campaign schedule is valid EventBridge Scheduler syntax
// in the campaign's timezone and fires at the campaign's send hour across a DST change; every cdk-nag suppression has
// a reason, and wildcard (IAM4/IAM5) suppressions are scoped with appliesTo.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { loadCampaignDir, validateEventBridgeCron } from '../../adapters/campaign-files.js';
import { CRASH_ERRORS, LAMBDA_SERVICE_ERRORS, NON_RETRYABLE_ERRORS, RETRYABLE_ERRORS } from '../../core/errors.js';
import { definitionFromCdkOut, REPO_ROOT } from '../../local/definition.js';

type Resource = { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> };
const CDK_OUT = join(REPO_ROOT, 'cdk.out');
const templates = readdirSync(CDK_OUT)
  .filter((f) => f.endsWith('.template.json'))
  .map((f) => ({ file: f, resources: (JSON.parse(readFileSync(join(CDK_OUT, f), 'utf8')) as { Resources: Record<string, Resource> }).Resources }));
const resourcesOfType = (type: string) => templates.flatMap((t) => Object.entries(t.resources).filter(([, r]) => r.Type === type));

describe('the run state machine definition', () => {
  const { definition } = definitionFromCdkOut(CDK_OUT);

  it('passes asl-validator', () => {
    const { isValid, errorsText } = aslValidator(definition as never);
    expect(isValid, errorsText('\n')).toBe(true);
  });

  it('the validator can fail: a Choice without Choices is reported', () => {
    const broken = JSON.parse(JSON.stringify(definition)) as { States: Record<string, Record<string, unknown>> };
    const choice = Object.values(broken.States).find((s) => s.Type === 'Choice')!;
    delete choice.Choices;
    expect(aslValidator(broken as never).isValid).toBe(false);
  });

  it('retries and catches only error names that core/errors.ts defines (or Step Functions itself)', () => {
    const known = new Set<string>([...RETRYABLE_ERRORS, ...NON_RETRYABLE_ERRORS, ...LAMBDA_SERVICE_ERRORS, ...CRASH_ERRORS, 'States.ALL']);
    const names: string[] = [];
    const visit = (states: Record<string, Record<string, unknown>>) => {
      for (const state of Object.values(states)) {
        for (const r of [...((state.Retry as Array<{ ErrorEquals: string[] }>) ?? []), ...((state.Catch as Array<{ ErrorEquals: string[] }>) ?? [])]) names.push(...r.ErrorEquals);
        const inner = (state.ItemProcessor ?? state.Iterator) as { States?: Record<string, Record<string, unknown>> } | undefined;
        if (inner?.States) visit(inner.States);
      }
    };
    visit((definition as { States: Record<string, Record<string, unknown>> }).States);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !known.has(n))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining([...RETRYABLE_ERRORS]));
  });
});

describe('campaign schedules', async () => {
  const { campaigns } = await loadCampaignDir(join(REPO_ROOT, 'campaigns'), { templatesDir: join(REPO_ROOT, 'templates') });
  const schedules = resourcesOfType('AWS::Scheduler::Schedule').map(([, r]) => r.Properties as { Name: string; ScheduleExpression: string; ScheduleExpressionTimezone: string; Target: { Input: string } });

  /** Fire times of an EventBridge cron body between two instants, evaluated in `zone` (as Scheduler does). */
  function fireTimes(cron: string, zone: string, from: DateTime, to: DateTime): DateTime[] {
    const fields = cron.replace(/^cron\(|\)$/g, '').trim().split(/\s+/);
    expect(fields, cron).toHaveLength(6);
    const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
    // cron-parser reads 5-field Unix cron; '?' means "any" there too; the year field is checked separately.
    const it = CronExpressionParser.parse([min, hour, dom, month, dow].join(' ').replace(/\?/g, '*'), { tz: zone, currentDate: from.toJSDate(), endDate: to.toJSDate() });
    const out: DateTime[] = [];
    while (it.hasNext()) {
      const next = DateTime.fromJSDate(it.next().toDate(), { zone });
      if (year === '*' || year.split(',').includes(String(next.year))) out.push(next);
    }
    return out;
  }

  it('has one schedule per active campaign, with the campaign cron, its IANA zone and valid Scheduler syntax', () => {
    const active = campaigns.filter((c) => c.status === 'active');
    expect(schedules).toHaveLength(active.length);
    for (const c of active) {
      const s = schedules.find((x) => JSON.parse(x.Target.Input).campaignId === c.id);
      expect(s, c.id).toBeDefined();
      expect(s!.ScheduleExpression).toBe(c.schedule.cron !== undefined ? `cron(${c.schedule.cron})` : `rate(${c.schedule.rate})`);
      expect(s!.ScheduleExpressionTimezone).toBe(c.schedule.timezone);
      expect(DateTime.local().setZone(s!.ScheduleExpressionTimezone).isValid, s!.ScheduleExpressionTimezone).toBe(true);
      if (c.schedule.cron !== undefined) expect(validateEventBridgeCron(c.schedule.cron)).toBeUndefined();
      else expect(s!.ScheduleExpression).toMatch(/^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$/);
    }
  });

  /** The day of `zone`'s offset change in this season of 2026, or undefined where the zone has no DST. */
  function dstChange(zone: string, season: string): DateTime | undefined {
    const start = DateTime.fromISO(season === 'spring' ? '2026-02-01' : '2026-08-01', { zone });
    for (let d = 0; d < 120; d += 1) {
      const day = start.plus({ days: d }).startOf('day');
      if (day.offset !== day.plus({ days: 1 }).offset) return day;
    }
    return undefined;
  }

  // Customers live in many zones: a run must come at their own send hour too (half-hour offsets included).
  const CUSTOMER_ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'];

  it.each(['spring', 'autumn'])('fires at the send hour in the campaign zone and in customer zones on the days around the %s DST change', (season) => {
    let checkedChanges = 0;
    for (const c of campaigns.filter((x) => x.status === 'active' && x.schedule.cron !== undefined)) {
      const hourly = c.schedule.cron!.split(/\s+/)[1] === '*';
      for (const zone of hourly ? [c.schedule.timezone, ...CUSTOMER_ZONES] : [c.schedule.timezone]) {
        const change = dstChange(zone, season);
        if (change) checkedChanges += 1;
        const from = (change ?? DateTime.fromISO('2026-03-29', { zone })).minus({ days: 1 }).startOf('day');
        const to = from.plus({ days: 3 });
        const fires = fireTimes(c.schedule.cron!, c.schedule.timezone, from.minus({ hours: 1 }), to.plus({ hours: 1 })).map((f) => f.setZone(zone));
        for (let day = from; day < to; day = day.plus({ days: 1 })) {
          const atSendHour = fires.filter((f) => f.hasSame(day, 'day') && f.hour === c.schedule.sendHour);
          expect(atSendHour, `${c.id} (${c.schedule.cron} in ${c.schedule.timezone}) on ${day.toISODate()} in ${zone}: one run in the ${c.schedule.sendHour}:00 hour`).toHaveLength(1);
        }
        if (change && zone === c.schedule.timezone) {
          // In a DST zone the send-hour run keeps its local hour, so its UTC hour moves by the offset change.
          const before = fires.find((f) => f.hasSame(from, 'day') && f.hour === c.schedule.sendHour)!;
          const after = fires.find((f) => f.hasSame(to.minus({ days: 1 }), 'day') && f.hour === c.schedule.sendHour)!;
          expect(before.toUTC().hour - after.toUTC().hour, `${c.id}: the UTC hour shifts with DST`).toBe((after.offset - before.offset) / 60);
        }
      }
    }
    expect(checkedChanges, 'no DST change was crossed').toBeGreaterThan(0);
  });

  it('checks a zone with DST among the shipped campaigns (the test above is not only on UTC)', () => {
    const zones = campaigns.map((c) => c.schedule.timezone);
    expect(zones.some((z) => DateTime.fromISO('2026-01-15', { zone: z }).offset !== DateTime.fromISO('2026-07-15', { zone: z }).offset)).toBe(true);
  });

  it('the evaluation can fail: a daily 10:00 UTC cron is not 10:00 local in Berlin in both seasons', () => {
    const winter = fireTimes('0 10 * * ? *', 'UTC', DateTime.fromISO('2026-03-27T00:00Z'), DateTime.fromISO('2026-03-28T00:00Z'))[0]!.setZone('Europe/Berlin');
    const summer = fireTimes('0 10 * * ? *', 'UTC', DateTime.fromISO('2026-03-30T00:00Z'), DateTime.fromISO('2026-03-31T00:00Z'))[0]!.setZone('Europe/Berlin');
    expect(winter.hour).not.toBe(summer.hour);
  });
});

describe('cdk-nag suppressions', () => {
  const suppressions = templates.flatMap((t) =>
    Object.entries(t.resources).flatMap(([id, r]) =>
      (((r.Metadata?.cdk_nag as { rules_to_suppress?: Array<{ id: string; reason: string; applies_to?: unknown[] }> })?.rules_to_suppress) ?? []).map((s) => ({ where: `${t.file} ${id}`, ...s })),
    ),
  );

  it('are attached to resources, each with a reason', () => {
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) expect(s.reason.length, `${s.where} ${s.id}`).toBeGreaterThan(20);
  });

  it('scope every wildcard (IAM4, IAM5) suppression with appliesTo', () => {
    const unscoped = suppressions.filter((s) => /IAM[45]$/.test(s.id) && !(s.applies_to && s.applies_to.length > 0));
    expect(unscoped.map((s) => `${s.where} ${s.id}`)).toEqual([]);
  });
});
