// Reading a daemon's /metrics and a dashboard's PromQL with real parsers: the Prometheus text
// exposition with parse-prometheus-text-format, PromQL with the Prometheus project's own lezer
// grammar (@prometheus-io/lezer-promql), so a test checks what Prometheus and Grafana would see.
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';

export type { PrometheusFamily };

export class Exposition {
  readonly families: ReadonlyMap<string, PrometheusFamily>;

  constructor(text: string) {
    this.families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  }

  family(name: string): PrometheusFamily {
    const f = this.families.get(name);
    if (!f) throw new Error(`/metrics has no ${name}`);
    return f;
  }

  /** The value of the one sample of `name` whose labels include `labels`. */
  value(name: string, labels: Record<string, string> = {}): number {
    const matching = this.family(name).metrics.filter((m) =>
      Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
    );
    if (matching.length !== 1) {
      throw new Error(`${name}${JSON.stringify(labels)} matches ${matching.length} samples, not 1`);
    }
    const m = matching[0]!;
    return Number(m.value ?? m.count);
  }

  /** Sum over every sample of `name` (a histogram's counts). */
  total(name: string): number {
    return this.family(name).metrics.reduce((sum, m) => sum + Number(m.value ?? m.count ?? 0), 0);
  }

  /**
   * Observations in a histogram that has labels besides `le`. parse-prometheus-text-format folds
   * such a histogram's series into one sample without labels, count or sum, whose buckets are those
   * of the last label set; so this is exact when only one label set was observed.
   */
  observedInLabelledHistogram(name: string): number {
    const samples = this.family(name).metrics;
    return Number(samples[samples.length - 1]?.buckets?.['+Inf'] ?? 0);
  }

  /** Every series name a PromQL query can select: histograms add _bucket, _sum and _count. */
  seriesNames(): Set<string> {
    const names = new Set<string>();
    for (const f of this.families.values()) {
      names.add(f.name);
      if (f.type === 'HISTOGRAM') for (const s of ['_bucket', '_sum', '_count']) names.add(f.name + s);
      if (f.type === 'SUMMARY') for (const s of ['_sum', '_count']) names.add(f.name + s);
    }
    return names;
  }
}

export async function scrape(baseUrl: string): Promise<Exposition> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`GET ${baseUrl}/metrics: HTTP ${res.status}`);
  return new Exposition(await res.text());
}

/**
 * The metric names a PromQL expression selects. Throws naming the expression when it does not
 * parse. Grafana's interval variables are replaced by a duration first, as Grafana does.
 */
export function promqlMetricNames(expr: string): string[] {
  const text = expr.replace(/\$__(rate_)?interval|\$__range/g, '5m');
  const tree = promqlParser.parse(text);
  const names: string[] = [];
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError) error ??= node.from;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        names.push(text.slice(node.from, node.to));
      }
    },
  });
  if (error !== undefined) throw new Error(`PromQL does not parse at ${error}: ${expr}`);
  return names;
}
