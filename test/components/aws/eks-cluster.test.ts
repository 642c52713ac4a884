import { aws, HybridAiConfigError } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  MOCK_AWS_ACCOUNT_ID,
  MOCK_AWS_REGION,
  settle,
  validateKubernetesObject,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import {
  attachedManagedPolicies,
  irsaRole,
  leastPrivilegeDocument,
  podFromHelmValues,
} from "./iam-assertions";

const { EksCluster } = aws;

const mocks = installMocks({
  outputs: ({ type, inputs }) =>
    type === "aws:eks/cluster:Cluster"
      ? { vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: "sg-0cluster" } }
      : undefined,
});

/** A public endpoint limited to a documentation range: how `pulumi up` reaches the API. */
const REACHABLE = { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] };

async function deploy(name: string, args: ConstructorParameters<typeof EksCluster>[1] = {}) {
  mocks.reset();
  const cluster = new EksCluster(name, { endpoint: REACHABLE, ...args });
  const kubeconfig = JSON.parse(await awaitOutput(cluster.kubeconfig));
  await settle();
  return { cluster, kubeconfig };
}

describe("aws.EksCluster", () => {
  it("creates a KMS-encrypted, audited control plane in API access mode, public only to the allow-list", async () => {
    await deploy("prod");
    const eks = mocks.one("aws:eks/cluster:Cluster").inputs;
    expect(eks).toMatchObject({
      name: "prod",
      version: "1.33",
      vpcConfig: {
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: ["203.0.113.0/24"],
      },
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
      encryptionConfig: { resources: ["secrets"] },
      kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16" },
      upgradePolicy: { supportType: "STANDARD" },
    });
    expect(mocks.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toEqual([]);
    expect(eks.enabledClusterLogTypes).toEqual(["audit", "authenticator"]);
    const key = mocks.one("aws:kms/key:Key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(eks.encryptionConfig.provider.keyArn).toBe(key.state.arn);
    expect(mocks.one("aws:cloudwatch/logGroup:LogGroup").inputs).toMatchObject({
      name: "/aws/eks/prod/cluster",
      retentionInDays: 90,
    });
    expect(attachedManagedPolicies(mocks, "prod-cluster")).toEqual(["AmazonEKSClusterPolicy"]);
    const encryption = leastPrivilegeDocument(
      mocks.one("aws:iam/rolePolicy:RolePolicy", "prod-cluster-encryption").inputs.policy,
    );
    expect(encryption.Statement).toEqual([
      {
        Sid: "EncryptSecretsWithClusterKey",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
        Resource: [key.state.arn],
      },
    ]);
  });

  it("creates a VPC across three zones with private subnets, one NAT gateway and an S3 endpoint", async () => {
    await deploy("net");
    const subnets = mocks.ofType("aws:ec2/subnet:Subnet");
    const privateSubnets = subnets.filter((s) => s.name.includes("private"));
    expect(privateSubnets.map((s) => s.inputs.cidrBlock)).toEqual([
      "10.0.0.0/18",
      "10.0.64.0/18",
      "10.0.128.0/18",
    ]);
    expect(new Set(privateSubnets.map((s) => s.inputs.availabilityZone)).size).toBe(3);
    expect(privateSubnets.map((s) => s.inputs.tags["kubernetes.io/role/internal-elb"])).toEqual([
      "1",
      "1",
      "1",
    ]);
    expect(
      subnets.filter((s) => s.name.includes("public")).map((s) => s.inputs.mapPublicIpOnLaunch),
    ).toEqual([false, false, false]);
    expect(mocks.ofType("aws:ec2/natGateway:NatGateway")).toHaveLength(1);
    const privateRoutes = mocks
      .ofType("aws:ec2/routeTable:RouteTable")
      .filter((t) => t.name.includes("private"));
    // One NAT gateway (the mocks give it the id net-nat-0-id) serves all three private subnets.
    expect(privateRoutes.map((t) => t.inputs.routes)).toEqual(
      Array(3).fill([{ cidrBlock: "0.0.0.0/0", natGatewayId: "net-nat-0-id" }]),
    );
    const endpoint = mocks.one("aws:ec2/vpcEndpoint:VpcEndpoint").inputs;
    expect(endpoint).toMatchObject({
      vpcEndpointType: "Gateway",
      serviceName: `com.amazonaws.${MOCK_AWS_REGION}.s3`,
    });
    expect(endpoint.routeTableIds).toHaveLength(3);
    expect(mocks.one("aws:eks/cluster:Cluster").inputs.vpcConfig.subnetIds).toEqual(
      privateSubnets.map((s) => s.id),
    );
  });

  it("uses existing subnets without creating a VPC, and a public endpoint only with an allow-list", async () => {
    await deploy("existing", {
      subnetIds: ["subnet-a", "subnet-b"],
      endpoint: { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
    });
    expect(mocks.ofType("aws:ec2/vpc:Vpc")).toHaveLength(0);
    expect(mocks.one("aws:eks/cluster:Cluster").inputs.vpcConfig).toMatchObject({
      subnetIds: ["subnet-a", "subnet-b"],
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: ["203.0.113.0/24"],
    });
  });

  it("keeps the endpoint private for a runner in the VPC: 443 opens to its CIDRs and groups, and the provider waits", async () => {
    await deploy("inside", {
      endpoint: {
        privateAccessCidrs: ["10.40.0.0/24"],
        privateAccessSecurityGroupIds: ["sg-0a1b2c3d4e5f60789"],
      },
    });
    expect(mocks.one("aws:eks/cluster:Cluster").inputs.vpcConfig).toMatchObject({
      endpointPrivateAccess: true,
      endpointPublicAccess: false,
    });
    const rules = mocks.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    expect(rules.map((r) => r.inputs)).toEqual([
      expect.objectContaining({
        securityGroupId: "sg-0cluster",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "10.40.0.0/24",
      }),
      expect.objectContaining({
        securityGroupId: "sg-0cluster",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        referencedSecurityGroupId: "sg-0a1b2c3d4e5f60789",
      }),
    ]);
    const provider = mocks.one("pulumi:providers:kubernetes");
    expect(provider.dependencies).toEqual(expect.arrayContaining(rules.map((r) => r.urn)));
  });

  it("manages vpc-cni (NetworkPolicy enforced), kube-proxy and coredns as pinned EKS add-ons, nodes after the network", async () => {
    await deploy("addons");
    const addons = new Map(
      mocks.ofType("aws:eks/addon:Addon").map((a) => [a.inputs.addonName as string, a]),
    );
    const core = ["vpc-cni", "kube-proxy", "coredns"].map((name) => addons.get(name));
    expect(core.map((a) => a?.inputs.addonVersion)).toEqual([
      "v1.20.4-eksbuild.1",
      "v1.33.5-eksbuild.2",
      "v1.12.4-eksbuild.1",
    ]);
    for (const addon of core) {
      expect(addon?.inputs).toMatchObject({
        clusterName: "addons",
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
      });
    }
    const cni = JSON.parse(addons.get("vpc-cni")?.inputs.configurationValues);
    expect(cni).toEqual({ enableNetworkPolicy: "true" });
    const system = mocks.one("aws:eks/nodeGroup:NodeGroup");
    expect(system.dependencies).toEqual(
      expect.arrayContaining([addons.get("vpc-cni")?.urn, addons.get("kube-proxy")?.urn]),
    );
    // CoreDNS needs a node to become ACTIVE: it waits for the system nodes.
    expect(addons.get("coredns")?.dependencies).toContain(system.urn);
  });

  it("gives nodes a role with exactly the three managed policies, and a small on-demand system group", async () => {
    await deploy("nodes");
    expect(attachedManagedPolicies(mocks, "nodes-node")).toEqual([
      "AmazonEC2ContainerRegistryReadOnly",
      "AmazonEKSWorkerNodePolicy",
      "AmazonEKS_CNI_Policy",
    ]);
    const trust = JSON.parse(mocks.one("aws:iam/role:Role", "nodes-node").inputs.assumeRolePolicy);
    expect(trust.Statement).toEqual([
      {
        Sid: "AssumedByService",
        Effect: "Allow",
        Principal: { Service: "ec2.amazonaws.com" },
        Action: ["sts:AssumeRole"],
      },
    ]);
    const system = mocks.one("aws:eks/nodeGroup:NodeGroup");
    expect(system.inputs).toMatchObject({
      nodeGroupName: "nodes-system",
      amiType: "AL2023_x86_64_STANDARD",
      capacityType: "ON_DEMAND",
      instanceTypes: ["m6i.large", "m7i.large"],
      scalingConfig: { minSize: 2, maxSize: 3, desiredSize: 2 },
      labels: { "hybridai.dev/capacity-type": "on-demand" },
    });
    expect(system.inputs.nodeRoleArn).toBe(mocks.one("aws:iam/role:Role", "nodes-node").state.arn);
    expect(system.options.ignoreChanges).toContain("scalingConfig.desiredSize");
  });

  it("launches system nodes with IMDSv2 at hop limit 1 and an encrypted root volume, not the account's defaults", async () => {
    await deploy("lt");
    const template = mocks.one("aws:ec2/launchTemplate:LaunchTemplate", "lt-system");
    expect(template.inputs.metadataOptions).toEqual({
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: "disabled",
    });
    expect(template.inputs.blockDeviceMappings).toEqual([
      {
        deviceName: "/dev/xvda",
        ebs: {
          volumeSize: 30,
          volumeType: "gp3",
          iops: 3000,
          throughput: 125,
          encrypted: "true",
          deleteOnTermination: "true",
        },
      },
    ]);
    const system = mocks.one("aws:eks/nodeGroup:NodeGroup");
    expect(system.inputs.launchTemplate).toEqual({ id: template.id, version: "1" });
  });

  it("builds a kubeconfig on `aws eks get-token` and a Kubernetes provider from it", async () => {
    const { kubeconfig } = await deploy("kc");
    const eks = mocks.one("aws:eks/cluster:Cluster").state;
    expect(kubeconfig.clusters[0].cluster).toEqual({
      server: eks.endpoint,
      "certificate-authority-data": eks.certificateAuthority.data,
    });
    expect(kubeconfig.users[0].user.exec).toMatchObject({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: [
        "eks",
        "get-token",
        "--cluster-name",
        "kc",
        "--region",
        MOCK_AWS_REGION,
        "--output",
        "json",
      ],
    });
    const recorded = mocks.one("pulumi:providers:kubernetes").inputs.kubeconfig;
    // The kubeconfig is passed as a secret: the engine sees a secret envelope around the text.
    expect(typeof recorded).toBe("object");
    expect(JSON.parse(recorded.value)).toEqual(kubeconfig);
  });

  it("trusts the OIDC issuer for IRSA and grants admins cluster-admin access entries", async () => {
    await deploy("ids", { admins: ["arn:aws:iam::123456789012:role/platform"] });
    const oidc = mocks.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs;
    expect(oidc.clientIdLists).toEqual(["sts.amazonaws.com"]);
    expect(oidc.url).toBe(mocks.one("aws:eks/cluster:Cluster").state.identities[0].oidcs[0].issuer);
    expect(mocks.one("aws:eks/accessEntry:AccessEntry").inputs).toMatchObject({
      principalArn: "arn:aws:iam::123456789012:role/platform",
      type: "STANDARD",
    });
    expect(
      mocks.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").inputs,
    ).toMatchObject({
      policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
      accessScope: { type: "cluster" },
    });
  });

  it("installs cluster-autoscaler from a pinned chart with a least-privilege IRSA role", async () => {
    await deploy("ca");
    const release = mocks.one("kubernetes:helm.sh/v3:Release");
    expect(release.inputs).toMatchObject({
      name: "cluster-autoscaler",
      namespace: "kube-system",
      chart: "cluster-autoscaler",
      version: "9.46.6",
      repositoryOpts: { repo: "https://kubernetes.github.io/autoscaler" },
    });
    expect(release.provider).toContain("pulumi:providers:kubernetes");
    expect(release.dependencies).toContain(mocks.one("aws:eks/nodeGroup:NodeGroup").urn);
    const values = release.inputs.values;
    expect(values).toMatchObject({
      cloudProvider: "aws",
      awsRegion: MOCK_AWS_REGION,
      autoDiscovery: { clusterName: "ca" },
      image: { tag: "v1.33.0" },
      nodeSelector: { "eks.amazonaws.com/nodegroup": "ca-system" },
    });
    expect(values.extraArgs.expander).toBe("priority,least-waste");

    const { role, trust, permissions } = irsaRole(mocks, "ca-cluster-autoscaler");
    expect(values.rbac.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toBe(
      role.state.arn,
    );
    const issuer = mocks
      .one("aws:eks/cluster:Cluster")
      .state.identities[0].oidcs[0].issuer.replace("https://", "");
    expect(trust.Statement[0].Condition).toEqual({
      StringEquals: {
        [`${issuer}:sub`]: "system:serviceaccount:kube-system:cluster-autoscaler",
        [`${issuer}:aud`]: "sts.amazonaws.com",
      },
    });
    const scale = permissions.Statement.find((s) =>
      s.Action.includes("autoscaling:SetDesiredCapacity"),
    );
    expect(scale?.Condition).toEqual({
      StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/ca": "owned" },
    });
    const nodegroups = permissions.Statement.find((s) =>
      s.Action.includes("eks:DescribeNodegroup"),
    );
    expect(nodegroups?.Resource).toEqual([
      `arn:aws:eks:${MOCK_AWS_REGION}:${MOCK_AWS_ACCOUNT_ID}:nodegroup/ca/*`,
    ]);

    const objects = validateKubernetesObjects(mocks.resources);
    expect(objects.map((o) => o.status)).toEqual(["skipped"]);
    expect(validateKubernetesObject(podFromHelmValues(values, "cluster-autoscaler")).status).toBe(
      "validated",
    );
  });

  it("tags every taggable AWS resource it creates", async () => {
    await deploy("tagged", { tags: { team: "ml" } });
    const taggable = [
      "aws:ec2/vpc:Vpc",
      "aws:ec2/subnet:Subnet",
      "aws:ec2/routeTable:RouteTable",
      "aws:ec2/internetGateway:InternetGateway",
      "aws:ec2/eip:Eip",
      "aws:ec2/natGateway:NatGateway",
      "aws:ec2/vpcEndpoint:VpcEndpoint",
      "aws:iam/role:Role",
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "aws:kms/key:Key",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:eks/cluster:Cluster",
      "aws:eks/nodeGroup:NodeGroup",
      "aws:eks/addon:Addon",
    ];
    const records = mocks.resources.filter((r) => taggable.includes(r.type));
    expect(records.length).toBeGreaterThan(20);
    expect(
      records.filter((r) => r.inputs.tags?.team !== "ml").map((r) => `${r.type} ${r.name}`),
    ).toEqual([]);
  });

  it("installs metrics-server as the EKS add-on after the system nodes, so HorizontalPodAutoscalers get CPU metrics", async () => {
    await deploy("metrics");
    const addon = mocks
      .ofType("aws:eks/addon:Addon")
      .find((a) => a.inputs.addonName === "metrics-server");
    expect(addon?.inputs).toMatchObject({
      clusterName: "metrics",
      addonVersion: "v0.8.0-eksbuild.2",
      resolveConflictsOnCreate: "OVERWRITE",
    });
    expect(addon?.dependencies).toContain(mocks.one("aws:eks/nodeGroup:NodeGroup").urn);
  });

  it("leaves metrics-server out when the cluster brings its own", async () => {
    await deploy("own-metrics", { metricsServer: false });
    const names = mocks.ofType("aws:eks/addon:Addon").map((a) => a.inputs.addonName);
    expect(names).toHaveLength(3);
    expect(names).not.toContain("metrics-server");
  });

  it("leaves cluster-autoscaler out when asked", async () => {
    await deploy("noca", { clusterAutoscaler: false });
    expect(mocks.ofType("kubernetes:helm.sh/v3:Release")).toHaveLength(0);
  });

  it.each([
    [{ endpoint: { publicAccess: false } }, "endpoint"],
    [{ endpoint: undefined }, "endpoint"],
    [{ version: "1.20" }, "version"],
    [{ endpoint: { publicAccess: true } }, "endpoint.publicAccessCidrs"],
    [
      { endpoint: { publicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } },
      "endpoint.publicAccessCidrs",
    ],
    [{ subnetIds: ["subnet-a"] }, "subnetIds"],
    [{ subnetIds: ["subnet-a", "subnet-b"], vpc: {} }, "vpc"],
    [{ vpc: { cidr: "10.0.0.0/8" } }, "vpc.cidr"],
    [{ logTypes: ["api"] }, "logTypes"],
    [{ logRetentionDays: 45 }, "logRetentionDays"],
    [{ systemNodes: { min: 3, max: 2 } }, "systemNodes.max"],
  ] as const)("rejects %j naming %s, before creating anything", async (args, field) => {
    mocks.reset();
    let error: unknown;
    try {
      new EksCluster("bad", { endpoint: REACHABLE, ...args } as never);
    } catch (e) {
      error = e;
    }
    await settle();
    expect(error).toBeInstanceOf(HybridAiConfigError);
    expect((error as HybridAiConfigError).component).toBe("AwsEksCluster");
    expect((error as HybridAiConfigError).field).toBe(field);
    expect(mocks.resources).toHaveLength(0);
  });
});
