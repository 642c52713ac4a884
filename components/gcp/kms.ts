import { HybridAiConfigError } from "../errors";

/** A Cloud KMS crypto key resource name, capturing project, location, key ring and key. */
const CRYPTO_KEY =
  /^projects\/([^/]+)\/locations\/([^/]+)\/keyRings\/([^/]+)\/cryptoKeys\/([^/]+)$/;

/** The parts of a Cloud KMS crypto key name. */
export interface CryptoKeyName {
  /** Project that holds the key. */
  project: string;
  /** Key location (a region, a multi-region such as `us`, or `global`). */
  location: string;
  /** Key ring name. */
  keyRing: string;
  /** Key name. */
  key: string;
}

/**
 * Parses a crypto key name and checks that its location is one of `locations` (GKE and Cloud
 * Storage accept only keys in the resource's own location). Throws {@link HybridAiConfigError}
 * naming the field, the value and the expected form.
 */
export function parseCryptoKeyName(
  component: string,
  field: string,
  value: string,
  locations: readonly string[],
): CryptoKeyName {
  const match = CRYPTO_KEY.exec(value);
  if (!match) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      "a Cloud KMS key name projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>",
    );
  }
  const [, project, location, keyRing, key] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (!locations.includes(location)) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      `a key in location ${locations.join(" or ")} (the key must live where the data does)`,
    );
  }
  return { project, location, keyRing, key };
}

/** The role a Google service agent needs on a key to encrypt and decrypt with it. */
export const KMS_ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

/** The GKE service agent of a project, which encrypts etcd secrets with a CMEK. */
export function gkeServiceAgent(projectNumber: string): string {
  return `serviceAccount:service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com`;
}

/** The Cloud Storage service agent of a project, which encrypts objects with a CMEK. */
export function storageServiceAgent(projectNumber: string): string {
  return `serviceAccount:service-${projectNumber}@gs-project-accounts.iam.gserviceaccount.com`;
}
