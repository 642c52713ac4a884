import type { PolicyResource } from "@pulumi/policy";
import {
  CONTROL_PLANE_HOURLY_USD,
  cloudNatHourlyUsd,
  HOURS_PER_MONTH,
  NAT_HOURLY_USD,
} from "../../../components/accelerators";
import { stringAt } from "../../shared/src/props";
import { type NodePrice, nodePrice } from "./machines";
import { type NodePool, type NodeSplit, nodePools } from "./pools";

/** A USD amount at the stack's minimum and maximum capacity. */
export interface UsdRange {
  /** At minimum capacity (every pool at its minimum). */
  min: number;
  /** At maximum capacity (every pool at its maximum). */
  max: number;
}

/** One priced resource. */
export interface CostItem {
  /** Its type token. */
  resourceType: string;
  /** Its logical name. */
  resourceName: string;
  /** Its URN. */
  urn: string;
  /** What was priced, with the list prices used. */
  description: string;
  /** USD per hour. */
  hourlyUsd: UsdRange;
  /** USD per month (730 hours), rounded to cents. */
  monthlyUsd: UsdRange;
}

/** A resource that costs money but could not be priced (a machine type no price table knows). */
export interface UnpricedItem {
  /** Its type token. */
  resourceType: string;
  /** Its logical name. */
  resourceName: string;
  /** Why it was not priced. */
  reason: string;
}

/** The estimated list-price cost of a stack. */
export interface StackCostEstimate {
  /** Total USD per month at minimum and maximum capacity, rounded to cents. */
  monthlyUsd: UsdRange;
  /** Priced resources, most expensive (at maximum capacity) first. */
  items: CostItem[];
  /** Resources left out of the total. */
  unpriced: UnpricedItem[];
}

const cents = (usd: number) => Math.round(usd * 100) / 100;
/** A list price as published: at least two decimals, up to six, no trailing zeros beyond two. */
function usd(n: number): string {
  const [whole, decimals = ""] = n.toFixed(6).replace(/0+$/, "").split(".");
  return `$${whole}.${decimals.padEnd(2, "0")}`;
}

function item(resource: PolicyResource, description: string, hourly: UsdRange): CostItem {
  return {
    resourceType: resource.type,
    resourceName: resource.name,
    urn: resource.urn,
    description,
    hourlyUsd: hourly,
    monthlyUsd: {
      min: cents(hourly.min * HOURS_PER_MONTH),
      max: cents(hourly.max * HOURS_PER_MONTH),
    },
  };
}

interface PricedMachine {
  name: string;
  price: NodePrice;
}

/** The machine priced for on-demand nodes and the one for spot nodes (the cheapest spot). */
function pricedMachines(
  pool: NodePool,
): { onDemand: PricedMachine; spot: PricedMachine } | undefined {
  const priced = pool.machines
    .map((m) => ({ name: m.name, price: nodePrice(m) }))
    .filter((m): m is PricedMachine => m.price !== undefined);
  if (priced.length === 0) return undefined;
  const cheapest = (key: keyof NodePrice) =>
    priced.reduce((best, m) => (m.price[key] < best.price[key] ? m : best));
  return {
    onDemand:
      pool.onDemandAllocation === "lowest-price" ? cheapest("onDemandHourlyUsd") : priced[0],
    spot: cheapest("spotHourlyUsd"),
  };
}

function poolHourly(
  split: NodeSplit,
  machines: { onDemand: PricedMachine; spot: PricedMachine },
): number {
  return (
    split.onDemand * machines.onDemand.price.onDemandHourlyUsd +
    split.spot * machines.spot.price.spotHourlyUsd
  );
}

/** `1 on-demand + 0–7 spot nodes`: each capacity type's range from minimum to maximum. */
function describeNodes(pool: NodePool): string {
  const range = (min: number, max: number) => (min === max ? `${min}` : `${min}–${max}`);
  const parts = [
    ...(pool.max.onDemand > 0 ? [`${range(pool.min.onDemand, pool.max.onDemand)} on-demand`] : []),
    ...(pool.max.spot > 0 ? [`${range(pool.min.spot, pool.max.spot)} spot`] : []),
  ];
  const one = pool.max.onDemand + pool.max.spot === 1;
  return `${parts.join(" + ") || "0"} ${one ? "node" : "nodes"}`;
}

function poolItem(pool: NodePool): CostItem | UnpricedItem {
  const machines = pricedMachines(pool);
  if (!machines) {
    return {
      resourceType: pool.resource.type,
      resourceName: pool.resource.name,
      reason: `no list price for ${pool.machines.map((m) => m.name).join(", ") || "an unknown machine type"}`,
    };
  }
  const prices = [
    ...(pool.max.onDemand > 0
      ? [`${machines.onDemand.name} ${usd(machines.onDemand.price.onDemandHourlyUsd)}/h on-demand`]
      : []),
    ...(pool.max.spot > 0
      ? [`${machines.spot.name} ${usd(machines.spot.price.spotHourlyUsd)}/h spot`]
      : []),
  ].join(", ");
  return item(pool.resource, `${pool.basis}: ${describeNodes(pool)}; ${prices}`, {
    min: poolHourly(pool.min, machines),
    max: poolHourly(pool.max, machines),
  });
}

function fixed(resource: PolicyResource, description: string, hourly: number): CostItem {
  return item(resource, description, { min: hourly, max: hourly });
}

/** Control planes and NAT gateways: priced per hour, whatever the capacity. */
function platformItems(resources: readonly PolicyResource[], gcpNodes: UsdRange): CostItem[] {
  return resources.flatMap((r): CostItem[] => {
    switch (r.type) {
      case "aws:eks/cluster:Cluster": {
        const extended = stringAt(r.props, "upgradePolicy.supportType") === "EXTENDED";
        const hourly = extended
          ? CONTROL_PLANE_HOURLY_USD.eksExtendedSupport
          : CONTROL_PLANE_HOURLY_USD.eksStandardSupport;
        return [
          fixed(
            r,
            `EKS control plane, ${extended ? "extended" : "standard"} support, ${usd(hourly)}/h`,
            hourly,
          ),
        ];
      }
      case "gcp:container/cluster:Cluster":
        return [
          fixed(
            r,
            `GKE cluster management fee, ${usd(CONTROL_PLANE_HOURLY_USD.gke)}/h`,
            CONTROL_PLANE_HOURLY_USD.gke,
          ),
        ];
      case "aws:ec2/natGateway:NatGateway":
        return [
          fixed(
            r,
            `NAT gateway, ${usd(NAT_HOURLY_USD.awsGateway)}/h (data processing not priced)`,
            NAT_HOURLY_USD.awsGateway,
          ),
        ];
      case "gcp:compute/routerNat:RouterNat":
        return [
          item(
            r,
            `Cloud NAT, ${usd(NAT_HOURLY_USD.gcpPerVm)}/h per VM (the stack's GCP nodes: ${gcpNodes.min}–${gcpNodes.max}), at most ${usd(NAT_HOURLY_USD.gcpMaxPerGateway)}/h`,
            { min: cloudNatHourlyUsd(gcpNodes.min), max: cloudNatHourlyUsd(gcpNodes.max) },
          ),
        ];
      default:
        return [];
    }
  });
}

function nodesOn(pools: readonly NodePool[], cloud: "aws" | "gcp"): UsdRange {
  const onCloud = pools.filter((p) => p.machines[0]?.cloud === cloud);
  const total = (s: NodeSplit) => s.onDemand + s.spot;
  return {
    min: onCloud.reduce((sum, p) => sum + total(p.min), 0),
    max: onCloud.reduce((sum, p) => sum + total(p.max), 0),
  };
}

/**
 * Estimates a stack's monthly cost at list prices, at minimum and maximum capacity: node pools
 * priced with the accelerator catalog (and its general-purpose table), EKS/GKE control planes,
 * NAT gateways and Cloud NAT. Storage, traffic, load balancers and KMS are not priced.
 */
export function estimateStackCost(resources: readonly PolicyResource[]): StackCostEstimate {
  const pools = nodePools(resources);
  const poolResults = pools.map(poolItem);
  const items = [
    ...platformItems(resources, nodesOn(pools, "gcp")),
    ...poolResults.filter((r): r is CostItem => "hourlyUsd" in r),
  ].sort((a, b) => b.hourlyUsd.max - a.hourlyUsd.max);
  const hourly = items.reduce(
    (sum, i) => ({ min: sum.min + i.hourlyUsd.min, max: sum.max + i.hourlyUsd.max }),
    { min: 0, max: 0 },
  );
  return {
    monthlyUsd: {
      min: cents(hourly.min * HOURS_PER_MONTH),
      max: cents(hourly.max * HOURS_PER_MONTH),
    },
    items,
    unpriced: poolResults.filter((r): r is UnpricedItem => "reason" in r),
  };
}
