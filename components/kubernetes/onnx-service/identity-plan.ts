import type { ServiceAccountArgs } from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import type { OnnxServiceArgs } from "./onnx-service-args";

/** The IRSA annotation on a service account. */
export const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";

/** The GKE Workload Identity annotation on a service account. */
export const WORKLOAD_IDENTITY_ANNOTATION = "iam.gke.io/gcp-service-account";

/**
 * The pods' service account: cloud identity annotations (IRSA role, GKE Workload Identity, any
 * extra), and no automatically mounted token unless asked for.
 */
export function planServiceAccount(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  args: Pick<OnnxServiceArgs, "serviceAccount" | "automountServiceAccountToken">,
): ServiceAccountArgs {
  const account = args.serviceAccount ?? {};
  const annotations = pulumi.output(account.annotations ?? {}).apply((extra) => ({
    ...extra,
    ...(account.awsRoleArn !== undefined ? { [IRSA_ANNOTATION]: account.awsRoleArn } : {}),
    ...(account.gcpServiceAccount !== undefined
      ? { [WORKLOAD_IDENTITY_ANNOTATION]: account.gcpServiceAccount }
      : {}),
  }));
  return {
    metadata: { name, namespace, labels, annotations },
    automountServiceAccountToken: args.automountServiceAccountToken ?? false,
  };
}
