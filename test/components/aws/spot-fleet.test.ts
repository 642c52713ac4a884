import { aws } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  MOCK_AWS_ACCOUNT_ID,
  MOCK_AWS_REGION,
  settle,
  validateKubernetesObject,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  attachedManagedPolicies,
  irsaRole,
  leastPrivilegeDocument,
  podFromHelmValues,
} from "./iam-assertions";

/** A public endpoint limited to a documentation range: how `pulumi up` reaches the API. */
const REACHABLE = { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] };

const { EksCluster, SpotFleet } = aws;

const mocks = installMocks({
  outputs: ({ type, inputs }) =>
    type === "aws:eks/cluster:Cluster"
      ? { vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: "sg-0cluster" } }
      : undefined,
});

let fleet: aws.SpotFleet;

beforeAll(async () => {
  const cluster = new EksCluster("prod", { clusterAutoscaler: false, endpoint: REACHABLE });
  fleet = new SpotFleet("l4", {
    cluster,
    accelerator: { type: "nvidia-l4" },
    capacity: { min: 1, max: 10, spot: { onDemandBase: 1, onDemandPercentAboveBase: 20 } },
  });
  await awaitOutput(fleet.terminationHandlerRoleArn);
  await settle();
});

describe("aws.SpotFleet Auto Scaling group", () => {
  it("honours the on-demand base and percentage exactly with a mixed-instances policy", () => {
    const group = mocks.one("aws:autoscaling/group:Group").inputs;
    expect(group).toMatchObject({
      name: "hybridai-fleet-prod-l4",
      minSize: 1,
      maxSize: 10,
      desiredCapacity: 1,
      capacityRebalance: true,
      mixedInstancesPolicy: {
        instancesDistribution: {
          onDemandBaseCapacity: 1,
          onDemandPercentageAboveBaseCapacity: 20,
          spotAllocationStrategy: "price-capacity-optimized",
        },
      },
    });
    expect(group.mixedInstancesPolicy.launchTemplate.overrides).toEqual([
      { instanceType: "g6.xlarge" },
      { instanceType: "g6.2xlarge" },
      { instanceType: "g6.4xlarge" },
    ]);
    expect(group.initialLifecycleHooks).toEqual([
      {
        name: "drain-before-terminate",
        lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
        defaultResult: "CONTINUE",
        heartbeatTimeout: 300,
      },
    ]);
    expect(group.vpcZoneIdentifiers).toHaveLength(3);
    expect(mocks.one("aws:autoscaling/group:Group").options.ignoreChanges).toContain(
      "desiredCapacity",
    );
    // Instances boot once the VPC CNI (with NetworkPolicy) and kube-proxy add-ons and the NAT routes exist.
    const network = [
      ...mocks
        .ofType("aws:eks/addon:Addon")
        .filter((a) => ["vpc-cni", "kube-proxy"].includes(a.inputs.addonName)),
      ...mocks
        .ofType("aws:ec2/routeTableAssociation:RouteTableAssociation")
        .filter((a) => a.name.includes("private")),
    ].map((r) => r.urn);
    expect(network).toHaveLength(5);
    expect(mocks.one("aws:autoscaling/group:Group").dependencies).toEqual(
      expect.arrayContaining(network),
    );
    expect(fleet.split).toEqual({
      onDemand: { min: 1, max: 3, desired: 1 },
      spot: { min: 0, max: 7, desired: 0 },
    });
  });

  it("joins nodes as self-managed AL2023 nodes with their own role, profile and EC2_LINUX access entry", () => {
    expect(attachedManagedPolicies(mocks, "l4-node")).toEqual([
      "AmazonEC2ContainerRegistryReadOnly",
      "AmazonEKSWorkerNodePolicy",
      "AmazonEKS_CNI_Policy",
    ]);
    const role = mocks.one("aws:iam/role:Role", "l4-node");
    expect(mocks.one("aws:iam/instanceProfile:InstanceProfile").inputs.role).toBe(role.state.name);
    expect(mocks.one("aws:eks/accessEntry:AccessEntry").inputs).toMatchObject({
      clusterName: "prod",
      principalArn: role.state.arn,
      type: "EC2_LINUX",
    });
    const group = mocks.one("aws:autoscaling/group:Group");
    expect(group.dependencies).toContain(mocks.one("aws:eks/accessEntry:AccessEntry").urn);
    const template = mocks.one("aws:ec2/launchTemplate:LaunchTemplate", "l4").inputs;
    expect(template.vpcSecurityGroupIds).toEqual(["sg-0cluster"]);
    expect(template.metadataOptions).toMatchObject({
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    });
    expect(template.blockDeviceMappings[0].ebs).toMatchObject({
      encrypted: "true",
      volumeType: "gp3",
    });
    const amiCall = mocks.calls.find((c) => c.token === "aws:ssm/getParameter:getParameter");
    expect(amiCall?.inputs.name).toBe(
      "/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/nvidia/recommended/image_id",
    );
    expect(template.imageId).toMatch(/^ami-/);
    const userData = Buffer.from(template.userData, "base64").toString("utf8");
    const nodeConfig = parse(
      userData.split("Content-Type: application/node.eks.aws\n\n")[1].split("\n--")[0],
    );
    const eks = mocks.one("aws:eks/cluster:Cluster").state;
    expect(nodeConfig.spec.cluster).toEqual({
      name: "prod",
      apiServerEndpoint: eks.endpoint,
      certificateAuthority: eks.certificateAuthority.data,
      cidr: "172.20.0.0/16",
    });
  });

  it("tags the group for cluster-autoscaler discovery", () => {
    const tags = mocks.one("aws:autoscaling/group:Group").inputs.tags as {
      key: string;
      value: string;
    }[];
    const keys = tags.map((t) => t.key);
    expect(keys).toContain("k8s.io/cluster-autoscaler/enabled");
    expect(keys).toContain("k8s.io/cluster-autoscaler/prod");
  });
});

describe("aws.SpotFleet interruption handling", () => {
  it("feeds an SSE-encrypted queue from EventBridge rules for every interruption event", () => {
    const queue = mocks.one("aws:sqs/queue:Queue");
    expect(queue.inputs).toMatchObject({
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 300,
    });
    const rules = mocks.ofType("aws:cloudwatch/eventRule:EventRule");
    const patterns = rules.map((r) => JSON.parse(r.inputs.eventPattern));
    expect(patterns.map((p) => p["detail-type"][0]).sort()).toEqual([
      "AWS Health Event",
      "EC2 Instance Rebalance Recommendation",
      "EC2 Instance State-change Notification",
      "EC2 Instance-terminate Lifecycle Action",
      "EC2 Spot Instance Interruption Warning",
    ]);
    const targets = mocks.ofType("aws:cloudwatch/eventTarget:EventTarget");
    expect(targets).toHaveLength(5);
    expect(targets.every((t) => t.inputs.arn === queue.state.arn)).toBe(true);
    expect(targets.map((t) => t.inputs.rule).sort()).toEqual(rules.map((r) => r.state.name).sort());

    const policy = leastPrivilegeDocument(
      mocks.one("aws:sqs/queuePolicy:QueuePolicy").inputs.policy,
    );
    expect(policy.Statement[0].Principal).toEqual({
      Service: ["events.amazonaws.com", "sqs.amazonaws.com"],
    });
    expect(policy.Statement[0].Resource).toEqual([queue.state.arn]);
    expect(policy.Statement[0].Condition?.ArnEquals["aws:SourceArn"]).toEqual(
      rules.map((r) => r.state.arn),
    );
  });

  it("runs aws-node-termination-handler in queue mode from a pinned chart with a scoped IRSA role", () => {
    const release = mocks.one("kubernetes:helm.sh/v3:Release");
    expect(release.inputs).toMatchObject({
      name: "nth-l4",
      namespace: "kube-system",
      chart: "oci://public.ecr.aws/aws-ec2/helm/aws-node-termination-handler",
      version: "0.27.0",
    });
    const queue = mocks.one("aws:sqs/queue:Queue").state;
    const { role, trust, permissions } = irsaRole(mocks, "l4-termination-handler");
    expect(release.inputs.values).toMatchObject({
      enableSqsTerminationDraining: true,
      queueURL: queue.url,
      awsRegion: MOCK_AWS_REGION,
      managedTag: "aws-node-termination-handler/hybridai-fleet-prod-l4",
      serviceAccount: {
        name: "nth-l4",
        annotations: { "eks.amazonaws.com/role-arn": role.state.arn },
      },
    });
    expect(Object.values(trust.Statement[0].Condition?.StringEquals ?? {})).toEqual([
      "system:serviceaccount:kube-system:nth-l4",
      "sts.amazonaws.com",
    ]);
    expect(permissions.Statement.find((s) => s.Sid === "ConsumeOwnQueue")?.Resource).toEqual([
      queue.arn,
    ]);
    expect(
      permissions.Statement.find((s) => s.Sid === "CompleteOwnLifecycleActions")?.Resource,
    ).toEqual([
      `arn:aws:autoscaling:${MOCK_AWS_REGION}:${MOCK_AWS_ACCOUNT_ID}:autoScalingGroup:*:autoScalingGroupName/hybridai-fleet-prod-l4`,
    ]);
    expect(release.dependencies).toContain(
      mocks.one("aws:eks/nodeGroup:NodeGroup", "prod-system").urn,
    );
    expect(validateKubernetesObjects(mocks.resources).map((o) => [o.kind, o.status])).toEqual([
      ["Release", "skipped"],
    ]);
    expect(
      validateKubernetesObject(podFromHelmValues(release.inputs.values, "nth-l4")).status,
    ).toBe("validated");
  });
});

describe("aws.SpotFleet validation", () => {
  it("rejects an invalid spec before registering the component or any child", async () => {
    const cluster = new EksCluster("other", { clusterAutoscaler: false, endpoint: REACHABLE });
    await settle();
    const before = mocks.resources.length;
    expect(
      () =>
        new SpotFleet("bad", {
          cluster,
          accelerator: { type: "nvidia-a100-80gb", count: 8 },
          capacity: { min: 0, max: 4, spot: { onDemandBase: 1 } },
          instanceTypes: ["p5.48xlarge"],
        }),
    ).toThrow(/AwsSpotFleet: instanceTypes = "p5.48xlarge" is not valid. Allowed: p4de.24xlarge/);
    await settle();
    expect(mocks.resources).toHaveLength(before);
  });
});
