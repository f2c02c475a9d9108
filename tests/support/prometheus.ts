// Reading a /metrics answer the way Prometheus would: parsed by a Prometheus text-format parser
// (parse-prometheus-text-format, which throws on a malformed line), then looked up by family.
// That parser folds the samples of a labelled histogram into one; only the counts of unlabelled
// histograms are read through it here.
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';

export type { PromFamily };

export class Scrape {
  readonly families: Map<string, PromFamily>;

  constructor(readonly text: string) {
    this.families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  }

  static async of(url: string): Promise<Scrape> {
    const res = await fetch(url);
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    const type = res.headers.get('content-type') ?? '';
    if (!/^text\/plain; version=0\.0\.4/.test(type)) throw new Error(`${url}: content-type ${type}`);
    return new Scrape(await res.text());
  }

  family(name: string): PromFamily {
    const f = this.families.get(name);
    if (!f) throw new Error(`no metric family ${name} in the scrape`);
    return f;
  }

  /** A counter's or gauge's value for exactly these labels (0 when the series does not exist yet). */
  value(name: string, labels: Record<string, string> = {}): number {
    const f = this.family(name);
    const want = JSON.stringify(Object.entries(labels).sort());
    const s = f.metrics.find((m) => JSON.stringify(Object.entries(m.labels ?? {}).sort()) === want);
    return s?.value === undefined ? 0 : Number(s.value);
  }

  /** Every series of a family with its labels and value (counters and gauges). */
  series(name: string): Array<{ labels: Record<string, string>; value: number }> {
    return this.family(name).metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }));
  }

  /** Observation count of an unlabelled histogram (0 before the first). */
  histogramCount(name: string): number {
    const f = this.family(name);
    if (f.type !== 'HISTOGRAM') throw new Error(`${name} is a ${f.type}, not a histogram`);
    return Number(f.metrics[0]?.count ?? 0);
  }

  /**
   * Every series name a PromQL query may select: a family's own name, plus _bucket/_sum/_count
   * for a histogram and _sum/_count for a summary (and never those suffixes for anything else).
   */
  selectableNames(): Set<string> {
    const out = new Set<string>();
    for (const f of this.families.values()) {
      out.add(f.type === 'HISTOGRAM' ? `${f.name}_bucket` : f.name);
      if (f.type === 'HISTOGRAM' || f.type === 'SUMMARY') {
        out.add(`${f.name}_sum`);
        out.add(`${f.name}_count`);
      }
    }
    return out;
  }
}

/** The difference of every counter series between two scrapes, keyed `name{labels}`; zeros left out. */
export function counterDeltas(before: Scrape, after: Scrape, names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) {
    for (const s of after.series(name)) {
      const d = s.value - before.value(name, s.labels);
      if (d !== 0) out[`${name}${JSON.stringify(s.labels)}`] = d;
    }
  }
  return out;
}
