// Date milestones in the customer's zone: local dates, send-hour zones across DST, Feb 29, tenure and thresholds.
import { describe, expect, it } from 'vitest';
import {
  crossedThresholds,
  dateMilestoneOn,
  dueMonthDays,
  localDateIn,
  localHourIn,
  tenureYears,
  zonesAtLocalHour,
  type CounterSnapshot,
  type DateTrigger,
} from '../../../core/milestones.js';
import { makeCustomer } from './fixtures.js';

const HOUR = 3_600_000;
const anniversary = (over: Partial<DateTrigger> = {}): DateTrigger => ({ kind: 'signup_anniversary', minYears: 1, askDelayHours: 0, ...over }) as DateTrigger;

describe('localDateIn / localHourIn', () => {
  it('gives Auckland the next day while Los Angeles is still on the same UTC instant’s previous morning', () => {
    // Prepare
    const at = new Date('2025-06-01T13:00:00Z');
    // Act
    const auckland = localDateIn(at, 'Pacific/Auckland');
    const la = localDateIn(at, 'America/Los_Angeles');
    // Assess
    expect(auckland).toBe('2025-06-02');
    expect(la).toBe('2025-06-01');
    expect(localHourIn(at, 'Pacific/Auckland')).toBe(1);
    expect(localHourIn(at, 'America/Los_Angeles')).toBe(6);
  });

  it('rejects an unknown zone with a ValidationError naming it', () => {
    expect(() => localDateIn(new Date('2025-01-01T00:00:00Z'), 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
  });
});

describe('zonesAtLocalHour', () => {
  it('picks the zones whose local time is the send hour', () => {
    // Prepare: 08:00Z is 10:00 in Berlin (CEST), 09:00 in London, 13:30 in Kolkata
    const at = new Date('2025-06-01T08:00:00Z');
    // Act
    const due = zonesAtLocalHour(['Europe/Berlin', 'Europe/London', 'Asia/Kolkata'], at, 10);
    // Assess
    expect(due).toEqual([{ zone: 'Europe/Berlin', localDate: '2025-06-01' }]);
  });

  it('gives Auckland its own local date at its send hour', () => {
    const due = zonesAtLocalHour(['Pacific/Auckland', 'America/Los_Angeles'], new Date('2025-05-31T22:00:00Z'), 10);
    expect(due).toEqual([{ zone: 'Pacific/Auckland', localDate: '2025-06-01' }]);
  });

  it('picks a half-hour zone at the first run past the hour', () => {
    const due = zonesAtLocalHour(['Asia/Kolkata'], new Date('2025-06-01T05:00:00Z'), 10);
    expect(due).toEqual([{ zone: 'Asia/Kolkata', localDate: '2025-06-01' }]);
  });

  it('follows Berlin’s DST change: 10:00 local is 09:00Z the day before spring forward and 08:00Z on the day', () => {
    expect(zonesAtLocalHour(['Europe/Berlin'], new Date('2025-03-29T09:00:00Z'), 10)).toHaveLength(1);
    expect(zonesAtLocalHour(['Europe/Berlin'], new Date('2025-03-30T08:00:00Z'), 10)).toEqual([{ zone: 'Europe/Berlin', localDate: '2025-03-30' }]);
    expect(zonesAtLocalHour(['Europe/Berlin'], new Date('2025-03-30T09:00:00Z'), 10)).toEqual([]);
  });

  it('still selects Berlin once for the hour that spring forward skips (02:00 on 2025-03-30)', () => {
    // Prepare
    const hits: string[] = [];
    // Act
    for (let t = Date.parse('2025-03-29T12:00:00Z'); t <= Date.parse('2025-03-31T12:00:00Z'); t += HOUR) {
      for (const z of zonesAtLocalHour(['Europe/Berlin'], new Date(t), 2)) if (z.localDate === '2025-03-30') hits.push(new Date(t).toISOString());
    }
    // Assess
    expect(hits).toEqual(['2025-03-30T01:00:00.000Z']);
  });

  it('selects Berlin only once for the hour that fall back repeats (02:00 on 2025-10-26)', () => {
    const hits: string[] = [];
    for (let t = Date.parse('2025-10-25T12:00:00Z'); t <= Date.parse('2025-10-27T12:00:00Z'); t += HOUR) {
      for (const z of zonesAtLocalHour(['Europe/Berlin'], new Date(t), 2)) if (z.localDate === '2025-10-26') hits.push(new Date(t).toISOString());
    }
    expect(hits).toEqual(['2025-10-26T00:00:00.000Z']);
  });

  it('selects every zone exactly once per local day and hour, DST days and odd offsets included', () => {
    // Prepare
    const zones = ['Europe/Berlin', 'America/Los_Angeles', 'Pacific/Auckland', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/Santiago', 'UTC'];
    const days = ['2025-03-30', '2025-10-26', '2025-03-09', '2025-11-02', '2025-04-06', '2025-09-28', '2025-10-05', '2025-09-07', '2025-04-05'];
    const counts = new Map<string, number>();
    // Act
    for (const day of days) {
      const from = Date.parse(`${day}T00:00:00Z`) - 36 * HOUR;
      for (let t = from; t <= from + 96 * HOUR; t += HOUR) {
        for (let hour = 0; hour < 24; hour += 1) {
          for (const z of zonesAtLocalHour(zones, new Date(t), hour)) {
            if (z.localDate !== day) continue;
            const key = `${z.zone} ${day} ${hour}`;
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
        }
      }
    }
    // Assess
    const wrong = [...counts].filter(([, n]) => n !== 1);
    expect(wrong).toEqual([]);
    expect(counts.size).toBe(zones.length * days.length * 24);
  });

  it('refuses an hour outside 0-23', () => {
    expect(() => zonesAtLocalHour(['UTC'], new Date('2025-01-01T00:00:00Z'), 24)).toThrow(/hour/);
  });
});

describe('dueMonthDays', () => {
  it.each([
    ['2025-02-28', ['02-28', '02-29']],
    ['2100-02-28', ['02-28', '02-29']],
    ['2024-02-28', ['02-28']],
    ['2000-02-28', ['02-28']],
    ['2024-02-29', ['02-29']],
    ['2025-11-24', ['11-24']],
  ])('reads %s as %j', (date, expected) => {
    expect(dueMonthDays(date)).toEqual(expected);
  });
});

describe('dateMilestoneOn', () => {
  it('finds the signup anniversary with whole years and a yearly occurrence id', () => {
    // Prepare
    const customer = makeCustomer({ signupDate: '2020-03-15' });
    // Act
    const occ = dateMilestoneOn(customer, anniversary(), '2025-03-15');
    // Assess
    expect(occ).toEqual({ kind: 'signup_anniversary', occurrenceId: 'signup_anniversary#2025', occurredOn: '2025-03-15', years: 5 });
  });

  it('returns null on any other day', () => {
    expect(dateMilestoneOn(makeCustomer({ signupDate: '2020-03-15' }), anniversary(), '2025-03-16')).toBeNull();
  });

  it('celebrates a Feb 29 signup on Feb 28 in a non-leap year', () => {
    const occ = dateMilestoneOn(makeCustomer({ signupDate: '2020-02-29' }), anniversary(), '2025-02-28');
    expect(occ?.years).toBe(5);
    expect(occ?.occurrenceId).toBe('signup_anniversary#2025');
  });

  it('celebrates a Feb 29 signup on Feb 29 (not Feb 28) in a leap year', () => {
    const customer = makeCustomer({ signupDate: '2020-02-29' });
    expect(dateMilestoneOn(customer, anniversary(), '2024-02-28')).toBeNull();
    expect(dateMilestoneOn(customer, anniversary(), '2024-02-29')?.years).toBe(4);
  });

  it('does not move a Feb 28 signup in leap years', () => {
    const customer = makeCustomer({ signupDate: '2019-02-28' });
    expect(dateMilestoneOn(customer, anniversary(), '2024-02-28')?.years).toBe(5);
    expect(dateMilestoneOn(customer, anniversary(), '2024-02-29')).toBeNull();
  });

  it('skips the origin day itself with the default minYears 1 and keeps it with minYears 0', () => {
    const customer = makeCustomer({ signupDate: '2025-03-15' });
    expect(dateMilestoneOn(customer, anniversary(), '2025-03-15')).toBeNull();
    expect(dateMilestoneOn(customer, anniversary({ minYears: 0 }), '2025-03-15')?.years).toBe(0);
  });

  it('respects maxYears', () => {
    const customer = makeCustomer({ signupDate: '2020-03-15' });
    expect(dateMilestoneOn(customer, anniversary({ maxYears: 4 }), '2025-03-15')).toBeNull();
    expect(dateMilestoneOn(customer, anniversary({ maxYears: 5 }), '2025-03-15')?.years).toBe(5);
  });

  it('never celebrates a date before the origin', () => {
    expect(dateMilestoneOn(makeCustomer({ signupDate: '2020-03-15' }), anniversary({ minYears: 0 }), '2019-03-15')).toBeNull();
  });

  it('uses the age as years for birthdays', () => {
    const occ = dateMilestoneOn(makeCustomer({ birthday: '1990-07-04' }), anniversary({ kind: 'birthday' }), '2025-07-04');
    expect(occ).toMatchObject({ kind: 'birthday', occurrenceId: 'birthday#2025', years: 35 });
  });

  it('returns null when the customer has no date for the kind', () => {
    expect(dateMilestoneOn(makeCustomer(), anniversary({ kind: 'first_purchase_anniversary' }), '2025-03-15')).toBeNull();
  });

  it('reads the date field that belongs to the kind', () => {
    const customer = makeCustomer({ signupDate: '2020-01-01', firstPurchaseDate: '2021-05-05', contractRenewalDate: '2022-09-09' });
    expect(dateMilestoneOn(customer, anniversary({ kind: 'first_purchase_anniversary' }), '2025-05-05')?.years).toBe(4);
    expect(dateMilestoneOn(customer, anniversary({ kind: 'contract_renewal' }), '2025-09-09')?.years).toBe(3);
  });
});

describe('tenureYears', () => {
  it.each([
    ['2020-03-15', '2025-03-14', 4],
    ['2020-03-15', '2025-03-15', 5],
    ['2020-02-29', '2021-02-27', 0],
    ['2020-02-29', '2021-02-28', 1],
    ['2020-02-29', '2024-02-28', 3],
    ['2020-02-29', '2024-02-29', 4],
    ['2020-03-15', '2019-01-01', 0],
  ])('from %s to %s is %i years', (signup, on, years) => {
    expect(tenureYears(signup, on)).toBe(years);
  });
});

describe('crossedThresholds (re-exported)', () => {
  const snap = (s: Partial<CounterSnapshot>): CounterSnapshot => ({ orders: 0, lifetimeSpendMinor: 0, projectsCompleted: 0, currency: 'EUR', ...s });

  it('returns both thresholds when one order jumps over two', () => {
    const r = crossedThresholds({ kind: 'nth_purchase', thresholds: [10, 25, 50], askDelayHours: 0 }, snap({ orders: 9 }), snap({ orders: 30 }));
    expect(r.map((c) => c.occurrenceId)).toEqual(['nth_purchase#10', 'nth_purchase#25']);
  });

  it('crosses each threshold exactly once over a sequence of orders', () => {
    // Prepare
    const trigger = { kind: 'spend_threshold' as const, thresholdsMinor: [10_000, 50_000], currency: 'EUR', askDelayHours: 0 };
    const amounts = [4_000, 7_000, 45_000, 1_000, 60_000];
    const seen: string[] = [];
    // Act
    let spent = 0;
    for (const a of amounts) {
      seen.push(...crossedThresholds(trigger, snap({ lifetimeSpendMinor: spent }), snap({ lifetimeSpendMinor: spent + a })).map((c) => c.occurrenceId));
      spent += a;
    }
    // Assess
    expect(seen).toEqual(['spend_threshold#10000', 'spend_threshold#50000']);
  });

  it('names every n-th project by its count', () => {
    const r = crossedThresholds({ kind: 'project_completed', every: 2, askDelayHours: 0 }, snap({ projectsCompleted: 1 }), snap({ projectsCompleted: 5 }));
    expect(r.map((c) => c.occurrenceId)).toEqual(['project_completed#2', 'project_completed#4']);
  });

  it('fires tier_reached only when moving into a listed tier', () => {
    const trigger = { kind: 'tier_reached' as const, tiers: ['gold'], askDelayHours: 0 };
    expect(crossedThresholds(trigger, snap({ tier: 'silver' }), snap({ tier: 'gold' })).map((c) => c.occurrenceId)).toEqual(['tier_reached#gold']);
    expect(crossedThresholds(trigger, snap({ tier: 'gold' }), snap({ tier: 'gold' }))).toEqual([]);
  });
});
