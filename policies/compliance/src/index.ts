import type { PackDefinition, PackPolicy } from "../../shared/src/policy";
import { ebsEncrypted, eksNodeVolumesEncrypted } from "./aws/ebs";
import { eksAuditLogging, eksEndpointRestricted, eksSecretsEncryption } from "./aws/eks";
import { iamNoWildcardAdmin } from "./aws/iam";
import { imdsv2Required } from "./aws/imds";
import {
  s3BucketEncrypted,
  s3NoPublicAcl,
  s3NoPublicPolicy,
  s3PublicAccessBlocked,
} from "./aws/s3";
import {
  securityGroupNoPublicAdminIngress,
  securityGroupNoPublicIngress,
} from "./aws/security-groups";
import { kmsKeyRotation } from "./common/kms";
import { allowedRegions } from "./common/regions";
import { requiredTags } from "./common/tags";
import { gcsBucketCmek, gcsBucketNotPublic } from "./gcp/gcs";
import {
  gkeMasterAuthorizedNetworks,
  gkeNoLegacyAbac,
  gkePrivateNodes,
  gkeWorkloadIdentity,
} from "./gcp/gke";
import { gcpNoPublicIamMembers } from "./gcp/iam";
import { kubernetesImagePinned, kubernetesImageRegistryAllowed } from "./kubernetes/images";
import { kubernetesPodSecurityRestricted } from "./kubernetes/pod-security";
import { kubernetesResourceRequests } from "./kubernetes/resources";

export * from "./aws/ebs";
export * from "./aws/eks";
export * from "./aws/iam";
export * from "./aws/imds";
export * from "./aws/s3";
export * from "./aws/security-groups";
export * from "./common/kms";
export * from "./common/regions";
export * from "./common/tags";
export * from "./gcp/gcs";
export * from "./gcp/gke";
export * from "./gcp/iam";
export * from "./kubernetes/images";
export * from "./kubernetes/pod-security";
export * from "./kubernetes/resources";

/** Every policy of the compliance pack, storage first, then compute, identity, clusters, workloads. */
export const COMPLIANCE_POLICIES: readonly PackPolicy[] = [
  s3BucketEncrypted,
  s3PublicAccessBlocked,
  s3NoPublicAcl,
  s3NoPublicPolicy,
  ebsEncrypted,
  eksNodeVolumesEncrypted,
  gcsBucketNotPublic,
  gcsBucketCmek,
  gcpNoPublicIamMembers,
  imdsv2Required,
  securityGroupNoPublicAdminIngress,
  securityGroupNoPublicIngress,
  iamNoWildcardAdmin,
  kmsKeyRotation,
  eksSecretsEncryption,
  eksAuditLogging,
  eksEndpointRestricted,
  gkeNoLegacyAbac,
  gkeWorkloadIdentity,
  gkePrivateNodes,
  gkeMasterAuthorizedNetworks,
  kubernetesPodSecurityRestricted,
  kubernetesImagePinned,
  kubernetesImageRegistryAllowed,
  kubernetesResourceRequests,
  requiredTags,
  allowedRegions,
];

/** The compliance pack: AWS, GCP and Kubernetes security rules for AI infrastructure. */
export const COMPLIANCE_PACK: PackDefinition = {
  name: "hybridai-compliance",
  description:
    "Security and compliance for AI infrastructure on AWS, GCP and Kubernetes: encryption, no " +
    "public storage, IMDSv2, network and IAM least privilege, EKS/GKE hardening, restricted pods, " +
    "pinned images, required tags, allowed regions.",
  policies: COMPLIANCE_POLICIES,
};
