import path from "node:path";
import type { PackDefinition } from "../../../shared/src/policy";
import { type CheckResult, isBlocking } from "../result";

const money = (usd: number) =>
  `$${usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

function relative(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel || ".";
}

function resourcesSection(result: CheckResult): string[] {
  const counts = new Map<string, number>();
  for (const r of result.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const rows = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return [
    `Resources: ${result.resources.length}`,
    ...rows.map(([type, count]) => `  ${String(count).padStart(4)}  ${type}`),
  ];
}

function costSection(result: CheckResult): string[] {
  const { cost } = result;
  const lines = [
    "Estimated monthly cost (list prices, 730 h/month; storage, traffic and load balancers not priced)",
    `  at minimum capacity  ${money(cost.monthlyUsd.min).padStart(12)}`,
    `  at maximum capacity  ${money(cost.monthlyUsd.max).padStart(12)}`,
  ];
  if (cost.items.length > 0) {
    lines.push("  biggest items (min → max per month):");
    for (const item of cost.items.slice(0, 5)) {
      lines.push(
        `    ${money(item.monthlyUsd.min).padStart(11)} → ${money(item.monthlyUsd.max).padStart(11)}  ${item.resourceType} ${item.resourceName}`,
        `${" ".repeat(32)}${item.description}`,
      );
    }
  }
  for (const u of cost.unpriced) {
    lines.push(`  not priced: ${u.resourceType} ${u.resourceName} (${u.reason})`);
  }
  return lines;
}

function violationsSection(result: CheckResult, packs: readonly PackDefinition[]): string[] {
  const lines = ["Policy violations"];
  for (const pack of packs) {
    const found = result.violations.filter((v) => v.pack === pack.name);
    const blocking = found.filter(isBlocking).length;
    if (found.length === 0) {
      lines.push(`  ${pack.name}: none (${pack.policies.length} policies)`);
      continue;
    }
    lines.push(
      `  ${pack.name}: ${blocking} mandatory, ${found.length - blocking} advisory (${pack.policies.length} policies)`,
    );
    const ordered = [...found].sort((a, b) => Number(isBlocking(b)) - Number(isBlocking(a)));
    for (const v of ordered) {
      lines.push(
        `    ${v.enforcementLevel.padEnd(9)} ${v.policy}  ${v.resourceType} ${v.resourceName}`,
        `              ${v.message}`,
      );
    }
  }
  return lines;
}

/** The `--format text` report: resources by type, cost at min and max, violations by pack. */
export function textReport(result: CheckResult, packs: readonly PackDefinition[]): string {
  const { target } = result;
  const blocking = result.violations.filter(isBlocking).length;
  const advisory = result.violations.length - blocking;
  const header =
    `hybridai check: stack ${target.stack} (project ${target.project}, program ${relative(target.program)}` +
    `${target.configFile ? `, config ${relative(target.configFile)}` : ""})`;
  const verdict =
    blocking > 0
      ? `Result: FAIL: ${blocking} mandatory violation(s), ${advisory} advisory`
      : `Result: PASS: no mandatory violations, ${advisory} advisory`;
  return `${[
    header,
    "",
    ...resourcesSection(result),
    "",
    ...costSection(result),
    "",
    ...violationsSection(result, packs),
    "",
    verdict,
  ].join("\n")}\n`;
}
