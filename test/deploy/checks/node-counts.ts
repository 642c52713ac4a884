import type { RecordedResource } from "pulumi-hybridai/testing";
import { runLabel, type StackRun } from "../run-stack";

/** Zones GKE spreads a regional cluster's node pool over when the pool names none. */
export const GKE_DEFAULT_ZONES = 3;

function gkePoolProblem(pool: RecordedResource): string | undefined {
  const i = pool.inputs;
  const zones = (i.nodeLocations as string[] | undefined)?.length ?? GKE_DEFAULT_ZONES;
  const perZone = i.nodeCount ?? i.initialNodeCount ?? 0;
  const created = zones * perZone;
  if (i.autoscaling) {
    const min = i.autoscaling.totalMinNodeCount ?? zones * (i.autoscaling.minNodeCount ?? 0);
    const max = i.autoscaling.totalMaxNodeCount ?? zones * (i.autoscaling.maxNodeCount ?? 0);
    if (created < min || created > max) {
      return `node pool ${pool.name}: ${zones} zone(s) × ${perZone} = ${created} nodes at create time, outside ${min}–${max}`;
    }
  }
  return undefined;
}

function awsProblem(record: RecordedResource): string | undefined {
  const i = record.inputs;
  const [min, max, desired] =
    record.type === "aws:eks/nodeGroup:NodeGroup"
      ? [i.scalingConfig.minSize, i.scalingConfig.maxSize, i.scalingConfig.desiredSize]
      : [i.minSize, i.maxSize, i.desiredCapacity ?? i.minSize];
  return desired < min || desired > max
    ? `${record.type} ${record.name}: ${desired} nodes at create time, outside ${min}–${max}`
    : undefined;
}

/**
 * The nodes each pool or group starts with lie within its bounds. GKE creates
 * `initialNodeCount` (or `nodeCount`) nodes in every zone of the pool, so zones × count must lie
 * within the pool's total minimum and maximum.
 */
export function nodeCountProblems(run: StackRun): string[] {
  return run.records
    .map((r) =>
      r.type === "gcp:container/nodePool:NodePool"
        ? gkePoolProblem(r)
        : r.type === "aws:eks/nodeGroup:NodeGroup" || r.type === "aws:autoscaling/group:Group"
          ? awsProblem(r)
          : undefined,
    )
    .filter((p): p is string => p !== undefined)
    .map((p) => `${runLabel(run)}: ${p}`);
}
