import type { CheckFailure } from "../failure";
import type { CheckResult } from "../result";

/** The `--format json` object: exactly `{ stack, resources, cost, violations }`. */
export function jsonReport(result: CheckResult): string {
  return `${JSON.stringify(
    {
      stack: result.target.stack,
      resources: result.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn })),
      cost: {
        monthlyUsd: result.cost.monthlyUsd,
        items: result.cost.items.map((i) => ({
          resourceType: i.resourceType,
          resourceName: i.resourceName,
          description: i.description,
          monthlyUsd: i.monthlyUsd,
        })),
      },
      violations: result.violations.map((v) => ({
        pack: v.pack,
        policy: v.policy,
        enforcementLevel: v.enforcementLevel,
        resourceType: v.resourceType,
        resourceName: v.resourceName,
        message: v.message,
      })),
    },
    null,
    2,
  )}\n`;
}

/** The `--format json` object of a check that could not run: `{ error: { message, component, field } }`. */
export function jsonFailureReport(failure: CheckFailure): string {
  const { message, component, field } = failure;
  return `${JSON.stringify({ error: { message, component, field } }, null, 2)}\n`;
}
