import { addonPlacement, IRSA_ANNOTATION } from "./addon-placement";
import type { PinnedChart } from "./helm-charts";
import type { AwsAccount } from "./iam-policies";
import { type PolicyDocument, type PolicyStatement, policyDocument } from "./policy-document";

/**
 * The AWS Load Balancer Controller's chart (aws/eks-charts): chart 1.14.0 runs controller
 * v2.14.0, which reconciles `Service`s of `loadBalancerClass: service.k8s.aws/nlb` into Network
 * Load Balancers with IP targets.
 */
export const LOAD_BALANCER_CONTROLLER_CHART: PinnedChart = {
  chart: "aws-load-balancer-controller",
  version: "1.14.0",
  repo: "https://aws.github.io/eks-charts",
};

/** The namespace and service account the controller runs as (its IRSA role trusts exactly this). */
export const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = {
  namespace: "kube-system",
  name: "aws-load-balancer-controller",
} as const;

/**
 * The tag the controller puts on every security group, load balancer and target group it
 * creates (`elbv2.k8s.aws/cluster: <cluster>`); its write permissions are conditioned on it.
 */
export const LOAD_BALANCER_CONTROLLER_TAG = "elbv2.k8s.aws/cluster";

/** The ARNs the controller's statements name, in one account and region. */
interface ControllerArns {
  /** An Elastic Load Balancing ARN of the account and region. */
  elb: (resource: string) => string;
  /** Every security group of the account and region. */
  securityGroups: string;
  /** Every VPC of the account and region. */
  vpcs: string;
  /** Only resources carrying the controller's cluster tag. */
  managedOnly: { Null: Record<string, string> };
}

/**
 * The lookups: the ELB service-linked role, the describe calls (no resource scoping exists for
 * them) and certificate lookup.
 */
function lookupStatements(): PolicyStatement[] {
  return [
    {
      Sid: "CreateElbServiceLinkedRole",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: ["*"],
      Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
    },
    {
      Sid: "DescribeNetworkAndLoadBalancers",
      Effect: "Allow",
      Action: [
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeTags",
        "ec2:DescribeRouteTables",
        "ec2:GetSecurityGroupsForVpc",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:DescribeListenerCertificates",
        "elasticloadbalancing:DescribeSSLPolicies",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeCapacityReservation",
      ],
      Resource: ["*"],
    },
    {
      Sid: "LookUpListenerCertificates",
      Effect: "Allow",
      Action: ["acm:ListCertificates", "acm:DescribeCertificate"],
      Resource: ["*"],
    },
  ];
}

/**
 * Security groups: create in the VPC, tag at creation, retag, open to load balancers, and delete
 * only the controller's own.
 */
function securityGroupStatements({
  securityGroups,
  vpcs,
  managedOnly,
}: ControllerArns): PolicyStatement[] {
  return [
    {
      Sid: "CreateSecurityGroupsInTheVpc",
      Effect: "Allow",
      Action: ["ec2:CreateSecurityGroup"],
      Resource: [securityGroups, vpcs],
    },
    {
      Sid: "TagSecurityGroupsAtCreation",
      Effect: "Allow",
      Action: ["ec2:CreateTags"],
      Resource: [securityGroups],
      Condition: {
        StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" },
        Null: { [`aws:RequestTag/${LOAD_BALANCER_CONTROLLER_TAG}`]: "false" },
      },
    },
    {
      Sid: "RetagOwnSecurityGroups",
      Effect: "Allow",
      Action: ["ec2:CreateTags", "ec2:DeleteTags"],
      Resource: [securityGroups],
      Condition: {
        Null: {
          [`aws:RequestTag/${LOAD_BALANCER_CONTROLLER_TAG}`]: "true",
          [`aws:ResourceTag/${LOAD_BALANCER_CONTROLLER_TAG}`]: "false",
        },
      },
    },
    {
      Sid: "OpenNodeSecurityGroupsToLoadBalancers",
      Effect: "Allow",
      Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
      Resource: [securityGroups],
    },
    {
      Sid: "DeleteOwnSecurityGroups",
      Effect: "Allow",
      Action: ["ec2:DeleteSecurityGroup"],
      Resource: [securityGroups],
      Condition: managedOnly,
    },
  ];
}

/**
 * Network Load Balancers, target groups and listeners: created tagged, changed and deleted only
 * when they carry the controller's tag.
 */
function loadBalancerStatements({ elb, managedOnly }: ControllerArns): PolicyStatement[] {
  return [
    {
      Sid: "CreateTaggedLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      Resource: [elb("loadbalancer/net/*/*"), elb("targetgroup/*/*")],
      Condition: { Null: { [`aws:RequestTag/${LOAD_BALANCER_CONTROLLER_TAG}`]: "false" } },
    },
    {
      Sid: "TagAtCreation",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags"],
      Resource: [elb("loadbalancer/net/*/*"), elb("targetgroup/*/*")],
      Condition: {
        StringEquals: {
          "elasticloadbalancing:CreateAction": ["CreateLoadBalancer", "CreateTargetGroup"],
        },
        Null: { [`aws:RequestTag/${LOAD_BALANCER_CONTROLLER_TAG}`]: "false" },
      },
    },
    {
      Sid: "RetagOwnLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      Resource: [elb("loadbalancer/net/*/*"), elb("targetgroup/*/*")],
      Condition: {
        Null: {
          [`aws:RequestTag/${LOAD_BALANCER_CONTROLLER_TAG}`]: "true",
          [`aws:ResourceTag/${LOAD_BALANCER_CONTROLLER_TAG}`]: "false",
        },
      },
    },
    {
      Sid: "TagListenersAndRules",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      Resource: [elb("listener/net/*/*/*"), elb("listener-rule/net/*/*/*")],
    },
    {
      Sid: "ManageOwnLoadBalancers",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:ModifyCapacityReservation",
      ],
      Resource: [elb("loadbalancer/net/*/*"), elb("targetgroup/*/*"), elb("listener/net/*/*/*")],
      Condition: managedOnly,
    },
    {
      Sid: "RegisterPodTargets",
      Effect: "Allow",
      Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
      Resource: [elb("targetgroup/*/*")],
    },
    {
      Sid: "ManageListenersOfNetworkLoadBalancers",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:RemoveListenerCertificates",
      ],
      Resource: [elb("loadbalancer/net/*/*"), elb("listener/net/*/*/*")],
    },
  ];
}

/**
 * The controller's permissions: the upstream `docs/install/iam_policy.json` of v2.14.0 narrowed to
 * what Network Load Balancers for Services need (`test/fixtures/upstream/` holds that file's
 * grants and a test checks every one of them against this document). The describe calls
 * (`DescribeRules` included: v2.14's listener-rule synthesizer runs for NLB listeners too) support
 * no resource scoping; certificate lookup serves TLS listeners; listeners and listener rules may be
 * tagged (the `ListenerRulesTagging` feature gate, on by default, tags a listener as it is
 * created); other writes touch only security groups, load balancers, target groups and listeners
 * that carry (or are created with) the controller's cluster tag, in this account and region.
 * Application Load Balancer, WAF, Shield, Cognito, customer-owned IP and IPAM permissions are left
 * out (the chart's values switch those features off, or they exist only for ALBs), and no
 * statement allows `*` or `service:*` on `*`.
 */
export function loadBalancerControllerPolicy(account: AwsAccount): PolicyDocument {
  const { partition, region, accountId } = account;
  const arns: ControllerArns = {
    elb: (resource: string) =>
      `arn:${partition}:elasticloadbalancing:${region}:${accountId}:${resource}`,
    securityGroups: `arn:${partition}:ec2:${region}:${accountId}:security-group/*`,
    vpcs: `arn:${partition}:ec2:${region}:${accountId}:vpc/*`,
    managedOnly: { Null: { [`aws:ResourceTag/${LOAD_BALANCER_CONTROLLER_TAG}`]: "false" } },
  };
  return policyDocument(
    ...lookupStatements(),
    ...securityGroupStatements(arns),
    ...loadBalancerStatements(arns),
  );
}

/** What the controller's Helm values depend on. */
export interface LoadBalancerControllerSpec {
  /** EKS cluster name (tags and discovery). */
  clusterName: string;
  /** Region of the cluster: passed explicitly, because IMDSv2 with a hop limit of 1 hides it from pods. */
  region: string;
  /** VPC of the cluster: passed explicitly for the same reason. */
  vpcId: string;
  /** The IRSA role ARN for its service account. */
  roleArn: string;
  /** The system node group it runs on. */
  systemNodeGroupName: string;
}

/**
 * Helm values of the controller: region and VPC given (pods cannot read them from IMDS), the
 * IRSA-annotated service account, two replicas with a disruption budget on the on-demand system
 * nodes, non-root, and only the Network Load Balancer features: no IngressClass, no WAF or Shield
 * calls, and no mutating webhook on Services (only Services that name
 * `loadBalancerClass: service.k8s.aws/nlb` get an NLB; other LoadBalancer Services are left alone).
 */
export function loadBalancerControllerValues(
  spec: LoadBalancerControllerSpec,
): Record<string, unknown> {
  return {
    clusterName: spec.clusterName,
    region: spec.region,
    vpcId: spec.vpcId,
    replicaCount: 2,
    podDisruptionBudget: { maxUnavailable: 1 },
    serviceAccount: {
      create: true,
      name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT.name,
      annotations: { [IRSA_ANNOTATION]: spec.roleArn },
    },
    createIngressClassResource: false,
    enableServiceMutatorWebhook: false,
    enableShield: false,
    enableWaf: false,
    enableWafv2: false,
    ...addonPlacement(spec.systemNodeGroupName),
    podSecurityContext: {
      runAsNonRoot: true,
      fsGroup: 65534,
      seccompProfile: { type: "RuntimeDefault" },
    },
    securityContext: {
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    },
  };
}
