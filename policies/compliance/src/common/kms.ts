import { forTypes, type PackResourcePolicy, settingsOf } from "../../../shared/src/policy";
import { booleanAt, numberAt, stringAt } from "../../../shared/src/props";

/** GCP rotation periods are durations in seconds (`"7776000s"`). */
function rotationDays(period: string | undefined): number | undefined {
  const match = period?.match(/^(\d+(?:\.\d+)?)s$/);
  return match ? Number(match[1]) / 86_400 : undefined;
}

/** Encryption keys rotate automatically, at least as often as configured. */
export const kmsKeyRotation: PackResourcePolicy = {
  name: "kms-key-rotation",
  description:
    "Symmetric encryption keys rotate automatically (AWS KMS enableKeyRotation, Cloud KMS " +
    "rotationPeriod), at least every maxRotationDays days.",
  remediationSteps:
    "AWS: set enableKeyRotation: true (rotationPeriodInDays ≤ maxRotationDays). GCP: set " +
    'rotationPeriod (e.g. "7776000s" for 90 days) on the CryptoKey.',
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxRotationDays: {
        type: "integer",
        minimum: 1,
        default: 365,
        description: "The longest rotation period allowed, in days.",
      },
    },
  },
  validateResource: forTypes({
    "aws:kms/key:Key": (props, args, report) => {
      const spec = stringAt(props, "customerMasterKeySpec") ?? stringAt(props, "keySpec");
      const usage = stringAt(props, "keyUsage");
      if ((spec && spec !== "SYMMETRIC_DEFAULT") || (usage && usage !== "ENCRYPT_DECRYPT")) {
        args.notApplicable("only symmetric encryption keys can rotate automatically");
      }
      const { maxRotationDays } = settingsOf<{ maxRotationDays: number }>(
        args,
        kmsKeyRotation.configSchema,
      );
      if (booleanAt(props, "enableKeyRotation") !== true) {
        report(`KMS key "${args.name}" does not rotate; set enableKeyRotation: true.`);
        return;
      }
      const days = numberAt(props, "rotationPeriodInDays") ?? 365;
      if (days > maxRotationDays) {
        report(
          `KMS key "${args.name}" rotates every ${days} days; at most ${maxRotationDays} allowed.`,
        );
      }
    },
    "gcp:kms/cryptoKey:CryptoKey": (props, args, report) => {
      const purpose = stringAt(props, "purpose");
      if (purpose && purpose !== "ENCRYPT_DECRYPT") {
        args.notApplicable("only symmetric encryption keys can rotate automatically");
      }
      const { maxRotationDays } = settingsOf<{ maxRotationDays: number }>(
        args,
        kmsKeyRotation.configSchema,
      );
      const days = rotationDays(stringAt(props, "rotationPeriod"));
      if (days === undefined) {
        report(`Cloud KMS key "${args.name}" has no rotationPeriod; set one (e.g. "7776000s").`);
      } else if (days > maxRotationDays) {
        report(
          `Cloud KMS key "${args.name}" rotates every ${days} days; at most ${maxRotationDays} allowed.`,
        );
      }
    },
  }),
};
