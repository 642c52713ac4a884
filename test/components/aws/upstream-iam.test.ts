import { aws } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import { LOAD_BALANCER_CONTROLLER_IAM } from "../../fixtures/upstream/aws-load-balancer-controller";
import { TERMINATION_HANDLER_IAM } from "../../fixtures/upstream/aws-node-termination-handler";
import { CLUSTER_AUTOSCALER_IAM } from "../../fixtures/upstream/cluster-autoscaler";
import type { UpstreamIamPolicy } from "../../fixtures/upstream/types";
import {
  deniedUpstreamRequests,
  instantiate,
  ORACLE_ACCOUNT,
  type PolicyReview,
  staleReviewEntries,
} from "./upstream-iam";

const {
  clusterAutoscalerPolicy,
  LOAD_BALANCER_CONTROLLER_CHART,
  loadBalancerControllerPolicy,
  terminationHandlerPolicy,
} = aws;
type PolicyDocument = aws.PolicyDocument;

const CLUSTER = "prod";
const OWNED = { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${CLUSTER}`]: "owned" };

const ALB_ONLY =
  "Application Load Balancers only (Ingress objects; the chart runs with createIngressClassResource false)";
const WAF =
  "WAF attaches to Application Load Balancers only; the chart runs with enableWaf and enableWafv2 false";
const SHIELD =
  "the controller protects Application Load Balancers only; the chart runs with enableShield false";

/** What hybridai's NLB-only controller policy leaves out of upstream's, and where it narrows `*`. */
const LOAD_BALANCER_CONTROLLER_REVIEW: PolicyReview = {
  leftOut: {
    "cognito-idp:DescribeUserPoolClient": `Cognito authentication is a listener rule action of ${ALB_ONLY}`,
    "iam:ListServerCertificates": `certificate discovery by host name serves ${ALB_ONLY}; NLB Services name their ACM certificate`,
    "iam:GetServerCertificate": `certificate discovery by host name serves ${ALB_ONLY}; NLB Services name their ACM certificate`,
    "waf-regional:GetWebACL": WAF,
    "waf-regional:GetWebACLForResource": WAF,
    "waf-regional:AssociateWebACL": WAF,
    "waf-regional:DisassociateWebACL": WAF,
    "wafv2:GetWebACL": WAF,
    "wafv2:GetWebACLForResource": WAF,
    "wafv2:AssociateWebACL": WAF,
    "wafv2:DisassociateWebACL": WAF,
    "elasticloadbalancing:SetWebAcl": WAF,
    "shield:GetSubscriptionState": SHIELD,
    "shield:DescribeProtection": SHIELD,
    "shield:CreateProtection": SHIELD,
    "shield:DeleteProtection": SHIELD,
    "ec2:GetCoipPoolUsage": `customer-owned IPv4 pools (Outposts) are an annotation of ${ALB_ONLY}`,
    "ec2:DescribeCoipPools": `customer-owned IPv4 pools (Outposts) are an annotation of ${ALB_ONLY}`,
    "ec2:DescribeIpamPools": `IPAM pools for load balancer addresses are set by IngressClassParams: ${ALB_ONLY}`,
    "elasticloadbalancing:ModifyIpPools": `IPAM pools for load balancer addresses are set by IngressClassParams: ${ALB_ONLY}`,
    "elasticloadbalancing:DescribeTrustStores": `mutual TLS trust stores belong to HTTPS listeners of ${ALB_ONLY}`,
    "elasticloadbalancing:CreateRule": `NLB listeners have only a default action; listener rules route HTTP for ${ALB_ONLY}`,
    "elasticloadbalancing:DeleteRule": `NLB listeners have only a default action; listener rules route HTTP for ${ALB_ONLY}`,
    "elasticloadbalancing:ModifyRule": `NLB listeners have only a default action; listener rules route HTTP for ${ALB_ONLY}`,
    "elasticloadbalancing:SetRulePriorities": `NLB listeners have only a default action; listener rules route HTTP for ${ALB_ONLY}`,
  },
  leftOutResources: { "/app/": ALB_ONLY },
  narrowed: {
    "ec2:AuthorizeSecurityGroupIngress": {
      resources: ["arn:aws:ec2:*:*:security-group/*"],
      reason: "authorised on the security group",
    },
    "ec2:RevokeSecurityGroupIngress": {
      resources: ["arn:aws:ec2:*:*:security-group/*"],
      reason: "authorised on the security group",
    },
    "ec2:DeleteSecurityGroup": {
      resources: ["arn:aws:ec2:*:*:security-group/*"],
      reason: "authorised on the security group",
    },
    "ec2:CreateSecurityGroup": {
      resources: ["arn:aws:ec2:*:*:security-group/*", "arn:aws:ec2:*:*:vpc/*"],
      reason: "authorised on the new group and its VPC",
    },
    "elasticloadbalancing:CreateLoadBalancer": {
      resources: ["arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*"],
      reason: "Network Load Balancers only",
    },
    "elasticloadbalancing:CreateTargetGroup": {
      resources: ["arn:aws:elasticloadbalancing:*:*:targetgroup/*/*"],
      reason: "authorised on the target group",
    },
    "elasticloadbalancing:CreateListener": {
      resources: [
        "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
        "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
      ],
      reason: "listeners of Network Load Balancers",
    },
    ...Object.fromEntries(
      [
        "DeleteListener",
        "ModifyListener",
        "ModifyListenerAttributes",
        "AddListenerCertificates",
        "RemoveListenerCertificates",
      ].map((action) => [
        `elasticloadbalancing:${action}`,
        {
          resources: ["arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*"],
          reason: "listeners of Network Load Balancers",
        },
      ]),
    ),
    ...Object.fromEntries(
      [
        "ModifyLoadBalancerAttributes",
        "SetIpAddressType",
        "SetSecurityGroups",
        "SetSubnets",
        "DeleteLoadBalancer",
        "ModifyCapacityReservation",
      ].map((action) => [
        `elasticloadbalancing:${action}`,
        {
          resources: ["arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*"],
          reason: "Network Load Balancers only",
        },
      ]),
    ),
    ...Object.fromEntries(
      ["ModifyTargetGroup", "ModifyTargetGroupAttributes", "DeleteTargetGroup"].map((action) => [
        `elasticloadbalancing:${action}`,
        {
          resources: ["arn:aws:elasticloadbalancing:*:*:targetgroup/*/*"],
          reason: "authorised on the target group",
        },
      ]),
    ),
  },
};

/** cluster-autoscaler: scaling and node group reads limited to this cluster's own groups. */
const CLUSTER_AUTOSCALER_REVIEW: PolicyReview = {
  narrowed: {
    "autoscaling:SetDesiredCapacity": {
      resources: ["arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/*"],
      context: OWNED,
      reason:
        "only groups tagged as owned by this cluster (EKS managed node groups and SpotFleets are)",
    },
    "autoscaling:TerminateInstanceInAutoScalingGroup": {
      resources: ["arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/*"],
      context: OWNED,
      reason:
        "only groups tagged as owned by this cluster (EKS managed node groups and SpotFleets are)",
    },
    "eks:DescribeNodegroup": {
      resources: [`arn:aws:eks:*:*:nodegroup/${CLUSTER}/*/*`],
      reason: "only this cluster's managed node groups",
    },
  },
};

const QUEUE_ARN = instantiate("arn:aws:sqs:*:*:hybridai-fleet-l4-interruptions");
const FLEET_ASG = "hybridai-fleet-l4-a1b2c3";

/** The termination handler: its own queue and its own fleet's group. */
const TERMINATION_HANDLER_REVIEW: PolicyReview = {
  narrowed: {
    "sqs:ReceiveMessage": { resources: [QUEUE_ARN], reason: "only the fleet's own queue" },
    "sqs:DeleteMessage": { resources: [QUEUE_ARN], reason: "only the fleet's own queue" },
    "autoscaling:CompleteLifecycleAction": {
      resources: [`arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/${FLEET_ASG}`],
      context: OWNED,
      reason: "only the fleet's own group, which carries the cluster's owner tag",
    },
  },
};

/** Our policy with one action taken out of every statement. */
function without(document: PolicyDocument, action: string): PolicyDocument {
  return {
    ...document,
    Statement: document.Statement.map((s) => ({
      ...s,
      Action: s.Action.filter((a) => a !== action),
    })).filter((s) => s.Action.length > 0),
  };
}

/** Every action upstream grants that the review keeps. */
function keptActions(upstream: UpstreamIamPolicy, review: PolicyReview): string[] {
  return [...new Set(upstream.grants.flatMap((g) => g.actions))].filter(
    (a) => !review.leftOut?.[a],
  );
}

const cases: [string, UpstreamIamPolicy, PolicyDocument, PolicyReview][] = [
  [
    "loadBalancerControllerPolicy",
    LOAD_BALANCER_CONTROLLER_IAM,
    loadBalancerControllerPolicy(ORACLE_ACCOUNT),
    LOAD_BALANCER_CONTROLLER_REVIEW,
  ],
  [
    "clusterAutoscalerPolicy",
    CLUSTER_AUTOSCALER_IAM,
    clusterAutoscalerPolicy(ORACLE_ACCOUNT, CLUSTER),
    CLUSTER_AUTOSCALER_REVIEW,
  ],
  [
    "terminationHandlerPolicy",
    TERMINATION_HANDLER_IAM,
    terminationHandlerPolicy(ORACLE_ACCOUNT, {
      queueArn: QUEUE_ARN,
      autoScalingGroupName: FLEET_ASG,
      clusterName: CLUSTER,
    }),
    TERMINATION_HANDLER_REVIEW,
  ],
];

describe("IAM policies against the upstream projects' own policies at the pinned versions", () => {
  it("pins the controller version whose iam_policy.json the oracle holds", () => {
    expect(LOAD_BALANCER_CONTROLLER_CHART.version).toBe("1.14.0");
    expect(LOAD_BALANCER_CONTROLLER_IAM.version).toBe("v2.14.0");
  });

  it.each(cases)(
    "%s grants every request upstream's policy allows, less the reviewed exceptions",
    (_, upstream, ours, review) => {
      expect(upstream.grants.length).toBeGreaterThan(0);
      expect(deniedUpstreamRequests(upstream, ours, review)).toEqual([]);
    },
  );

  it.each(cases)(
    "%s: every exception names an action or resource upstream grants, with a reason",
    (_, upstream, _ours, review) => {
      expect(staleReviewEntries(upstream, review)).toEqual([]);
      const reasons = [
        ...Object.values(review.leftOut ?? {}),
        ...Object.values(review.leftOutResources ?? {}),
        ...Object.values(review.narrowed ?? {}).map((n) => n.reason),
      ];
      for (const reason of reasons) expect(reason.length).toBeGreaterThan(10);
    },
  );

  it.each(cases)(
    "%s: the comparison fails when any action upstream needs is taken out of ours",
    (_, upstream, ours, review) => {
      const kept = keptActions(upstream, review);
      expect(kept.length).toBeGreaterThan(3);
      const unnoticed = kept.filter(
        (action) => deniedUpstreamRequests(upstream, without(ours, action), review).length === 0,
      );
      expect(unnoticed).toEqual([]);
    },
  );
});

describe("the load balancer controller's review against its upstream policy", () => {
  const ours = loadBalancerControllerPolicy(ORACLE_ACCOUNT);

  it("catches the two v2.14 gaps: listener tags and DescribeRules", () => {
    const withoutListenerTags: PolicyDocument = {
      ...ours,
      Statement: ours.Statement.filter((s) => s.Sid !== "TagListenersAndRules"),
    };
    expect(
      deniedUpstreamRequests(
        LOAD_BALANCER_CONTROLLER_IAM,
        withoutListenerTags,
        LOAD_BALANCER_CONTROLLER_REVIEW,
      ),
    ).toEqual([
      expect.stringMatching(
        /AddTags on arn:aws:elasticloadbalancing:us-west-2:111122223333:listener\/net\//,
      ),
      expect.stringMatching(/AddTags on .*:listener-rule\/net\//),
      expect.stringMatching(/RemoveTags on .*:listener\/net\//),
      expect.stringMatching(/RemoveTags on .*:listener-rule\/net\//),
    ]);
    expect(
      deniedUpstreamRequests(
        LOAD_BALANCER_CONTROLLER_IAM,
        without(ours, "elasticloadbalancing:DescribeRules"),
        LOAD_BALANCER_CONTROLLER_REVIEW,
      ),
    ).toEqual([
      "AWS Load Balancer Controller v2.14.0 needs elasticloadbalancing:DescribeRules on *",
    ]);
  });

  it("still leaves out everything the review lists", () => {
    const granted = new Set(ours.Statement.flatMap((s) => s.Action));
    expect(
      Object.keys(LOAD_BALANCER_CONTROLLER_REVIEW.leftOut ?? {}).filter((a) => granted.has(a)),
    ).toEqual([]);
  });
});
