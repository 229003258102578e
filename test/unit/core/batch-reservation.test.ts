// BatchReservation (core/budget.ts): a batch reserves for all its planned asks in one conditional update and gives
// back what no ask used. Under any interleaving of concurrent batches the budget is never passed, and when every batch
// has closed the budget holds exactly the reservations of the asks that were kept (amount and count).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BatchReservation, InMemoryBudget, type BudgetStore } from '../../../core/budget.js';

/** Every call yields to the fast-check scheduler first; the budget is checked after each write. */
function scheduled(store: InMemoryBudget, s: fc.Scheduler, budgetMinor: number, seen: number[]): BudgetStore {
  const check = (): void => {
    const committed = store.items.get('c')?.committedMinor ?? 0;
    seen.push(committed);
    expect(committed).toBeLessThanOrEqual(budgetMinor);
  };
  return {
    state: (c) => s.schedule(Promise.resolve(), 'state').then(() => store.state(c)),
    reserve: (c, a, b, n) => s.schedule(Promise.resolve(), `reserve ${a}x${n ?? 1}`).then(async () => ((await store.reserve(c, a, b, n)) ? (check(), true) : false)),
    unreserve: (c, a, o) => s.schedule(Promise.resolve(), `unreserve ${a}`).then(async () => (await store.unreserve(c, a, o), check())),
  };
}

describe('BatchReservation', () => {
  it('never passes the budget across concurrent batches and keeps exactly the kept asks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 0, max: 400 }),
        // Batches of asks: (amount, whether the ask is kept or given back after its claim).
        fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.boolean()), { maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        async (s, budgetMinor, batches) => {
          const memory = new InMemoryBudget();
          const store = scheduled(memory, s, budgetMinor, []);
          let keptMinor = 0;
          let keptAsks = 0;
          const runBatch = async (asks: Array<[number, boolean]>): Promise<void> => {
            const batch = await BatchReservation.open(store, 'c', budgetMinor, asks.map(([a]) => a));
            try {
              await Promise.all(
                asks.map(async ([amount, kept]) => {
                  const from = await batch.take(amount);
                  if (!from) return;
                  if (kept) {
                    keptMinor += amount;
                    keptAsks += 1;
                  } else await batch.giveBack(amount, from);
                }),
              );
            } finally {
              await batch.close();
            }
          };
          await s.waitFor(Promise.all(batches.map(runBatch)));
          const state = memory.items.get('c') ?? { committedMinor: 0, reservedMinor: 0, asks: 0 };
          expect(state.committedMinor).toBe(keptMinor);
          expect(state.reservedMinor).toBe(keptMinor);
          expect(state.asks).toBe(keptAsks);
          expect(keptMinor).toBeLessThanOrEqual(budgetMinor);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('takes one reservation for the batch, and each ask reserves alone when the room for the batch is gone', async () => {
    // Prepare: a budget of 100 with 50 committed elsewhere; a batch of three asks of 20.
    const memory = new InMemoryBudget();
    await memory.reserve('c', 50, 100);
    let reserves = 0;
    const counting: BudgetStore = { state: (c) => memory.state(c), reserve: (c, a, b, n) => ((reserves += 1), memory.reserve(c, a, b, n)), unreserve: (c, a, o) => memory.unreserve(c, a, o) };

    // Act: the batch (60) does not fit whole; two of its asks fit alone.
    const batch = await BatchReservation.open(counting, 'c', 100, [20, 20, 20]);
    const got = [await batch.take(20), await batch.take(20), await batch.take(20)];
    await batch.close();

    // Assess
    expect(got).toEqual(['own', 'own', undefined]);
    expect(reserves).toBe(4);
    expect((await memory.state('c')).committedMinor).toBe(90);

    // And a batch that fits: one reservation, the unused part back at close.
    const fresh = new InMemoryBudget();
    reserves = 0;
    const store: BudgetStore = { state: (c) => fresh.state(c), reserve: (c, a, b, n) => ((reserves += 1), fresh.reserve(c, a, b, n)), unreserve: (c, a, o) => fresh.unreserve(c, a, o) };
    const whole = await BatchReservation.open(store, 'c', 100, [20, 30, 10]);
    expect(await whole.take(20)).toBe('pool');
    expect(await whole.take(30)).toBe('pool');
    await whole.close();
    expect(reserves).toBe(1);
    expect(await fresh.state('c')).toMatchObject({ committedMinor: 50, reservedMinor: 50, asks: 2 });
  });
});
