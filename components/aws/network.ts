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
  const publicRoutes = new ec2.RouteTable(
    `${name}-public`,
    {
      vpcId: vpc.id,
      routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }],
      tags: { ...tags, Name: `${name}-public` },
    },
    opts,
  );
  const publicSubnets = plan.publicSubnetCidrs.map((cidrBlock, i) => {
    const subnet = new ec2.Subnet(
      `${name}-public-${i}`,
      {
        vpcId: vpc.id,
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
  const natGateways = Array.from({ length: plan.natGatewayCount }, (_, i) => {
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
  const privateRouteTables: ec2.RouteTable[] = [];
  const egress: pulumi.Resource[] = [];
  const privateSubnetIds = plan.privateSubnetCidrs.map((cidrBlock, i) => {
    const subnet = new ec2.Subnet(
      `${name}-private-${i}`,
      {
        vpcId: vpc.id,
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
        vpcId: vpc.id,
        routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
        tags: { ...tags, Name: `${name}-private-${i}` },
      },
      opts,
    );
    privateRouteTables.push(routes);
    egress.push(
      new ec2.RouteTableAssociation(
        `${name}-private-${i}`,
        { subnetId: subnet.id, routeTableId: routes.id },
        opts,
      ),
    );
    return subnet.id;
  });
  new ec2.VpcEndpoint(
    `${name}-s3`,
    {
      vpcId: vpc.id,
      serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: privateRouteTables.map((t) => t.id),
      tags: { ...tags, Name: `${name}-s3` },
    },
    opts,
  );
  return { vpcId: vpc.id, privateSubnetIds, egress };
}
