// ops/grafana-dashboard.json: every PromQL expression in it parses (Prometheus's own PromQL
// grammar) and every metric it selects is in a live /metrics answer, with the histogram suffixes
// only where the family is a histogram. A renamed metric breaks this test, not the dashboard.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_METRICS } from '../support/contract.js';
import { startApi, type TestApi } from '../api/helpers.js';
import { Scrape } from '../support/prometheus.js';

const DASHBOARD = resolve(import.meta.dirname, '../../ops/grafana-dashboard.json');

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; definition?: string }> };
};

function exprs(): Array<{ panel: string; expr: string }> {
  const out: Array<{ panel: string; expr: string }> = [];
  const walk = (ps: Panel[]) => {
    for (const p of ps) {
      for (const t of p.targets ?? []) out.push({ panel: p.title, expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** Metric names a PromQL expression selects, or the parse errors in it. */
function selected(expr: string): { names: string[]; errors: string[] } {
  const names: string[] = [];
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter(n) {
      if (n.type.isError) errors.push(`parse error at ${n.from}: …${expr.slice(Math.max(0, n.from - 10), n.to + 10)}…`);
      if (n.name === 'VectorSelector') {
        const id = n.node.getChild('Identifier');
        if (id) names.push(expr.slice(id.from, id.to));
        // {__name__="x"} selectors are not used: the test could not see them.
        if (/__name__/.test(expr.slice(n.from, n.to))) errors.push('selects by __name__');
      }
    },
  });
  return { names, errors };
}

describe('ops/grafana-dashboard.json', () => {
  let api: TestApi;
  let live: Scrape;
  beforeAll(async () => {
    api = await startApi();
    await api.call('GET', '/api/clinics'); // one HTTP sample, so the histogram has series
    live = await Scrape.of(`${api.base}/metrics`);
  });
  afterAll(async () => api?.close());

  it('is an importable dashboard with a Prometheus datasource input and the panels operations need', () => {
    const d = dashboard as unknown as Record<string, unknown>;
    expect(d['title']).toBe('MedQ');
    expect(d['uid']).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(d['__inputs']).toEqual([expect.objectContaining({ type: 'datasource', pluginId: 'prometheus' })]);
    const titles = dashboard.panels.map((p) => p.title);
    for (const want of [/ARI up/, /SMPP up/, /Reconnects/, /OTP/, /Calls active/, /Call outcomes/, /Key press to next prompt/, /Bookings by channel/, /Cancellations by channel/, /SMS by kind and state/, /SMPP submit latency/, /Outbox depth/, /Oldest SMS/, /HTTP p99/]) {
      expect(titles.some((t) => want.test(t)), String(want)).toBe(true);
    }
    // Panels on a 24-column grid, ids unique.
    const ids = dashboard.panels.map((p) => (p as unknown as { id: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every expression parses as PromQL and every metric it selects is served by /metrics', () => {
    const all = exprs();
    expect(all.length).toBeGreaterThan(15);
    const selectable = live.selectableNames();
    const problems: string[] = [];
    const used = new Set<string>();
    for (const { panel, expr } of all) {
      const { names, errors } = selected(expr);
      for (const e of errors) problems.push(`${panel}: ${e} in ${expr}`);
      if (names.length === 0) problems.push(`${panel}: selects no metric: ${expr}`);
      for (const n of names) {
        used.add(n);
        if (!selectable.has(n)) problems.push(`${panel}: ${n} is not in /metrics`);
      }
      // A quantile is taken over a histogram's buckets, by le.
      if (/histogram_quantile/.test(expr)) {
        if (!names.every((n) => n.endsWith('_bucket'))) problems.push(`${panel}: histogram_quantile over ${names.join(',')}`);
        if (!/by \((le|le, [a-z_, ]+)\)/.test(expr)) problems.push(`${panel}: histogram_quantile without "by (le…)"`);
      }
    }
    // The template variable's query names a metric too.
    for (const v of dashboard.templating.list) {
      const m = /label_values\((\w+),/.exec(v.definition ?? '');
      if (m && !selectable.has(m[1]!)) problems.push(`variable ${v.name}: ${m[1]} is not in /metrics`);
    }
    expect(problems).toEqual([]);
    // Every contract metric is on the dashboard.
    const families = new Set([...used].map((n) => n.replace(/_(bucket|sum|count)$/, (s) => (live.families.get(n.slice(0, -s.length))?.type === 'HISTOGRAM' ? '' : s))));
    for (const f of CONTRACT_METRICS) {
      expect(families, f).toContain(f);
    }
  });

  it('the check catches a wrong name: a counter with a histogram suffix, and a misspelt metric', () => {
    const selectable = live.selectableNames();
    expect(selected('rate(medq_bookings_total_count[5m])').names.every((n) => selectable.has(n))).toBe(false);
    expect(selected('histogram_quantile(0.5, sum by (le) (rate(medq_key_to_prompt_second_bucket[5m])))').names.every((n) => selectable.has(n))).toBe(false);
    expect(selected('medq_key_to_prompt_seconds').names.every((n) => selectable.has(n))).toBe(false);
    expect(selected('sum by (le (rate(x[5m]))').errors.length).toBeGreaterThan(0);
  });
});
