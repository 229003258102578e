// The report as one self-contained HTML file: inline CSS, charts rendered on the server to SVG with Apache ECharts
// (no script, no network), each chart with a text alternative and the table of its numbers, readable in print.
import * as echarts from 'echarts';
import { notSent, type FunnelCounts, type Rate, type Report } from '../../core/analytics/report.js';
import { formatMoney, toMajor } from '../../core/money.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pct = (v: number | null, digits = 1): string => (v === null ? '—' : `${(v * 100).toFixed(digits)}%`);
const money = (minor: number, currency: string): string => formatMoney({ amountMinor: minor, currency }, 'en', { fraction: 'always' });
// Okabe-Ito: distinguishable with colour-vision deficiencies, dark enough on white.
const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#56B4E9', '#E69F00'];

/** One chart as an SVG string (server-side rendering; disposed so no timer keeps the process alive). */
function svg(option: echarts.EChartsOption, label: string, width = 720, height = 320): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, color: COLORS, aria: { enabled: true, label: { description: label } }, textStyle: { fontFamily: 'system-ui, sans-serif', color: '#1a1a1a' }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function figure(title: string, description: string, chart: string, table: string): string {
  return `<figure><figcaption><h3>${esc(title)}</h3><p>${esc(description)}</p></figcaption><div class="chart" role="img" aria-label="${esc(description)}">${chart}</div>${table}</figure>`;
}

function table(caption: string, head: string[], rows: string[][]): string {
  return `<div class="table-wrap" role="region" aria-label="${esc(caption)}" tabindex="0"><table><caption>${esc(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

/** "2 (deferred 1, failed 1)", or "0": a group's asks not sent and what they are (core/analytics/report.ts notSent). */
const notSentText = (c: FunnelCounts): string => {
  const n = notSent(c);
  return n.total === 0 ? '0' : `${n.total} (${n.parts.map(([k, v]) => `${k} ${v}`).join(', ')})`;
};

const rateText = (r: Rate | undefined): string => (r ? `${pct(r.value)} (${r.numerator} / ${r.denominator}: ${r.of})` : '—');

function funnelSection(r: Report): string {
  const c = r.funnel.total.counts;
  const steps: Array<[string, number]> = [
    ['Asked', c.asked],
    ['Delivered (email)', c.delivered],
    ['Visited share page', c.share_visitors],
    ['Shared', c.sharers],
    ['Clicks', c.clicks],
    ['Signups', c.signups],
    ['First purchases', c.first_purchases],
  ];
  const chart = svg(
    {
      grid: { left: 150, right: 60, top: 20, bottom: 30 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: steps.map((s) => s[0]) },
      series: [{ type: 'bar', data: steps.map((s) => s[1]), label: { show: true, position: 'right' } }],
    },
    `Funnel: ${steps.map(([k, v]) => `${k} ${v}`).join(', ')}`,
  );
  const rt = r.funnel.total.rates;
  const rows: string[][] = [
    ['Asked', String(c.asked), `held out ${c.held_out}, skipped ${c.skipped}, deferred ${c.deferred}, failed ${c.failed}`],
    ['Delivered', String(c.delivered), rateText(rt.delivered)],
    ['Share-page visits', String(c.share_visitors), rateText(rt.visited)],
    ['Shared', String(c.sharers), `${rateText(rt.shared)}; ${c.shares} shares`],
    ['Clicks', String(c.clicks), rateText(rt.clicked)],
    ['Signups', String(c.signups), rateText(rt.signupsPerClick)],
    ['First purchases', String(c.first_purchases), rateText(rt.firstPurchasesPerSignup)],
    ...r.funnel.total.rewards.map((w) => [`Rewards (${w.currency})`, String(w.earned), `${w.held} held, ${w.approved} approved, ${w.issued} issued (${money(w.issuedMinor, w.currency)}), ${w.voided} voided (clawbacks ${money(w.clawbackMinor, w.currency)}), ${w.overrun} over budget`]),
  ];
  const groups = r.funnel.groups.length
    ? table(
        `Funnel by ${r.scope.by}`,
        ['Group', 'Asked', 'Not sent', 'Shared', 'Clicks', 'Signups', 'First purchases'],
        r.funnel.groups.map((g) => [g.group, String(g.counts.asked), notSentText(g.counts), String(g.counts.sharers), String(g.counts.clicks), String(g.counts.signups), String(g.counts.first_purchases)]),
      )
    : '';
  return `<section aria-labelledby="funnel"><h2 id="funnel">Funnel</h2>${figure('From ask to first purchase', 'Counts at each step of the funnel, all campaigns in scope', chart, table('Funnel counts and rates', ['Step', 'Count', 'Rate (numerator / denominator)'], rows))}${groups}</section>`;
}

/** A horizontal interval chart: point estimates with 95% whiskers (boxplot collapsed onto the estimate). */
function intervalChart(labels: string[], points: Array<{ value: number; low: number; high: number }>, description: string, unit: (n: number) => string): string {
  return svg(
    {
      grid: { left: 220, right: 40, top: 20, bottom: 40 },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => unit(v) } },
      yAxis: { type: 'category', inverse: true, data: labels },
      series: [
        { type: 'boxplot', data: points.map((p) => [p.low, p.value, p.value, p.value, p.high]), itemStyle: { color: '#ffffff', borderColor: '#0072B2', borderWidth: 2 } },
        { type: 'scatter', data: points.map((p, i) => [p.value, i]), symbolSize: 10, itemStyle: { color: '#D55E00' } },
      ],
    },
    description,
    720,
    Math.max(160, 60 + labels.length * 40),
  );
}

function variantsSection(r: Report): string {
  const rows = r.variants.comparisons.filter((v) => v.metrics.converted?.interval);
  const chart = rows.length
    ? intervalChart(
        rows.map((v) => v.group),
        rows.map((v) => ({ value: v.metrics.converted!.rate ?? 0, low: v.metrics.converted!.interval!.low, high: v.metrics.converted!.interval!.high })),
        `Share of asks converted per variant with 95% Wilson intervals: ${rows.map((v) => `${v.group} ${pct(v.metrics.converted!.rate)}`).join(', ')}`,
        (n) => pct(n, 0),
      )
    : '<p>No variant has asks yet.</p>';
  const t = table(
    'Variants against their reference',
    ['Variant', 'Asked', 'Shared', 'Clicked', 'Converted', 'Difference vs reference (95%)', 'Verdict'],
    r.variants.comparisons.map((v) => {
      const m = v.metrics.converted!;
      return [v.group, String(v.asked), pct(v.metrics.shared!.rate), pct(v.metrics.clicked!.rate), pct(m.rate), m.diffInterval ? `${pct(m.diff)} [${pct(m.diffInterval.low)}, ${pct(m.diffInterval.high)}]` : '—', m.verdict];
    }),
  );
  return `<section aria-labelledby="variants"><h2 id="variants">Variants</h2><p>Method: ${esc(r.variants.method)}. Reference: ${esc(r.variants.reference)}. Rule: ${esc(r.variants.minimumSample)}.</p>${figure('Converted asks per variant', 'Point estimates with 95% intervals', chart, t)}</section>`;
}

function liftSection(r: Report): string {
  const h = r.holdout;
  const items: Array<{ label: string; l: typeof h.purchasesPerCustomer; f: (n: number) => string }> = [
    { label: 'Referred signups per 1,000', l: h.referredSignupsPer1000, f: (n) => n.toFixed(1) },
    { label: 'Purchases per customer', l: h.purchasesPerCustomer, f: (n) => n.toFixed(3) },
    ...h.revenuePerCustomer.map((x) => ({ label: `Revenue per customer (${x.currency})`, l: x, f: (n: number) => money(n, x.currency) })),
  ];
  const relative = items.filter((i) => i.l.relativeInterval && i.l.relative !== null);
  // Without a relative lift (the held-out mean is 0, as before any held-out referral) the chart shows the absolute lift
  // of referred signups per 1,000 alone: the metrics are in different units (counts, purchases, money per currency)
  // and cannot share an axis. Every metric is in the table.
  const signups = items[0]!;
  const chart = relative.length
    ? intervalChart(
        relative.map((i) => i.label),
        relative.map((i) => ({ value: i.l.relative!, low: i.l.relativeInterval!.low, high: i.l.relativeInterval!.high })),
        `Relative lift of asked over held-out customers with 95% intervals: ${relative.map((i) => `${i.label} ${pct(i.l.relative)}`).join(', ')}`,
        (n) => pct(n, 0),
      )
    : signups.l.absoluteInterval
      ? intervalChart(
          [signups.label],
          [{ value: signups.l.absolute, low: signups.l.absoluteInterval.low, high: signups.l.absoluteInterval.high }],
          `Absolute lift in ${signups.label.toLowerCase()}: ${signups.f(signups.l.absolute)} [${signups.f(signups.l.absoluteInterval.low)}, ${signups.f(signups.l.absoluteInterval.high)}]`,
          (n) => n.toFixed(0),
        )
      : svg(
          { grid: { left: 220, right: 40, top: 20, bottom: 40 }, legend: { data: ['Asked', 'Held out'], bottom: 0 }, xAxis: { type: 'value' }, yAxis: { type: 'category', inverse: true, data: [signups.label] }, series: [{ name: 'Asked', type: 'bar', data: [signups.l.treated] }, { name: 'Held out', type: 'bar', data: [signups.l.control] }] },
          `Asked versus held out: ${signups.label} ${signups.f(signups.l.treated)} vs ${signups.f(signups.l.control)}`,
        );
  const subtitle = relative.length
    ? 'Relative lift with 95% intervals where both arms have data'
    : signups.l.absoluteInterval
      ? `No relative lift yet (the held-out mean is 0): the absolute lift in ${signups.label.toLowerCase()} with its 95% interval; every metric in the table`
      : `No lift interval yet: ${signups.label.toLowerCase()}, asked versus held out; every metric in the table`;
  const t = table(
    'Holdout lift',
    ['Metric', 'Asked', 'Held out', 'Absolute lift (95%)', 'Relative lift (95%)'],
    items.map((i) => [
      i.label,
      i.f(i.l.treated),
      i.f(i.l.control),
      `${i.f(i.l.absolute)}${i.l.absoluteInterval ? ` [${i.f(i.l.absoluteInterval.low)}, ${i.f(i.l.absoluteInterval.high)}]` : ''}`,
      i.l.relative === null ? '— (held-out mean is 0)' : `${pct(i.l.relative)}${i.l.relativeInterval ? ` [${pct(i.l.relativeInterval.low)}, ${pct(i.l.relativeInterval.high)}]` : ''}`,
    ]),
  );
  const srm = table(
    'Sample ratio check (is the holdout split healthy?)',
    ['Campaign', 'Held out', 'Treated', 'Observed share', 'Expected share', 'p-value', 'Result'],
    h.sampleRatio.map((s) => [s.campaign, String(s.heldOut), String(s.treated), pct(s.observedHeldOutShare), pct(s.expectedHeldOutShare), s.pValue === null ? '—' : s.pValue.toPrecision(2), s.mismatch ? 'mismatch: do not trust the lift' : 'ok']),
  );
  return `<section aria-labelledby="lift"><h2 id="lift">Holdout lift</h2><p>${esc(h.method)}. ${h.asked} asked, ${h.heldOut} held out.</p>${figure('Lift of asking over the holdout', subtitle, chart, t)}${srm}</section>`;
}

function cohortSection(r: Report): string {
  const horizons = [30, 90, 180, 365];
  // One chart per currency with revenue (money is never summed across currencies); customers without revenue in a
  // currency count as 0 in its average.
  const currencies = [...new Set(r.cohorts.flatMap((c) => c.revenuePerCustomer.map((m) => m.currency)))].sort();
  const chartIn = (currency: string): string => {
    const series = (['referred', 'organic'] as const).map((kind) => ({
      name: kind === 'referred' ? 'Referred' : 'Organic',
      type: 'line' as const,
      data: horizons.map((h) => {
        const rows = r.cohorts.filter((c) => c.kind === kind && c.horizonDays === h && c.observable > 0);
        const observable = rows.reduce((s, c) => s + c.observable, 0);
        const revenue = rows.reduce((s, c) => s + (c.revenuePerCustomer.find((m) => m.currency === currency)?.amountMinor ?? 0) * c.observable, 0);
        return observable > 0 ? toMajor({ amountMinor: Math.round(revenue / observable), currency }) : null;
      }),
    }));
    const description = `All signup months together, ${currency}`;
    const chart = svg(
      { grid: { left: 70, right: 30, top: 30, bottom: 60 }, legend: { bottom: 0 }, xAxis: { type: 'category', name: 'days after signup', nameLocation: 'middle', nameGap: 28, data: horizons.map(String) }, yAxis: { type: 'value', name: currency }, series },
      `Cumulative revenue per customer in ${currency} at 30, 90, 180 and 365 days: ${series.map((s) => `${s.name} ${s.data.map((d) => (d === null ? 'n/a' : d.toFixed(2))).join(', ')}`).join('; ')}`,
    );
    return `<figure><figcaption><h3>${esc(`Cumulative revenue per customer (${currency})`)}</h3><p>${esc(description)}</p></figcaption><div class="chart" role="img" aria-label="${esc(description)}">${chart}</div></figure>`;
  };
  const t = table(
    'Referred versus organic customers by signup month',
    ['Signup month / kind / day', 'Customers', 'Observable', 'Still purchasing', 'Revenue per customer'],
    r.cohorts.map((c) => [`${c.cohortMonth} ${c.kind} day ${c.horizonDays}`, String(c.customers), String(c.observable), rateText(c.sharePurchasing), c.revenuePerCustomer.map((m) => money(m.amountMinor, m.currency)).join(', ') || '—']),
  );
  const charts = currencies.length ? currencies.map(chartIn).join('') : `<p>${esc('All signup months together: no revenue yet')}</p>`;
  return `<section aria-labelledby="cohorts"><h2 id="cohorts">Referred versus organic</h2>${charts}${t}</section>`;
}

function roiSection(r: Report): string {
  const currencies = [...new Set(r.roi.weekly.map((w) => w.currency))].sort();
  const weeks = [...new Set(r.roi.weekly.map((w) => w.week))].sort();
  const series = currencies.flatMap((cur) => [
    { name: `Cost ${cur}`, type: 'line' as const, data: weeks.map((wk) => toMajor({ amountMinor: r.roi.weekly.find((w) => w.week === wk && w.currency === cur)?.costMinor ?? 0, currency: cur })) },
    { name: `Return ${cur}`, type: 'line' as const, data: weeks.map((wk) => toMajor({ amountMinor: r.roi.weekly.find((w) => w.week === wk && w.currency === cur)?.returnMinor ?? 0, currency: cur })) },
  ]);
  const chart = svg(
    { grid: { left: 70, right: 30, top: 30, bottom: 60 }, legend: { bottom: 0 }, xAxis: { type: 'category', data: weeks }, yAxis: { type: 'value' }, series },
    `Reward cost and referred revenue per week: ${series.map((s) => `${s.name} ${s.data.join(', ')}`).join('; ') || 'no data yet'}`,
  );
  const rows = [
    ...r.roi.costs.flatMap((c) => [
      [`Cost (${c.currency})`, `rewards ${money(c.rewardsIssuedMinor, c.currency)} − clawbacks ${money(c.clawbacksMinor, c.currency)} + messages ${money(c.messagesMinor, c.currency)} = ${money(c.totalMinor, c.currency)}${c.unpricedChannels.length ? ` (no ${c.currency} price for ${c.unpricedChannels.join(', ')} messages: not included)` : ''}`],
      [`Outstanding rewards (${c.currency})`, `${money(c.outstandingRewardsMinor, c.currency)}: ${c.outstandingRewards} earned, held or approved, not yet issued (owed, not in the cost yet)`],
    ]),
    ...r.roi.returns.map((x) => [`Return (${x.currency})`, `${money(x.amountMinor, x.currency)} from referred customers`]),
    ...r.roi.roi.map((x) => [`ROI (${x.currency})`, `${pct(x.value)}${x.excludesCostsIn.length ? ` (costs in ${x.excludesCostsIn.join(', ')} not included: never converted)` : ''}`]),
    ...r.roi.costPerAcquiredCustomer.map((x) => [`Cost per acquired customer (${x.currency})`, x.amountMinor === null ? '—' : money(x.amountMinor, x.currency)]),
    ['Messages', Object.entries(r.roi.messages).map(([k, v]) => `${k} ${v}`).join(', ') || '—'],
  ];
  return `<section aria-labelledby="roi"><h2 id="roi">ROI</h2>${figure('ROI over time', 'Weekly reward cost net of clawbacks and referred revenue, per currency', chart, table('Cost and return', ['Item', 'Amount'], rows))}</section>`;
}

function benchmarkSection(r: Report): string {
  const rows = r.benchmarks.map((b) => [b.label, rateText(b.ours), `${pct(b.range.low)} – ${pct(b.range.high)}`, b.within === null ? '—' : b.within ? 'within' : 'outside', b.denominator]);
  const sources = [...new Map(r.benchmarks.map((b) => [b.source.url, b.source])).values()];
  return `<section aria-labelledby="benchmarks"><h2 id="benchmarks">Benchmarks</h2>${table('Our rates beside published ranges', ['Metric', 'Ours', 'Published range', 'Position', 'Denominator'], rows)}<p>Sources: ${sources.map((s) => `${esc(s.name)} (${esc(s.url)})`).join('; ')}. ${r.benchmarks.map((b) => (b.note ? esc(`${b.label}: ${b.note}`) : '')).filter(Boolean).join(' ')}</p></section>`;
}

const CSS = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff;margin:0 auto;max-width:960px;padding:1rem}
h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:2px solid #0072B2;padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem;margin:.2rem 0}
figure{margin:1rem 0}figcaption p{margin:.2rem 0;color:#333}
.chart svg{width:100%;height:auto;max-width:100%}
table{border-collapse:collapse;width:100%;margin:.8rem 0;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #767676;padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:#e8f1f8}
.scope{color:#333}
.table-wrap{overflow-x:auto}
@media (max-width:600px){body{font-size:15px;padding:.5rem}table{font-size:.8rem}th,td{padding:.2rem .3rem}}
@media print{body{max-width:none;padding:0}section{break-inside:avoid-page}figure{break-inside:avoid}h2{break-after:avoid}a{color:inherit}}
`;

/** The whole report as one HTML document (no script, no external resource). */
export function renderReportHtml(r: Report, options: { title?: string; note?: string } = {}): string {
  const title = options.title ?? `Referral asks report${r.scope.campaign ? `: ${r.scope.campaign}` : ''}`;
  const scope = `Campaign ${r.scope.campaign ?? 'all'}; run dates ${r.scope.from ?? 'from the start'} to ${r.scope.to ?? 'today'}; data up to ${r.scope.asOf}; days in each campaign's timezone; money per currency, never summed across currencies.`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><p class="scope">${esc(scope)}</p>${options.note ? `<p><strong>${esc(options.note)}</strong></p>` : ''}</header>
<main>
${funnelSection(r)}
${variantsSection(r)}
${liftSection(r)}
${cohortSection(r)}
${roiSection(r)}
${benchmarkSection(r)}
</main>
</body>
</html>
`;
}
