// Lambda entry: QueryDuePage (fold the last round's results, plan the next batches). Pure: no AWS calls.
import { makeHandlers } from './handlers.js';

const handlers = makeHandlers({});

export const handler = async (event: unknown) => handlers.queryDuePage(event);
