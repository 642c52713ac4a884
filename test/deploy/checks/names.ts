import type { RecordedResource } from "pulumi-hybridai/testing";
import {
  type NameScope,
  nameRuleFor,
  type PhysicalName,
  physicalName,
  UNNAMED_TYPES,
} from "../cloud-names";
import { runLabel, type StackRun } from "../run-stack";

/** AWS tag limits (keys 128, values 256) and GCP label limits (63 each). */
const TAG_LIMITS = { aws: { key: 128, value: 256 }, gcp: { key: 63, value: 63 } } as const;

function tagProblems(record: RecordedResource): string[] {
  const cloud = record.type.startsWith("aws:")
    ? "aws"
    : record.type.startsWith("gcp:")
      ? "gcp"
      : undefined;
  if (!cloud) return [];
  const limits = TAG_LIMITS[cloud];
  const i = record.inputs;
  const pairs: [string, unknown][] = [
    ...Object.entries(i.tags && !Array.isArray(i.tags) ? i.tags : {}),
    ...(Array.isArray(i.tags)
      ? i.tags.map((t: { key: string; value: unknown }) => [t.key, t.value] as [string, unknown])
      : []),
    ...Object.entries(i.labels ?? {}),
    ...Object.entries(i.resourceLabels ?? {}),
  ];
  return pairs
    .filter(([key, value]) => key.length > limits.key || String(value).length > limits.value)
    .map(
      ([key, value]) =>
        `${record.type} ${record.name}: tag/label ${key}=${String(value)} exceeds ${limits.key}/${limits.value} characters`,
    );
}

/**
 * Every physical name a run's resources get fits its cloud's limit (an autoname counts with
 * its random suffix, a prefix against the prefix limit), every tag and label fits too, and
 * every registered type is classified (named or not), so a new type cannot slip through.
 */
export function nameLimitProblems(run: StackRun): string[] {
  const problems: string[] = [];
  for (const record of run.records.filter((r) => r.custom)) {
    problems.push(...tagProblems(record));
    if (UNNAMED_TYPES.has(record.type)) continue;
    const nameRule = nameRuleFor(record.type);
    if (!nameRule) {
      problems.push(
        `${record.type} ${record.name}: no name rule; classify it in test/deploy/cloud-names.ts`,
      );
      continue;
    }
    const name = physicalName(record, nameRule);
    if (name && name.length > name.max) {
      problems.push(
        `${record.type} ${record.name}: ${name.kind} name "${name.value}" is ${name.length} characters, the limit is ${name.max}`,
      );
    }
  }
  return problems.map((p) => `${runLabel(run)}: ${p}`);
}

/** The names a run chose itself (not autonamed, not completed by the cloud) in the given scopes. */
function explicitNames(run: StackRun, scopes: readonly NameScope[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const record of run.records.filter((r) => r.custom)) {
    const nameRule = nameRuleFor(record.type);
    if (!nameRule || !scopes.includes(nameRule.scope)) continue;
    const name: PhysicalName | undefined = physicalName(record, nameRule);
    if (name?.kind === "explicit") names.set(`${record.type} "${name.value}"`, record.name);
  }
  return names;
}

/**
 * Names two runs share where both would live side by side. Two clusters of different names in
 * one account and region must not share a global, account or regional name; the same cluster
 * in two regions must not share a global or account name.
 */
export function sharedNameProblems(
  first: StackRun,
  second: StackRun,
  scopes: readonly NameScope[],
): string[] {
  const theirs = explicitNames(second, scopes);
  return [...explicitNames(first, scopes).keys()]
    .filter((key) => theirs.has(key))
    .map((key) => `${runLabel(first)} and ${runLabel(second)} both create ${key}`);
}
