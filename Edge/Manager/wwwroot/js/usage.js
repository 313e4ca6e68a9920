// Usage and billing as charts (uPlot) from /billing/usage: requests by status class, bytes, requests per consumer
// and per service over a chosen time range; top consumers; AI tokens and cost per model; CSV and JSON-lines
// exports streamed from /billing/export. Each chart has a text summary and its numbers in a table as well.
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { h, page, notice, uid } from './dom.js';
import { get, download } from './api.js';

const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#64748b'];
const RANGES = [['1h', 'Last hour', 3600], ['24h', 'Last 24 hours', 86400], ['7d', 'Last 7 days', 7 * 86400], ['30d', 'Last 30 days', 30 * 86400], ['custom', 'Custom range', 0]];
// Status classes in the colours people read them in: success green, redirects blue, client errors amber, server errors red.
const STATUS_COLORS = { '1xx': '#64748b', '2xx': '#16a34a', '3xx': '#2563eb', '4xx': '#d97706', '5xx': '#dc2626' };
const STEP = { hour: 3600, day: 86400 };
const charts = new Set();
let observer = null;

const number = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const fmt = (n) => number.format(n ?? 0);
const bytes = (n) => (n >= 1e9 ? `${fmt(n / 1e9)} GB` : n >= 1e6 ? `${fmt(n / 1e6)} MB` : n >= 1e3 ? `${fmt(n / 1e3)} kB` : `${fmt(n)} B`);
const toLocalInput = (seconds) => new Date(seconds * 1000 - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);
const fromLocalInput = (text) => Math.floor(new Date(text).getTime() / 1000);

/** The range picker's values as the API's query: from, to (unix seconds) and a granularity fitting the span. */
function rangeOf(controls) {
  const now = Math.floor(Date.now() / 1000);
  let from;
  let to;
  const preset = RANGES.find(([key]) => key === controls.preset.value);
  if (preset[0] === 'custom') {
    from = fromLocalInput(controls.from.value);
    to = fromLocalInput(controls.to.value);
  } else {
    to = Math.ceil((now + 1) / 3600) * 3600;
    from = to - preset[2];
  }
  let granularity = controls.granularity.value;
  if (granularity === 'auto') granularity = to - from <= 3 * 86400 ? 'hour' : to - from <= 120 * 86400 ? 'day' : 'month';
  return { from, to, granularity };
}

function queryOf(range, controls, extra = {}) {
  const params = new URLSearchParams({ from: String(range.from), to: String(range.to), granularity: range.granularity, ...extra });
  if (controls.consumer.value.trim()) params.set('consumer', controls.consumer.value.trim());
  if (controls.service.value.trim()) params.set('service', controls.service.value.trim());
  return params.toString();
}

/** Period starts over the whole range (hours and days filled in, so quiet periods show as zero). */
function timeline(rows, range) {
  const seen = new Set(rows.map((r) => Date.parse(r.period_start) / 1000));
  const step = STEP[range.granularity];
  if (step) {
    for (let t = Math.floor(range.from / step) * step; t < range.to; t += step) seen.add(t);
  }
  return [...seen].sort((a, b) => a - b);
}

/** Sums `value(row)` per period per group key; returns the top `limit` groups by total (the rest as "other"). */
function series(rows, xs, group, value, limit = 5) {
  const index = new Map(xs.map((x, i) => [x, i]));
  const byGroup = new Map();
  for (const row of rows) {
    const key = group(row);
    if (!byGroup.has(key)) byGroup.set(key, { total: 0, values: new Array(xs.length).fill(0) });
    const entry = byGroup.get(key);
    const v = value(row);
    entry.total += v;
    entry.values[index.get(Date.parse(row.period_start) / 1000)] += v;
  }
  const ordered = [...byGroup.entries()].sort((a, b) => b[1].total - a[1].total);
  const top = ordered.slice(0, limit);
  const rest = ordered.slice(limit);
  if (rest.length) {
    const values = new Array(xs.length).fill(0);
    let total = 0;
    for (const [, e] of rest) { e.values.forEach((v, i) => { values[i] += v; }); total += e.total; }
    top.push([`other (${rest.length})`, { total, values }]);
  }
  return top;
}

/** A time-series chart in a figure, with a summary line and the numbers as a table. */
function chart(title, xs, named, summary, format = fmt, colors = PALETTE) {
  const figureId = uid('chart');
  const plotBox = h('div', { class: 'plot', role: 'img', 'aria-label': `${title}: ${summary}` });
  const table = h('table', { class: 'entities compact' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Period'), named.map(([name]) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, xs.map((x, i) => (named.some(([, e]) => e.values[i]) ? h('tr', {},
      h('th', { scope: 'row' }, new Date(x * 1000).toISOString().slice(0, 16).replace('T', ' ')),
      named.map(([, e]) => h('td', {}, format(e.values[i])))) : null))));
  const figure = h('figure', { class: 'chart', id: figureId, dataset: { title } },
    h('figcaption', {}, h('span', { class: 'chart-title' }, title), h('span', { class: 'chart-summary' }, summary)),
    plotBox,
    h('details', {}, h('summary', {}, `${title}: numbers`), h('div', { class: 'table-wrap' }, table)));
  const options = {
    width: 600,
    height: 220,
    scales: { x: { time: true } },
    legend: { live: false },
    axes: [{}, { values: (u, ticks) => ticks.map((t) => format(t)), size: 70 }],
    series: [{}, ...named.map(([name], i) => ({
      label: String(name), stroke: colors[i % colors.length], width: 2, fill: `${colors[i % colors.length]}1a`, points: { show: xs.length < 60 },
    }))],
  };
  queueMicrotask(() => {
    if (!plotBox.isConnected) return;
    options.width = Math.max(260, plotBox.clientWidth);
    const plot = new uPlot(options, [xs, ...named.map(([, e]) => e.values)], plotBox);
    plot.root.dataset.box = figureId;
    charts.add(plot);
    observer?.observe(plotBox);
  });
  return figure;
}

function emptyChart(title, message) {
  return h('figure', { class: 'chart', dataset: { title } }, h('figcaption', {}, h('span', { class: 'chart-title' }, title), h('span', { class: 'chart-summary' }, message)));
}

function totalsOf(entries) {
  return entries.map(([name, e]) => `${name}: ${fmt(e.total)}`).join(', ');
}

function render(target, usage, range) {
  const rows = usage?.data ?? [];
  const total = usage?.total ?? {};
  const xs = timeline(rows, range);
  const statuses = ['status_2xx', 'status_3xx', 'status_4xx', 'status_5xx', 'status_1xx']
    .map((name) => [name.replace('status_', ''), series(rows, xs, () => name, (r) => r[name] ?? 0)[0]?.[1] ?? { total: 0, values: new Array(xs.length).fill(0) }])
    .filter(([name, e]) => e.total > 0 || name === '2xx');
  const consumerOf = (r) => (r.consumer ? r.consumer.username ?? r.consumer.id : 'anonymous');
  const serviceOf = (r) => r.service?.name ?? r.service?.id ?? 'none';
  const byConsumer = series(rows, xs, consumerOf, (r) => r.requests);
  const byService = series(rows, xs, serviceOf, (r) => r.requests);
  const io = [['bytes in', series(rows, xs, () => 'in', (r) => r.bytes_in)[0]?.[1] ?? { total: 0, values: new Array(xs.length).fill(0) }],
    ['bytes out', series(rows, xs, () => 'out', (r) => r.bytes_out)[0]?.[1] ?? { total: 0, values: new Array(xs.length).fill(0) }]];

  // AI counters are named "ai_prompt_tokens:{provider}/{model}" and so on; cost in billionths of the currency.
  const models = new Map();
  for (const row of rows) {
    for (const [name, value] of Object.entries(row.counters ?? {})) {
      const match = /^ai_(prompt_tokens|completion_tokens|cached_tokens|cost_nanos):(.+)$/.exec(name);
      if (!match) continue;
      const model = models.get(match[2]) ?? { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, cost_nanos: 0 };
      model[match[1]] += value;
      models.set(match[2], model);
    }
  }
  const tokens = series(rows.flatMap((r) => Object.entries(r.counters ?? {})
    .filter(([n]) => /^ai_(prompt|completion)_tokens:/.test(n)).map(([n, v]) => ({ period_start: r.period_start, model: n.slice(n.indexOf(':') + 1), v }))), xs, (r) => r.model, (r) => r.v);

  const consumers = series(rows, xs, consumerOf, (r) => r.requests, 10);
  const top = consumers.filter(([name]) => !String(name).startsWith('other ('));
  const maxRequests = Math.max(1, ...top.map(([, e]) => e.total));
  const amountOf = new Map();
  for (const row of rows) {
    if (row.amount === null || row.amount === undefined) continue;
    const key = consumerOf(row);
    const entry = amountOf.get(key) ?? { amount: 0, currency: row.currency };
    entry.amount += row.amount;
    amountOf.set(key, entry);
  }

  target.replaceChildren(
    h('section', { class: 'cards', 'aria-label': 'Totals' },
      card('Requests', fmt(total.requests), 'total-requests'),
      card('Rejected', fmt(total.rejected)),
      card('Errors (5xx)', fmt(total.status_5xx)),
      card('Bytes in / out', `${bytes(total.bytes_in ?? 0)} / ${bytes(total.bytes_out ?? 0)}`)),
    h('div', { class: 'charts' },
      chart('Requests by status class', xs, statuses, `${fmt(total.requests)} requests: ${totalsOf(statuses)}`, fmt, statuses.map(([name]) => STATUS_COLORS[name])),
      chart('Requests per consumer', xs, byConsumer, byConsumer.length ? totalsOf(byConsumer) : 'no requests'),
      chart('Requests per service', xs, byService, byService.length ? totalsOf(byService) : 'no requests'),
      chart('Bytes in and out', xs, io, `${bytes(total.bytes_in ?? 0)} in, ${bytes(total.bytes_out ?? 0)} out`, bytes),
      tokens.length ? chart('AI tokens per model', xs, tokens, totalsOf(tokens)) : emptyChart('AI tokens per model', 'no AI traffic in this range')),
    h('h2', {}, 'Top consumers'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'entities', id: 'top-consumers' },
      h('thead', {}, h('tr', {}, ['Consumer', 'Requests', 'Share', 'Amount'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, top.length ? top.map(([name, e]) => h('tr', {},
        h('th', { scope: 'row' }, String(name)), h('td', {}, fmt(e.total)),
        h('td', {}, h('meter', { min: 0, max: maxRequests, value: e.total, 'aria-label': `${name}: ${fmt(e.total)} requests` })),
        h('td', {}, amountOf.has(name) ? `${fmt(amountOf.get(name).amount)} ${amountOf.get(name).currency ?? ''}` : '—')))
        : h('tr', {}, h('td', { colspan: 4 }, 'No requests in this range.'))))),
    h('h2', {}, 'AI tokens and cost per model'),
    models.size
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'entities', id: 'ai-models' },
        h('thead', {}, h('tr', {}, ['Model', 'Prompt tokens', 'Completion tokens', 'Cached tokens', 'Cost'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, [...models.entries()].sort().map(([model, m]) => h('tr', {},
          h('th', { scope: 'row' }, model), h('td', {}, fmt(m.prompt_tokens)), h('td', {}, fmt(m.completion_tokens)),
          h('td', {}, fmt(m.cached_tokens)), h('td', {}, (m.cost_nanos / 1e9).toFixed(6)))))))
      : h('p', {}, 'No AI traffic in this range.'));
}

function card(title, value, id) {
  return h('div', { class: 'card' }, h('p', { class: 'card-title' }, title), h('p', { class: 'card-value', id }, value));
}

export async function usagePage(view) {
  for (const plot of charts) plot.destroy();
  charts.clear();
  observer?.disconnect();
  observer = new ResizeObserver(() => {
    for (const plot of charts) {
      const box = plot.root.parentElement;
      if (!box?.isConnected) { plot.destroy(); charts.delete(plot); continue; }
      if (Math.abs(box.clientWidth - plot.width) > 4) plot.setSize({ width: Math.max(260, box.clientWidth), height: 220 });
    }
  });
  const ids = Object.fromEntries(['preset', 'from', 'to', 'granularity', 'consumer', 'service'].map((k) => [k, uid(k)]));
  const now = Math.floor(Date.now() / 1000);
  const controls = {
    preset: h('select', { id: ids.preset }, RANGES.map(([key, label]) => h('option', { value: key, selected: key === '24h' }, label))),
    from: h('input', { type: 'datetime-local', id: ids.from, value: toLocalInput(now - 86400), disabled: true }),
    to: h('input', { type: 'datetime-local', id: ids.to, value: toLocalInput(now + 60), disabled: true }),
    granularity: h('select', { id: ids.granularity }, ['auto', 'hour', 'day', 'month'].map((g) => h('option', { value: g }, g))),
    consumer: h('input', { type: 'text', id: ids.consumer, autocomplete: 'off', placeholder: 'username or id' }),
    service: h('input', { type: 'text', id: ids.service, autocomplete: 'off', placeholder: 'name or id' }),
  };
  const field = (key, label) => h('div', { class: 'field' }, h('label', { for: ids[key] }, label), controls[key]);
  const status = h('div', { class: 'status-line', 'aria-live': 'polite' });
  const results = h('div', { class: 'usage-results' });
  const exportAs = async (format) => {
    try {
      const range = rangeOf(controls);
      await download(`/billing/export?${queryOf(range, controls, { format })}`, `usage-${range.from}-${range.to}.${format}`);
    } catch (error) {
      status.replaceChildren(notice(error.message));
    }
  };
  const load = async () => {
    status.replaceChildren(notice('Loading…', 'info'));
    try {
      const range = rangeOf(controls);
      const usage = await get(`/billing/usage?${queryOf(range, controls)}`);
      for (const plot of charts) plot.destroy();
      charts.clear();
      render(results, usage, range);
      status.replaceChildren(notice(`${new Date(range.from * 1000).toISOString().slice(0, 16)} to ${new Date(range.to * 1000).toISOString().slice(0, 16)} UTC, by ${range.granularity}`, 'info'));
    } catch (error) {
      results.replaceChildren();
      status.replaceChildren(notice(error.message));
    }
  };
  controls.preset.addEventListener('change', () => {
    const custom = controls.preset.value === 'custom';
    controls.from.disabled = !custom;
    controls.to.disabled = !custom;
    if (!custom) load();
  });
  page(view, 'Usage',
    h('form', { class: 'toolbar', 'aria-label': 'Time range and filters', onsubmit: (e) => { e.preventDefault(); load(); } },
      field('preset', 'Time range'), field('from', 'From'), field('to', 'To'), field('granularity', 'Granularity'),
      field('consumer', 'Consumer'), field('service', 'Service'),
      h('button', { type: 'submit', class: 'primary' }, 'Show'),
      h('button', { type: 'button', onclick: () => exportAs('csv') }, 'Export CSV'),
      h('button', { type: 'button', onclick: () => exportAs('jsonl') }, 'Export JSON lines')),
    status,
    results);
  await load();
}

