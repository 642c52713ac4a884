import { describe, expect, it } from "vitest";
import {
  eksAuditLogging,
  eksEndpointRestricted,
  eksSecretsEncryption,
  iamNoWildcardAdmin,
  imdsv2Required,
  kmsKeyRotation,
  securityGroupNoPublicAdminIngress,
  securityGroupNoPublicIngress,
} from "../../../policies/compliance/src";
import { notApplicableReasons, violationsOf } from "../harness";

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const CLUSTER = "aws:eks/cluster:Cluster";

describe("imdsv2-required", () => {
  it("reports IMDSv1 and a hop limit above 1", async () => {
    const template = {
      type: LAUNCH_TEMPLATE,
      props: { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 2 } },
    };
    expect(await violationsOf(imdsv2Required, template)).toEqual([
      'launch template "subject": httpTokens is optional (IMDSv1 allowed); httpPutResponseHopLimit is 2 (containers can reach the node\'s credentials).',
    ]);
    const instance = { type: "aws:ec2/instance:Instance", props: {} };
    expect(await violationsOf(imdsv2Required, instance)).toEqual([
      expect.stringMatching(
        /^EC2 instance "subject": httpTokens is unset .*httpPutResponseHopLimit is unset/,
      ),
    ]);
  });

  it("accepts IMDSv2 with hop limit 1, a disabled endpoint, and a configured larger limit", async () => {
    const strict = {
      type: LAUNCH_TEMPLATE,
      props: { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } },
    };
    expect(await violationsOf(imdsv2Required, strict)).toEqual([]);
    const disabled = {
      type: LAUNCH_TEMPLATE,
      props: { metadataOptions: { httpEndpoint: "disabled" } },
    };
    expect(await violationsOf(imdsv2Required, disabled)).toEqual([]);
    const twoHops = {
      type: LAUNCH_TEMPLATE,
      props: { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } },
    };
    expect(await violationsOf(imdsv2Required, twoHops, { config: { maxHopLimit: 2 } })).toEqual([]);
  });
});

describe("security-group-no-public-admin-ingress", () => {
  it("reports SSH from 0.0.0.0/0, all traffic from ::/0, and a standalone rule covering 6443", async () => {
    const group = {
      type: SECURITY_GROUP,
      props: {
        ingress: [
          { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] },
          { protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] },
        ],
      },
    };
    expect(await violationsOf(securityGroupNoPublicAdminIngress, group)).toEqual([
      'security group rule(s) in "subject" open tcp 22 (admin port 22); all traffic (admin port 22, 3389, 5985, 5986, 6443, 10250, 2379, 2380) to the internet.',
    ]);
    const rule = {
      type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      props: { ipProtocol: "tcp", fromPort: 6000, toPort: 7000, cidrIpv4: "0.0.0.0/0" },
    };
    expect(await violationsOf(securityGroupNoPublicAdminIngress, rule)).toEqual([
      expect.stringContaining("tcp 6000-7000 (admin port 6443)"),
    ]);
  });

  it("accepts HTTPS from anywhere, SSH from a private range and egress rules", async () => {
    const group = {
      type: SECURITY_GROUP,
      props: {
        ingress: [
          { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
          { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] },
        ],
      },
    };
    expect(await violationsOf(securityGroupNoPublicAdminIngress, group)).toEqual([]);
    const egress = {
      type: "aws:ec2/securityGroupRule:SecurityGroupRule",
      props: { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] },
    };
    expect(await violationsOf(securityGroupNoPublicAdminIngress, egress)).toEqual([]);
  });
});

describe("security-group-no-public-ingress (advisory)", () => {
  it("reports any port open to the internet, and nothing for private ranges", async () => {
    const open = {
      type: SECURITY_GROUP,
      props: {
        ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
      },
    };
    expect(await violationsOf(securityGroupNoPublicIngress, open)).toEqual([
      'security group rule(s) in "subject" open tcp 443 to the internet.',
    ]);
    const closed = {
      type: SECURITY_GROUP,
      props: {
        ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.1.0.0/16"] }],
      },
    };
    expect(await violationsOf(securityGroupNoPublicIngress, closed)).toEqual([]);
    expect(securityGroupNoPublicIngress.enforcementLevel).toBe("advisory");
  });
});

describe("iam-no-wildcard-admin", () => {
  const document = (statement: object) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

  it("reports * on *, an inline role policy and AdministratorAccess attachments", async () => {
    const policy = {
      type: "aws:iam/rolePolicy:RolePolicy",
      props: {
        policy: document({ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }),
      },
    };
    expect(await violationsOf(iamNoWildcardAdmin, policy)).toEqual([
      'RolePolicy "subject" allows Action "*" on Resource "*" (statement Everything).',
    ]);
    const role = {
      type: "aws:iam/role:Role",
      props: {
        inlinePolicies: [
          {
            name: "admin",
            policy: document({ Effect: "Allow", Action: ["*:*"], Resource: ["*"] }),
          },
        ],
        managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      },
    };
    expect(await violationsOf(iamNoWildcardAdmin, role)).toEqual([
      'role "subject" has inline policy statements allowing "*" on "*": admin/#1.',
      'role "subject" attaches AdministratorAccess through managedPolicyArns.',
    ]);
    const attachment = {
      type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      props: { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    };
    expect(await violationsOf(iamNoWildcardAdmin, attachment)).toEqual([
      'RolePolicyAttachment "subject" attaches AdministratorAccess (Action "*" on "*").',
    ]);
  });

  it("accepts scoped actions on *, * actions on a scoped resource and managed worker policies", async () => {
    const describeOnly = {
      type: "aws:iam/policy:Policy",
      props: { policy: document({ Effect: "Allow", Action: ["ec2:Describe*"], Resource: "*" }) },
    };
    const scoped = {
      type: "aws:iam/policy:Policy",
      props: {
        policy: document({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::models/*" }),
      },
    };
    const deny = {
      type: "aws:iam/policy:Policy",
      props: { policy: document({ Effect: "Deny", Action: "*", Resource: "*" }) },
    };
    const worker = {
      type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      props: { role: "r", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" },
    };
    for (const resource of [describeOnly, scoped, deny, worker]) {
      expect(await violationsOf(iamNoWildcardAdmin, resource)).toEqual([]);
    }
  });
});

describe("kms-key-rotation", () => {
  it("reports AWS and GCP keys that do not rotate or rotate too rarely", async () => {
    expect(await violationsOf(kmsKeyRotation, { type: "aws:kms/key:Key", props: {} })).toEqual([
      'KMS key "subject" does not rotate; set enableKeyRotation: true.',
    ]);
    const slow = {
      type: "aws:kms/key:Key",
      props: { enableKeyRotation: true, rotationPeriodInDays: 730 },
    };
    expect(await violationsOf(kmsKeyRotation, slow)).toEqual([
      'KMS key "subject" rotates every 730 days; at most 365 allowed.',
    ]);
    expect(
      await violationsOf(kmsKeyRotation, {
        type: "gcp:kms/cryptoKey:CryptoKey",
        props: { keyRing: "r" },
      }),
    ).toEqual(['Cloud KMS key "subject" has no rotationPeriod; set one (e.g. "7776000s").']);
    const gcpSlow = { type: "gcp:kms/cryptoKey:CryptoKey", props: { rotationPeriod: "7776000s" } };
    expect(
      await violationsOf(kmsKeyRotation, gcpSlow, { config: { maxRotationDays: 30 } }),
    ).toEqual(['Cloud KMS key "subject" rotates every 90 days; at most 30 allowed.']);
  });

  it("accepts rotating keys and skips asymmetric ones", async () => {
    expect(
      await violationsOf(kmsKeyRotation, {
        type: "aws:kms/key:Key",
        props: { enableKeyRotation: true },
      }),
    ).toEqual([]);
    expect(
      await violationsOf(kmsKeyRotation, {
        type: "gcp:kms/cryptoKey:CryptoKey",
        props: { rotationPeriod: "7776000s" },
      }),
    ).toEqual([]);
    const signing = {
      type: "aws:kms/key:Key",
      props: { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" },
    };
    expect(await notApplicableReasons(kmsKeyRotation, signing)).toEqual([
      "only symmetric encryption keys can rotate automatically",
    ]);
  });
});

describe("EKS cluster policies", () => {
  const hardened = {
    type: CLUSTER,
    props: {
      encryptionConfig: {
        resources: ["secrets"],
        provider: { keyArn: "arn:aws:kms:us-west-2:1:key/k" },
      },
      enabledClusterLogTypes: ["api", "audit"],
      vpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true },
    },
  };
  const bare = { type: CLUSTER, props: { vpcConfig: { subnetIds: ["a"] } } };

  it("eks-secrets-encryption: reports a cluster without a KMS key for secrets", async () => {
    expect(await violationsOf(eksSecretsEncryption, bare)).toEqual([
      expect.stringContaining('EKS cluster "subject" does not encrypt secrets with a KMS key'),
    ]);
    expect(await violationsOf(eksSecretsEncryption, hardened)).toEqual([]);
  });

  it("eks-audit-logging: reports a missing audit log, and configured log types", async () => {
    expect(await violationsOf(eksAuditLogging, bare)).toEqual([
      'EKS cluster "subject" does not enable control-plane log type(s) audit; add them to enabledClusterLogTypes.',
    ]);
    expect(await violationsOf(eksAuditLogging, hardened)).toEqual([]);
    expect(
      await violationsOf(eksAuditLogging, hardened, {
        config: { requiredLogTypes: ["audit", "authenticator"] },
      }),
    ).toEqual([expect.stringContaining("log type(s) authenticator")]);
  });

  it("eks-endpoint-restricted: reports the default public endpoint and 0.0.0.0/0; accepts an allow-list", async () => {
    expect(await violationsOf(eksEndpointRestricted, bare)).toEqual([
      expect.stringContaining("publicAccessCidrs unset, which defaults to 0.0.0.0/0"),
    ]);
    const open = {
      type: CLUSTER,
      props: { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } },
    };
    expect(await violationsOf(eksEndpointRestricted, open)).toHaveLength(1);
    const listed = {
      type: CLUSTER,
      props: { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } },
    };
    expect(await violationsOf(eksEndpointRestricted, listed)).toEqual([]);
    expect(await violationsOf(eksEndpointRestricted, hardened)).toEqual([]);
  });
});
