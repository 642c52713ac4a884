/** One sample of a Prometheus text exposition. */
export interface Sample {
  /** Series name, with `_bucket`/`_sum`/`_count` suffixes as written. */
  name: string;
  /** Label values. */
  labels: Record<string, string>;
  /** Value (`+Inf`, `-Inf` and `NaN` included). */
  value: number;
}

/** A parsed `/metrics` page: every sample and the declared type of every family. */
export interface Exposition {
  /** Samples in page order. */
  samples: Sample[];
  /** `# TYPE` declarations: family name → counter, gauge, histogram, summary or untyped. */
  types: Map<string, string>;
}

/** A number as the text format writes it: `+Inf`, `-Inf` and `NaN` included. */
export function promNumber(text: string): number {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(text);
}

const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format (version 0.0.4) as prom-client writes it. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.startsWith("# TYPE ")) {
      const [name, type] = line.slice(7).split(" ");
      types.set(name, type);
      continue;
    }
    if (line === "" || line.startsWith("#")) continue;
    const brace = line.indexOf("{");
    const space = line.lastIndexOf(" ");
    const name = brace >= 0 && brace < space ? line.slice(0, brace) : line.slice(0, space);
    const labels: Record<string, string> = {};
    if (brace >= 0 && brace < space) {
      const body = line.slice(brace + 1, line.lastIndexOf("}"));
      for (const match of body.matchAll(LABEL)) {
        labels[match[1]] = match[2]
          .replace(/\\"/g, '"')
          .replace(/\\n/g, "\n")
          .replace(/\\\\/g, "\\");
      }
    }
    samples.push({ name, labels, value: promNumber(line.slice(space + 1)) });
  }
  return { samples, types };
}

/** Fetches and parses `<baseUrl>/metrics`. */
export async function scrape(baseUrl: string): Promise<Exposition> {
  const response = await fetch(`${baseUrl}/metrics`);
  return parseExposition(await response.text());
}

/** The samples of a series whose labels include `labels`. */
export function samplesOf(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return exposition.samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

/** The one sample of a series with these labels; throws when there is none or several. */
export function sampleValue(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = samplesOf(exposition, name, labels);
  if (found.length !== 1) {
    throw new Error(
      `expected one sample of ${name}${JSON.stringify(labels)}, found ${found.length}`,
    );
  }
  return found[0].value;
}

/**
 * A histogram's buckets (upper bound → cumulative count, `+Inf` last), sum and count for one
 * label set.
 */
export function histogramOf(
  exposition: Exposition,
  name: string,
  labels: Record<string, string>,
): { buckets: [number, number][]; sum: number; count: number } {
  const buckets = samplesOf(exposition, `${name}_bucket`, labels).map(
    (sample): [number, number] => [promNumber(sample.labels.le), sample.value],
  );
  return {
    buckets,
    sum: sampleValue(exposition, `${name}_sum`, labels),
    count: sampleValue(exposition, `${name}_count`, labels),
  };
}
