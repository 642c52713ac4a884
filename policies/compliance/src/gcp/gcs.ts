import { forTypes, type PackResourcePolicy } from "../../../shared/src/policy";
import { booleanAt, stringAt } from "../../../shared/src/props";

const BUCKET = "gcp:storage/bucket:Bucket";

/** Cloud Storage buckets use uniform access and enforce public access prevention. */
export const gcsBucketNotPublic: PackResourcePolicy = {
  name: "gcs-bucket-not-public",
  description:
    "Cloud Storage buckets use uniform bucket-level access and enforce public access prevention.",
  remediationSteps:
    'Set uniformBucketLevelAccess: true and publicAccessPrevention: "enforced"; grant readers ' +
    "through bucket IAM members.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: forTypes({
    [BUCKET]: (props, args, report) => {
      const problems: string[] = [];
      if (booleanAt(props, "uniformBucketLevelAccess") !== true) {
        problems.push("uniformBucketLevelAccess is not true (object ACLs can make objects public)");
      }
      if (stringAt(props, "publicAccessPrevention") !== "enforced") {
        problems.push(
          `publicAccessPrevention is ${stringAt(props, "publicAccessPrevention") ?? "unset (inherited)"}, not "enforced"`,
        );
      }
      if (problems.length > 0) {
        report(`bucket "${args.name}": ${problems.join("; ")}.`);
      }
    },
  }),
};

/** Optional: Cloud Storage buckets encrypt with a customer-managed key (CMEK). */
export const gcsBucketCmek: PackResourcePolicy = {
  name: "gcs-bucket-cmek",
  description:
    "Cloud Storage buckets encrypt with a customer-managed Cloud KMS key (CMEK); advisory, since " +
    "Google-managed encryption at rest is always on.",
  remediationSteps:
    "Set encryption.defaultKmsKeyName to a Cloud KMS key in the bucket's location and grant the " +
    "Cloud Storage service agent roles/cloudkms.cryptoKeyEncrypterDecrypter on it.",
  enforcementLevel: "advisory",
  configSchema: { properties: {} },
  validateResource: forTypes({
    [BUCKET]: (props, args, report) => {
      if (!stringAt(props, "encryption.defaultKmsKeyName")) {
        report(
          `bucket "${args.name}" uses Google-managed keys; set encryption.defaultKmsKeyName for CMEK.`,
        );
      }
    },
  }),
};
