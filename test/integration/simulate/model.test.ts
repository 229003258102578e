// The simulator's invariants as a fast-check model test: random sequences of activity (orders, projects, opt-outs,
// bounces, conversions), fault settings and scheduled hours drive one Simulation on the local stack; after the
// sequence the oracle, computed from the inputs alone, must find no violation. Small sizes: few runs, few customers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSimCustomers, Simulation, type Faults } from '../../../local/simulate.js';
import { mulberry32 } from '../../../core/seed.js';
import { describeViolations } from './helpers.js';

const START = '2026-03-07';
const HOUR = 3_600_000;

interface Model {
  hour: number;
  customers: number;
}

type Cmd = fc.AsyncCommand<Model, Simulation>;
const at = (m: Model, minute: number) => new Date(Date.parse(`${START}T00:00:00Z`) + m.hour * HOUR + 60_000 * (1 + minute)).toISOString();

class RunHours implements Cmd {
  constructor(readonly n: number) {}
  check = () => true;
  async run(m: Model, sim: Simulation) {
    for (let i = 0; i < this.n; i += 1) {
      await sim.runHour(Date.parse(`${START}T00:00:00Z`) + m.hour * HOUR);
      m.hour += 1;
    }
  }
  toString = () => `RunHours(${this.n})`;
}

class Act implements Cmd {
  constructor(
    readonly kind: 'order' | 'project' | 'optOut' | 'bounce' | 'convert',
    readonly customer: number,
    readonly minute: number,
  ) {}
  check = (m: Readonly<Model>) => this.customer < m.customers;
  async run(m: Model, sim: Simulation) {
    const id = sim.inputs.customers[this.customer]!.id;
    if (this.kind === 'convert') await sim.refreshCodes();
    await sim[this.kind](id, at(m, this.minute));
  }
  toString = () => `${this.kind}(${this.customer}@${this.minute})`;
}

class SetFaults implements Cmd {
  constructor(readonly faults: Faults) {}
  check = () => true;
  async run(_m: Model, sim: Simulation) {
    sim.setFaults(this.faults);
  }
  toString = () => `SetFaults(${JSON.stringify(this.faults)})`;
}

const CUSTOMERS = 8;
const commands = [
  fc.integer({ min: 1, max: 6 }).map((n) => new RunHours(n)),
  fc.tuple(fc.constantFrom('order', 'order', 'order', 'project', 'optOut', 'bounce', 'convert' as const), fc.nat(CUSTOMERS - 1), fc.nat(58)).map(([k, c, minute]) => new Act(k as Act['kind'], c, minute)),
  fc.record({ crash: fc.constantFrom(0, 0.5), throttle: fc.constantFrom(0, 0.5), kill: fc.constantFrom(0, 0.5) }).map((f) => new SetFaults(f)),
];

describe('simulator invariants as a model test', () => {
  it('hold for random activity, faults and hours', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1000 }), fc.commands(commands, { maxCommands: 8 }), async (seed, cmds) => {
        const sim = await Simulation.start({ days: 3, seed, startDate: START });
        try {
          // Customers with orders near 10 and anniversaries in these days, so milestones fall due.
          await sim.addCustomers(generateSimCustomers(mulberry32(seed), CUSTOMERS, START, 2).map((c) => ({ ...c, counters: { ...c.counters, orders: 9 } })));
          await fc.asyncModelRun(() => ({ model: { hour: 0, customers: CUSTOMERS }, real: sim }), [...cmds, new RunHours(26)]);
          const report = await sim.check();
          expect(describeViolations(report.violations)).toBe('');
        } finally {
          await sim.stop();
        }
      }),
      { numRuns: 2, seed: 10, endOnFailure: true },
    );
  });
});
