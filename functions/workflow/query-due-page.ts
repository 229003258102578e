// Lambda entry: QueryDuePage (fold the last round's results, plan the next batches). Pure: no AWS calls, and it
// imports only the planner so its bundle stays small.
import { RunState } from '../../core/schemas/workflow.js';
import { nextPage } from '../../core/workflow/plan.js';
import { unwrap } from './unwrap.js';

export const handler = async (event: unknown) => ({ Payload: nextPage(RunState.parse(unwrap(event))) });
