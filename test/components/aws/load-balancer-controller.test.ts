import { aws } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  MOCK_AWS_ACCOUNT_ID,
  MOCK_AWS_REGION,
  settle,
  validateKubernetesObject,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { irsaRole, podFromHelmValues } from "./iam-assertions";
import { isAllowed } from "./iam-evaluate";

const { EksCluster, LOAD_BALANCER_CONTROLLER_CHART, loadBalancerControllerPolicy } = aws;

const mocks = installMocks({
  outputs: ({ type, inputs }) =>
    type === "aws:eks/cluster:Cluster"
      ? {
          vpcConfig: {
            ...inputs.vpcConfig,
            clusterSecurityGroupId: "sg-0cluster",
            vpcId: "vpc-0mock",
          },
        }
      : undefined,
});

const REACHABLE = { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] };

describe("aws.EksCluster with the AWS Load Balancer Controller", async () => {
  mocks.reset();
  const cluster = new EksCluster("edge", {
    endpoint: REACHABLE,
    clusterAutoscaler: false,
    loadBalancerController: true,
    vpc: { cidr: "10.40.0.0/16" },
  });
  await awaitOutput(cluster.kubeconfig);
  await settle();
  const release = mocks.one("kubernetes:helm.sh/v3:Release");

  it("installs the pinned chart on the system nodes, after them, through the cluster's provider", () => {
    expect(LOAD_BALANCER_CONTROLLER_CHART).toEqual({
      chart: "aws-load-balancer-controller",
      version: "1.14.0",
      repo: "https://aws.github.io/eks-charts",
    });
    expect(release.inputs).toMatchObject({
      name: "aws-load-balancer-controller",
      namespace: "kube-system",
      chart: "aws-load-balancer-controller",
      version: "1.14.0",
      repositoryOpts: { repo: "https://aws.github.io/eks-charts" },
    });
    expect(release.provider).toContain("pulumi:providers:kubernetes");
    expect(release.dependencies).toContain(mocks.one("aws:eks/nodeGroup:NodeGroup").urn);
  });

  it("passes region and VPC (pods cannot read IMDS), runs non-root and only the NLB features", () => {
    const vpc = mocks.one("aws:ec2/vpc:Vpc");
    expect(release.inputs.values).toMatchObject({
      clusterName: "edge",
      region: MOCK_AWS_REGION,
      vpcId: vpc.id,
      replicaCount: 2,
      createIngressClassResource: false,
      enableServiceMutatorWebhook: false,
      enableShield: false,
      enableWaf: false,
      enableWafv2: false,
      nodeSelector: { "eks.amazonaws.com/nodegroup": "edge-system" },
    });
    expect(
      validateKubernetesObject(podFromHelmValues(release.inputs.values, "lb-controller")).status,
    ).toBe("validated");
  });

  it("outputs the VPC and its CIDR for the serving pods' NetworkPolicy", async () => {
    expect(await awaitOutput(cluster.vpcCidrBlock)).toBe("10.40.0.0/16");
    expect(await awaitOutput(cluster.vpcId)).toBe(mocks.one("aws:ec2/vpc:Vpc").id);
    expect(cluster.loadBalancerController).toBeDefined();
  });

  it("binds the controller's service account alone to a least-privilege IRSA role", () => {
    const { role, trust, permissions } = irsaRole(mocks, "edge-lb-controller");
    expect(release.inputs.values.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toBe(
      role.state.arn,
    );
    expect(role.inputs.namePrefix).toBe("edge-lb-controller-");
    const issuer = mocks
      .one("aws:eks/cluster:Cluster")
      .state.identities[0].oidcs[0].issuer.replace("https://", "");
    expect(trust.Statement[0].Condition).toEqual({
      StringEquals: {
        [`${issuer}:sub`]: "system:serviceaccount:kube-system:aws-load-balancer-controller",
        [`${issuer}:aud`]: "sts.amazonaws.com",
      },
    });
    expect(permissions).toEqual(
      loadBalancerControllerPolicy({
        partition: "aws",
        region: MOCK_AWS_REGION,
        accountId: MOCK_AWS_ACCOUNT_ID,
      }),
    );
  });
});

describe("loadBalancerControllerPolicy", () => {
  const policy = loadBalancerControllerPolicy({
    partition: "aws",
    region: "eu-west-1",
    accountId: "111122223333",
  });
  const statements = policy.Statement;
  const withAction = (action: string) => statements.filter((s) => s.Action.includes(action));

  it("grants writes only on resources of this account and region", () => {
    const writes = statements.filter((s) =>
      s.Action.some((a) => !/:(Describe|Get|List)/.test(a) && a !== "iam:CreateServiceLinkedRole"),
    );
    expect(writes.length).toBeGreaterThan(5);
    for (const statement of writes) {
      expect(statement.Resource?.length).toBeGreaterThan(0);
      for (const resource of statement.Resource ?? []) {
        expect(resource).toMatch(/^arn:aws:(ec2|elasticloadbalancing):eu-west-1:111122223333:/);
      }
    }
  });

  it("deletes and modifies only what the controller tagged, and tags only at creation", () => {
    const managed = { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } };
    expect(withAction("ec2:DeleteSecurityGroup")[0].Condition).toEqual(managed);
    expect(withAction("elasticloadbalancing:DeleteLoadBalancer")[0].Condition).toEqual(managed);
    expect(withAction("elasticloadbalancing:CreateLoadBalancer")[0].Condition).toEqual({
      Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" },
    });
    expect(withAction("iam:CreateServiceLinkedRole")[0].Condition).toEqual({
      StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" },
    });
  });

  const listener =
    "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/net/k8s-serving-ranker/50dc6c495c0c9188/f2f7dc8efc522ab2";

  it("lets v2.14 tag each NLB listener as it creates it (ListenerRulesTagging, on by default)", () => {
    const tagAtCreation = {
      action: "elasticloadbalancing:AddTags",
      resource: listener,
      context: {
        "elasticloadbalancing:CreateAction": "CreateListener",
        "aws:RequestTag/elbv2.k8s.aws/cluster": "prod",
      },
    };
    expect(isAllowed(policy, tagAtCreation)).toBe(true);
    expect(
      isAllowed(policy, {
        action: "elasticloadbalancing:CreateListener",
        resource: listener.replace(":listener/", ":loadbalancer/").replace(/\/[^/]+$/, ""),
      }),
    ).toBe(true);
    expect(
      isAllowed(policy, { ...tagAtCreation, resource: listener.replace("eu-west-1", "us-east-1") }),
    ).toBe(false);
  });

  it("lets v2.14 describe the rules of every listener, NLB listeners included", () => {
    expect(isAllowed(policy, { action: "elasticloadbalancing:DescribeRules", resource: "*" })).toBe(
      true,
    );
  });

  it("leaves out Application Load Balancer, WAF, Shield and Cognito permissions", () => {
    const actions = statements.flatMap((s) => s.Action);
    expect(actions.length).toBeGreaterThan(30);
    expect(actions.filter((a) => /^(wafv2|waf-regional|shield|cognito-idp):/.test(a))).toEqual([]);
    expect(actions).not.toContain("elasticloadbalancing:SetWebAcl");
    expect(statements.flatMap((s) => s.Resource ?? []).filter((r) => r.includes("/app/"))).toEqual(
      [],
    );
    expect(aws.wildcardGrants(policy)).toEqual([]);
  });
});
