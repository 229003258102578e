// What `npm start` prints to look at: URLs only while it serves; with --no-serve the files and where the URLs come from.
import { describe, expect, it } from 'vitest';
import { whereLines } from '../../../local/start.js';

const where = { stateDir: '/tmp/st', emlFiles: 3, reportFile: '/tmp/st/report.html', sesUrl: 'http://127.0.0.1:5702', httpUrl: 'http://127.0.0.1:5700', share: 'http://127.0.0.1:5700/s/tok', status: 'http://127.0.0.1:5700/me/tok' };

describe('whereLines', () => {
  it('with --no-serve prints the report, mailbox folder and events files and no URL', () => {
    const lines = whereLines({ ...where, serve: false });
    const text = lines.join('\n');
    expect(text).not.toMatch(/https?:\/\//);
    expect(text).not.toMatch(/^Open:/m);
    expect(text).toContain('/tmp/st/report.html');
    expect(text).toContain('/tmp/st/mailbox (3 .eml files)');
    expect(text).toContain('/tmp/st/events.jsonl');
    expect(text).toMatch(/`npm start` runs without --no-serve/);
  });

  it('while serving prints the URLs to open and the files', () => {
    const text = whereLines({ ...where, serve: true }).join('\n');
    expect(text).toMatch(/^Open:/);
    for (const url of ['http://127.0.0.1:5700/s/tok', 'http://127.0.0.1:5700/me/tok', 'http://127.0.0.1:5702', 'http://127.0.0.1:5700/report']) expect(text).toContain(url);
    expect(text).toContain('/tmp/st/events.jsonl');
  });
});
