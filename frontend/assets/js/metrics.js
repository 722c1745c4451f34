// Request rate, error rate and p95 per variant over the last minutes, from the gateway's
// /metrics (Prometheus text) sampled by the page: the difference of two samples of the
// counters and the duration histogram is what happened between them.

const LINE = /^([a-zA-Z_:][\w:]*)\{([^}]*)\}\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;
export const VARIANTS = ["v1", "v2"];
const KEEP_MS = 10 * 60 * 1000;

function labels(text) {
  const out = {};
  for (const [, name, value] of text.matchAll(LABEL)) out[name] = value;
  return out;
}

/** One sample: per variant the request count, the 5xx count and the cumulative buckets;
 * and the shadow outcomes per route. */
export function parseMetrics(text, at = Date.now()) {
  const sample = { at, variants: {}, shadow: [] };
  for (const variant of VARIANTS) sample.variants[variant] = { count: 0, errors: 0, buckets: new Map() };
  for (const line of text.split("\n")) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, name, rawLabels, rawValue] = match;
    const value = Number(rawValue);
    const tags = labels(rawLabels);
    const slot = sample.variants[tags.variant];
    if (name === "http_requests_total" && slot) {
      slot.count += value;
      if (Number(tags.status) >= 500) slot.errors += value;
    } else if (name === "http_request_duration_seconds_bucket" && slot) {
      slot.buckets.set(tags.le, (slot.buckets.get(tags.le) || 0) + value);
    } else if (name === "reqgate_shadow_requests_total") {
      sample.shadow.push({ route: tags.route, outcome: tags.outcome, count: value });
    }
  }
  return sample;
}

/** The 95th percentile in seconds of the requests between two bucket maps (linear within a
 * bucket, as Prometheus' histogram_quantile); null without requests. */
function p95(before, after) {
  const bounds = [...after.keys()].map((le) => [le, le === "+Inf" ? Infinity : Number(le)]).sort((a, b) => a[1] - b[1]);
  const counts = bounds.map(([le, bound]) => [bound, (after.get(le) || 0) - (before.get(le) || 0)]);
  const total = counts.length ? counts[counts.length - 1][1] : 0;
  if (total <= 0) return null;
  const rank = 0.95 * total;
  let lower = 0;
  let below = 0;
  for (const [bound, cumulative] of counts) {
    if (cumulative >= rank) {
      if (bound === Infinity) return lower;
      const inBucket = cumulative - below;
      return inBucket > 0 ? lower + ((bound - lower) * (rank - below)) / inBucket : bound;
    }
    lower = bound;
    below = cumulative;
  }
  return lower;
}

/** Samples of the last minutes, and the figures of each interval between two of them. */
export class MetricsWindow {
  constructor() {
    this.samples = [];
  }

  add(sample) {
    this.samples.push(sample);
    const cutoff = sample.at - KEEP_MS;
    while (this.samples.length > 2 && this.samples[0].at < cutoff) this.samples.shift();
  }

  /** [{at, v1: {rate, errorRate, p95Ms}, v2: {...}}] per interval. */
  intervals() {
    const out = [];
    for (let i = 1; i < this.samples.length; i += 1) {
      const [a, b] = [this.samples[i - 1], this.samples[i]];
      const seconds = (b.at - a.at) / 1000;
      if (seconds <= 0) continue;
      const point = { at: b.at };
      for (const variant of VARIANTS) {
        const [x, y] = [a.variants[variant], b.variants[variant]];
        const requests = Math.max(0, y.count - x.count);
        const seconds95 = p95(x.buckets, y.buckets);
        point[variant] = {
          rate: requests / seconds,
          errorRate: requests ? Math.max(0, y.errors - x.errors) / requests : null,
          p95Ms: seconds95 === null ? null : seconds95 * 1000,
        };
      }
      out.push(point);
    }
    return out;
  }
}
