import type { PolicyResource } from "@pulumi/policy";
import { onDemandNodes } from "../../../components/accelerators";
import { booleanAt, numberAt, objectAt, stringAt, stringsAt } from "../../shared/src/props";
import { declaredMachines, EKS_DEFAULT_INSTANCE_TYPE } from "./declared";
import type { DeclaredMachine } from "./machines";

/** On-demand and spot nodes at one end of a pool's range. */
export interface NodeSplit {
  /** On-demand nodes. */
  onDemand: number;
  /** Spot (or preemptible) nodes. */
  spot: number;
}

/** A group of identical nodes a resource runs, with its capacity range. */
export interface NodePool {
  /** The resource that runs the nodes. */
  resource: PolicyResource;
  /** Candidate machine types, in the order the cloud prefers them for on-demand capacity. */
  machines: DeclaredMachine[];
  /** `prioritized` takes the first candidate for on-demand nodes; `lowest-price` the cheapest. */
  onDemandAllocation: "prioritized" | "lowest-price";
  /** Nodes at minimum capacity. */
  min: NodeSplit;
  /** Nodes at maximum capacity. */
  max: NodeSplit;
  /** How the node count was read, for cost item descriptions. */
  basis: string;
}

/** Resources this one references through `property` (by dependency). */
function referenced(resource: PolicyResource, property: string): PolicyResource[] {
  return resource.propertyDependencies[property] ?? [];
}

function split(nodes: number, spot: boolean): NodeSplit {
  return spot ? { onDemand: 0, spot: nodes } : { onDemand: nodes, spot: 0 };
}

function launchTemplateOf(resource: PolicyResource, property: string): PolicyResource | undefined {
  return referenced(resource, property).find(
    (r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate",
  );
}

function eksNodeGroup(group: PolicyResource): NodePool {
  const template = launchTemplateOf(group, "launchTemplate");
  const names = stringsAt(group.props, "instanceTypes");
  const fromTemplate = template ? stringsAt(template.props, "instanceType") : [];
  const machines = (
    names.length > 0 ? names : fromTemplate.length > 0 ? fromTemplate : [EKS_DEFAULT_INSTANCE_TYPE]
  ).map((name): DeclaredMachine => ({ cloud: "aws", name, attachedGpus: 0 }));
  const spot = stringAt(group.props, "capacityType") === "SPOT";
  return {
    resource: group,
    machines,
    onDemandAllocation: "prioritized",
    min: split(numberAt(group.props, "scalingConfig.minSize") ?? 0, spot),
    max: split(numberAt(group.props, "scalingConfig.maxSize") ?? 0, spot),
    basis: `EKS node group, ${spot ? "SPOT" : "ON_DEMAND"}`,
  };
}

function autoScalingGroup(group: PolicyResource): NodePool {
  const mixed = objectAt(group.props, "mixedInstancesPolicy");
  const template =
    launchTemplateOf(group, "mixedInstancesPolicy") ?? launchTemplateOf(group, "launchTemplate");
  const overrides = declaredMachines(group.type, group.props) ?? [];
  const machines =
    overrides.length > 0
      ? overrides
      : stringsAt(template?.props, "instanceType").map(
          (name): DeclaredMachine => ({ cloud: "aws", name, attachedGpus: 0 }),
        );
  const minSize = numberAt(group.props, "minSize") ?? 0;
  const maxSize = numberAt(group.props, "maxSize") ?? 0;
  if (Object.keys(mixed).length === 0) {
    const spot = stringAt(template?.props, "instanceMarketOptions.marketType") === "spot";
    return {
      resource: group,
      machines,
      onDemandAllocation: "prioritized",
      min: split(minSize, spot),
      max: split(maxSize, spot),
      basis: `Auto Scaling group, ${spot ? "spot" : "on-demand"} launch template`,
    };
  }
  const distribution = {
    onDemandBase: numberAt(mixed, "instancesDistribution.onDemandBaseCapacity") ?? 0,
    onDemandPercentAboveBase:
      numberAt(mixed, "instancesDistribution.onDemandPercentageAboveBaseCapacity") ?? 100,
  };
  const at = (total: number): NodeSplit => {
    const onDemand = onDemandNodes(total, distribution);
    return { onDemand, spot: total - onDemand };
  };
  return {
    resource: group,
    machines,
    onDemandAllocation:
      stringAt(mixed, "instancesDistribution.onDemandAllocationStrategy") === "lowest-price"
        ? "lowest-price"
        : "prioritized",
    min: at(minSize),
    max: at(maxSize),
    basis: `Auto Scaling group, on-demand base ${distribution.onDemandBase} + ${distribution.onDemandPercentAboveBase}% above`,
  };
}

function ec2Instance(instance: PolicyResource): NodePool {
  const spot = stringAt(instance.props, "instanceMarketOptions.marketType") === "spot";
  return {
    resource: instance,
    machines: declaredMachines(instance.type, instance.props) ?? [],
    onDemandAllocation: "prioritized",
    min: split(1, spot),
    max: split(1, spot),
    basis: `EC2 instance, ${spot ? "spot" : "on-demand"}`,
  };
}

const GCP_ZONE = /^[a-z]+-[a-z]+\d+-[a-z]$/;

/** Zones a GKE pool spans: its node locations, else its cluster's, else 1 (zonal) or 3 (regional). */
function gkeZones(pool: PolicyResource, cluster: PolicyResource | undefined): number {
  const own = stringsAt(pool.props, "nodeLocations");
  if (own.length > 0) return own.length;
  const clusterLocations = stringsAt(cluster?.props, "nodeLocations");
  if (clusterLocations.length > 0) return clusterLocations.length;
  const location = stringAt(pool.props, "location") ?? stringAt(cluster?.props, "location");
  return location && GCP_ZONE.test(location) ? 1 : 3;
}

function gkeNodePool(pool: PolicyResource): NodePool {
  const cluster = referenced(pool, "cluster").find(
    (r) => r.type === "gcp:container/cluster:Cluster",
  );
  const zones = gkeZones(pool, cluster);
  const spot =
    booleanAt(pool.props, "nodeConfig.spot") === true ||
    booleanAt(pool.props, "nodeConfig.preemptible") === true;
  const autoscaling = objectAt(pool.props, "autoscaling");
  const totalMin = numberAt(autoscaling, "totalMinNodeCount");
  const totalMax = numberAt(autoscaling, "totalMaxNodeCount");
  const perZoneMin = numberAt(autoscaling, "minNodeCount");
  const perZoneMax = numberAt(autoscaling, "maxNodeCount");
  const fixed = numberAt(pool.props, "nodeCount") ?? numberAt(pool.props, "initialNodeCount") ?? 1;
  const hasAutoscaling = Object.keys(autoscaling).length > 0;
  const min = hasAutoscaling ? (totalMin ?? (perZoneMin ?? 0) * zones) : fixed * zones;
  const max = hasAutoscaling ? (totalMax ?? (perZoneMax ?? 0) * zones) : fixed * zones;
  return {
    resource: pool,
    machines: declaredMachines(pool.type, pool.props) ?? [],
    onDemandAllocation: "prioritized",
    min: split(min, spot),
    max: split(max, spot),
    basis: `GKE node pool, ${spot ? "Spot" : "on-demand"}, ${
      hasAutoscaling && totalMin !== undefined ? "total node counts" : `${zones} zone(s)`
    }`,
  };
}

function gkeDefaultPool(cluster: PolicyResource): NodePool | undefined {
  const machines = declaredMachines(cluster.type, cluster.props) ?? [];
  if (machines.length === 0) return undefined;
  const zones = gkeZones(cluster, cluster);
  const nodes = (numberAt(cluster.props, "initialNodeCount") ?? 1) * zones;
  const spot =
    booleanAt(cluster.props, "nodeConfig.spot") === true ||
    booleanAt(cluster.props, "nodeConfig.preemptible") === true;
  return {
    resource: cluster,
    machines,
    onDemandAllocation: "prioritized",
    min: split(nodes, spot),
    max: split(nodes, spot),
    basis: `GKE default node pool (removeDefaultNodePool not set), ${zones} zone(s)`,
  };
}

function gceInstance(instance: PolicyResource): NodePool {
  const spot =
    stringAt(instance.props, "scheduling.provisioningModel") === "SPOT" ||
    booleanAt(instance.props, "scheduling.preemptible") === true;
  return {
    resource: instance,
    machines: declaredMachines(instance.type, instance.props) ?? [],
    onDemandAllocation: "prioritized",
    min: split(1, spot),
    max: split(1, spot),
    basis: `Compute Engine instance, ${spot ? "Spot" : "on-demand"}`,
  };
}

/**
 * Every group of nodes the stack runs, read from raw resources: EKS managed node groups, Auto
 * Scaling groups (with their launch templates), EC2 instances, GKE node pools and default pools,
 * Compute Engine instances.
 */
export function nodePools(resources: readonly PolicyResource[]): NodePool[] {
  return resources.flatMap((r): NodePool[] => {
    switch (r.type) {
      case "aws:eks/nodeGroup:NodeGroup":
        return [eksNodeGroup(r)];
      case "aws:autoscaling/group:Group":
        return [autoScalingGroup(r)];
      case "aws:ec2/instance:Instance":
        return [ec2Instance(r)];
      case "gcp:container/nodePool:NodePool":
        return [gkeNodePool(r)];
      case "gcp:container/cluster:Cluster": {
        const pool = gkeDefaultPool(r);
        return pool ? [pool] : [];
      }
      case "gcp:compute/instance:Instance":
        return [gceInstance(r)];
      default:
        return [];
    }
  });
}
