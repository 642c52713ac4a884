import type { RecordedResource } from "pulumi-hybridai/testing";
import { clustersOf, type RunCluster } from "../clusters";
import { DependencyGraph } from "../graph";
import { runLabel, type StackRun } from "../run-stack";

/** The last path segment of a GCP name or self link (`…/networks/default` → `default`). */
function shortName(value: unknown): string {
  return (
    String(value ?? "")
      .split("/")
      .pop() ?? ""
  );
}

function nodePoolsOf(
  records: readonly RecordedResource[],
  cluster: RunCluster,
): RecordedResource[] {
  return records.filter(
    (r) => r.type === "gcp:container/nodePool:NodePool" && r.inputs.cluster === cluster.name,
  );
}

function gkeProblems(run: StackRun, cluster: RunCluster, graph: DependencyGraph): string[] {
  const where = `${runLabel(run)}: GKE cluster ${cluster.name}`;
  const inputs = cluster.record.inputs;
  if (!inputs.privateClusterConfig?.enablePrivateNodes) return [];
  const network = shortName(inputs.network ?? "default");
  const subnetwork = inputs.subnetwork ? shortName(inputs.subnetwork) : undefined;
  const routers = run.records.filter(
    (r) =>
      r.type === "gcp:compute/router:Router" &&
      shortName(r.inputs.network) === network &&
      r.inputs.region === inputs.location,
  );
  const nats = run.records.filter((nat) => {
    const i = nat.inputs;
    const onRouter = routers.some(
      (r) => (r.inputs.name ?? r.name) === i.router && i.region === inputs.location,
    );
    const covers =
      i.sourceSubnetworkIpRangesToNat === "ALL_SUBNETWORKS_ALL_IP_RANGES" ||
      (i.sourceSubnetworkIpRangesToNat === "LIST_OF_SUBNETWORKS" &&
        (i.subnetworks ?? []).some((s: { name: string }) => shortName(s.name) === subnetwork));
    return nat.type === "gcp:compute/routerNat:RouterNat" && onRouter && covers;
  });
  if (nats.length === 0) {
    return [
      `${where}: private nodes on network ${network} in ${inputs.location} and no Cloud NAT ` +
        "covering them: images from public registries never pull",
    ];
  }
  return nodePoolsOf(run.records, cluster)
    .filter((pool) => !nats.some((nat) => graph.waitsFor(pool.urn, nat.urn)))
    .map((pool) => `${where}: node pool ${pool.name} does not wait for its Cloud NAT`);
}

const AWS_NODES = ["aws:eks/nodeGroup:NodeGroup", "aws:autoscaling/group:Group"];

function eksProblems(run: StackRun, cluster: RunCluster, graph: DependencyGraph): string[] {
  if (!run.records.some((r) => r.type === "aws:ec2/vpc:Vpc")) return [];
  const where = `${runLabel(run)}: EKS cluster ${cluster.name}`;
  const natRoutes = run.records.filter(
    (r) =>
      r.type === "aws:ec2/routeTable:RouteTable" &&
      (r.inputs.routes ?? []).some(
        (route: { cidrBlock?: string; natGatewayId?: string }) =>
          route.cidrBlock === "0.0.0.0/0" && route.natGatewayId,
      ),
  );
  const associations = run.records.filter(
    (r) =>
      r.type === "aws:ec2/routeTableAssociation:RouteTableAssociation" &&
      natRoutes.some((table) => graph.waitsFor(r.urn, table.urn)),
  );
  if (associations.length === 0) {
    return [`${where}: the VPC it creates has no private subnet routed through a NAT gateway`];
  }
  const nodes = run.records.filter(
    (r) =>
      AWS_NODES.includes(r.type) &&
      (r.inputs.clusterName === cluster.name ||
        (r.inputs.tags ?? []).some?.(
          (t: { key: string }) => t.key === `kubernetes.io/cluster/${cluster.name}`,
        )),
  );
  return nodes.flatMap((node) =>
    associations
      .filter((association) => !graph.waitsFor(node.urn, association.urn))
      .map((a) => `${where}: ${node.type} ${node.name} does not wait for the NAT route ${a.name}`),
  );
}

/**
 * Nodes on private addresses can pull images: a GKE cluster with private nodes has a Cloud NAT
 * on its network and region that every node pool waits for; the nodes of an EKS cluster in a
 * VPC the stack creates wait for the private subnets' NAT routes.
 */
export function egressProblems(run: StackRun): string[] {
  const graph = new DependencyGraph(run.records);
  return clustersOf(run.records).flatMap((cluster) =>
    cluster.cloud === "gcp" ? gkeProblems(run, cluster, graph) : eksProblems(run, cluster, graph),
  );
}
