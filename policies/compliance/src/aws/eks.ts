import { forTypes, type PackResourcePolicy, settingsOf } from "../../../shared/src/policy";
import { booleanAt, listAt, stringAt, stringsAt } from "../../../shared/src/props";

const CLUSTER = "aws:eks/cluster:Cluster";

/** EKS encrypts Kubernetes secrets with a KMS key the account controls. */
export const eksSecretsEncryption: PackResourcePolicy = {
  name: "eks-secrets-encryption",
  description: "EKS clusters envelope-encrypt Kubernetes secrets with a customer-managed KMS key.",
  remediationSteps:
    'Set encryptionConfig { resources: ["secrets"], provider: { keyArn: <KMS key ARN> } } with a ' +
    "key that has rotation on.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: forTypes({
    [CLUSTER]: (props, args, report) => {
      const configs = listAt(props, "encryptionConfig");
      const encrypted = configs.some(
        (c) =>
          stringsAt(c, "resources").includes("secrets") &&
          stringAt(c, "provider.keyArn") !== undefined,
      );
      if (!encrypted) {
        report(
          `EKS cluster "${args.name}" does not encrypt secrets with a KMS key; set ` +
            'encryptionConfig.resources ["secrets"] and provider.keyArn.',
        );
      }
    },
  }),
};

/** EKS sends the control plane's audit log (and any other configured types) to CloudWatch. */
export const eksAuditLogging: PackResourcePolicy = {
  name: "eks-audit-logging",
  description: "EKS clusters send the Kubernetes audit log to CloudWatch Logs.",
  remediationSteps:
    'Add "audit" (and any other required types) to enabledClusterLogTypes; keep a retention ' +
    "period on the /aws/eks/<cluster>/cluster log group.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      requiredLogTypes: {
        type: "array",
        items: {
          type: "string",
          enum: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        },
        default: ["audit"],
        description: "Control-plane log types every cluster must enable.",
      },
    },
  },
  validateResource: forTypes({
    [CLUSTER]: (props, args, report) => {
      const { requiredLogTypes } = settingsOf<{ requiredLogTypes: string[] }>(
        args,
        eksAuditLogging.configSchema,
      );
      const enabled = stringsAt(props, "enabledClusterLogTypes");
      const missing = requiredLogTypes.filter((t) => !enabled.includes(t));
      if (missing.length > 0) {
        report(
          `EKS cluster "${args.name}" does not enable control-plane log type(s) ${missing.join(", ")}; ` +
            "add them to enabledClusterLogTypes.",
        );
      }
    },
  }),
};

/** The EKS API endpoint is private, or public only to listed networks. */
export const eksEndpointRestricted: PackResourcePolicy = {
  name: "eks-endpoint-restricted",
  description:
    "EKS API endpoints are private, or public only to listed CIDR blocks (never 0.0.0.0/0).",
  remediationSteps:
    "Set vpcConfig.endpointPublicAccess false (and endpointPrivateAccess true), or list your " +
    "CI and office ranges in vpcConfig.publicAccessCidrs.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: forTypes({
    [CLUSTER]: (props, args, report) => {
      if (booleanAt(props, "vpcConfig.endpointPublicAccess") === false) return;
      const cidrs = stringsAt(props, "vpcConfig.publicAccessCidrs");
      if (cidrs.length === 0 || cidrs.includes("0.0.0.0/0")) {
        report(
          `EKS cluster "${args.name}" exposes its API endpoint to 0.0.0.0/0 ` +
            `(publicAccessCidrs ${cidrs.length === 0 ? "unset, which defaults to 0.0.0.0/0" : cidrs.join(", ")}); ` +
            "set endpointPublicAccess false or list allowed CIDR blocks.",
        );
      }
    },
  }),
};
