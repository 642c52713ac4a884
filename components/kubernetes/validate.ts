import { HybridAiConfigError } from "../errors";

/** A DNS-1035 label: what Kubernetes requires of Service names. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 label: namespace names. */
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Kubernetes resource quantity, e.g. `500m`, `2`, `4Gi`, `1.5`. */
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** Checks a Kubernetes object name that must be a DNS-1035 label of at most `maxLength` characters. */
export function assertDns1035(
  component: string,
  field: string,
  value: string,
  maxLength = 63,
): void {
  if (typeof value !== "string" || value.length > maxLength || !DNS_1035_LABEL.test(value)) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      `lowercase letters, digits and '-', starting with a letter, ending with a letter or digit, at most ${maxLength} characters`,
    );
  }
}

/** Checks a namespace name (DNS-1123 label). */
export function assertNamespace(component: string, field: string, value: string): void {
  if (typeof value !== "string" || value.length > 63 || !DNS_1123_LABEL.test(value)) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      "a namespace name: lowercase letters, digits and '-', at most 63 characters",
    );
  }
}

/** Checks a resource quantity such as `500m` or `4Gi`. */
export function assertQuantity(component: string, field: string, value: string): void {
  if (typeof value !== "string" || !QUANTITY.test(value)) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      'a Kubernetes quantity such as "500m", "2", "512Mi" or "4Gi"',
    );
  }
}
