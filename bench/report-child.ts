// The measured side of the report benchmark: one `asks report` over the log (the same code as the command), timed
// inside this process; prints {"seconds", "asked"} as its last line. Its peak RSS is read by the parent.
// Arguments: the log, then `cache` (through the log's report cache) or `no-cache` (parse the whole log).
import { FileCampaignRepository } from '../adapters/campaign-files.js';
import { localReport } from '../adapters/analytics/local-report.js';

const file = process.argv[2]!;
const t0 = performance.now();
const report = await localReport({ eventsFile: file, campaigns: new FileCampaignRepository({ checkTemplates: false }), cache: process.argv[3] === 'cache' });
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(`${JSON.stringify({ seconds, asked: report.funnel.total.counts.asked })}\n`);
