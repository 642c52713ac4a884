import { parser } from "@prometheus-io/lezer-promql";

/** Metric names a PromQL expression selects, and the positions of any syntax errors. */
export function parsePromQL(query: string): { metrics: string[]; errors: number[] } {
  const metrics: string[] = [];
  const errors: number[] = [];
  parser.parse(query).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(node.from);
      if (node.name === "Identifier") metrics.push(query.slice(node.from, node.to));
    },
  });
  return { metrics: [...new Set(metrics)].sort(), errors };
}
