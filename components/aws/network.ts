import * as ec2 from "@pulumi/aws/ec2";
import { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkPlan } from "./eks-cluster-plan";

/** The subnets a new VPC offers a cluster. */
export interface Network {
  /** VPC id. */
  vpcId: pulumi.Output<string>;
  /** Private subnet ids, one a zone. */
  privateSubnetIds: pulumi.Output<string>[];
  /** The private subnets' routes through the NAT gateway(s): nodes wait for them to pull images. */
  egress: pulumi.Resource[];
}

/** What the subnets of one VPC share. */
interface SubnetContext {
  /** Resource name prefix. */
  name: string;
  /** The VPC. */
  vpcId: pulumi.Output<string>;
  /** Availability zone names, one a subnet index. */
  zones: pulumi.Output<string[]>;
  /** Tags every resource carries. */
  tags: Record<string, string>;
  /** The tag that tells load balancer controllers the subnet belongs to the cluster. */
  clusterTag: Record<string, string>;
  /** The component the resources belong to. */
  parent: pulumi.Resource;
}

/**
 * The public side: subnets routed through `gateway` (tagged for internet-facing load
 * balancers), and the NAT gateway(s) in them with their addresses.
 */
function createPublicSubnets(
  context: SubnetContext,
  plan: NetworkPlan,
  gateway: ec2.InternetGateway,
): ec2.NatGateway[] {
  const { name, vpcId, zones, tags, clusterTag, parent } = context;
  const opts = { parent };
  const publicRoutes = new ec2.RouteTable(
    `${name}-public`,
    {
      vpcId,
      routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }],
      tags: { ...tags, Name: `${name}-public` },
    },
    opts,
  );
  const publicSubnets = plan.publicSubnetCidrs.map((cidrBlock, i) => {
    const subnet = new ec2.Subnet(
      `${name}-public-${i}`,
      {
        vpcId,
        cidrBlock,
        availabilityZone: zones[i],
        mapPublicIpOnLaunch: false,
        tags: {
          ...tags,
          Name: `${name}-public-${i}`,
          "kubernetes.io/role/elb": "1",
          ...clusterTag,
        },
      },
      opts,
    );
    new ec2.RouteTableAssociation(
      `${name}-public-${i}`,
      { subnetId: subnet.id, routeTableId: publicRoutes.id },
      opts,
    );
    return subnet;
  });
  return Array.from({ length: plan.natGatewayCount }, (_, i) => {
    const address = new ec2.Eip(
      `${name}-nat-${i}`,
      { domain: "vpc", tags: { ...tags, Name: `${name}-nat-${i}` } },
      opts,
    );
    return new ec2.NatGateway(
      `${name}-nat-${i}`,
      {
        allocationId: address.id,
        subnetId: publicSubnets[i].id,
        tags: { ...tags, Name: `${name}-nat-${i}` },
      },
      { parent, dependsOn: [gateway] },
    );
  });
}

/**
 * The private side: one subnet a zone (tagged for internal load balancers), each routed through
 * its zone's NAT gateway (or the last one when there are fewer).
 */
function createPrivateSubnets(
  context: SubnetContext,
  plan: NetworkPlan,
  natGateways: ec2.NatGateway[],
): {
  privateSubnetIds: pulumi.Output<string>[];
  routeTables: ec2.RouteTable[];
  egress: pulumi.Resource[];
} {
  const { name, vpcId, zones, tags, clusterTag, parent } = context;
  const opts = { parent };
  const routeTables: ec2.RouteTable[] = [];
  const egress: pulumi.Resource[] = [];
  const privateSubnetIds = plan.privateSubnetCidrs.map((cidrBlock, i) => {
    const subnet = new ec2.Subnet(
      `${name}-private-${i}`,
      {
        vpcId,
        cidrBlock,
        availabilityZone: zones[i],
        tags: {
          ...tags,
          Name: `${name}-private-${i}`,
          "kubernetes.io/role/internal-elb": "1",
          ...clusterTag,
        },
      },
      opts,
    );
    const nat = natGateways[Math.min(i, natGateways.length - 1)];
    const routes = new ec2.RouteTable(
      `${name}-private-${i}`,
      {
        vpcId,
        routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
        tags: { ...tags, Name: `${name}-private-${i}` },
      },
      opts,
    );
    routeTables.push(routes);
    egress.push(
      new ec2.RouteTableAssociation(
        `${name}-private-${i}`,
        { subnetId: subnet.id, routeTableId: routes.id },
        opts,
      ),
    );
    return subnet.id;
  });
  return { privateSubnetIds, routeTables, egress };
}

/**
 * Creates a VPC for an EKS cluster from its plan: private subnets for nodes (tagged for internal
 * load balancers), public subnets holding the NAT gateway(s) (tagged for internet-facing load
 * balancers), and a free S3 gateway endpoint so model downloads bypass the NAT gateway.
 */
export function createNetwork(
  name: string,
  clusterName: string,
  plan: NetworkPlan,
  region: pulumi.Input<string>,
  parent: pulumi.Resource,
  tags: Record<string, string> = {},
): Network {
  const opts = { parent };
  const zones = getAvailabilityZonesOutput({ state: "available" }, opts).names;
  const clusterTag = { [`kubernetes.io/cluster/${clusterName}`]: "shared" };
  const vpc = new ec2.Vpc(
    name,
    {
      cidrBlock: plan.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { ...tags, Name: name },
    },
    opts,
  );
  const gateway = new ec2.InternetGateway(
    name,
    { vpcId: vpc.id, tags: { ...tags, Name: name } },
    opts,
  );
  const context: SubnetContext = { name, vpcId: vpc.id, zones, tags, clusterTag, parent };
  const natGateways = createPublicSubnets(context, plan, gateway);
  const { privateSubnetIds, routeTables, egress } = createPrivateSubnets(
    context,
    plan,
    natGateways,
  );
  new ec2.VpcEndpoint(
    `${name}-s3`,
    {
      vpcId: vpc.id,
      serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: routeTables.map((t) => t.id),
      tags: { ...tags, Name: `${name}-s3` },
    },
    opts,
  );
  return { vpcId: vpc.id, privateSubnetIds, egress };
}
