import { HybridAiConfigError } from "../errors";

/** A DNS-1035 label: what Kubernetes requires of Service names. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 label: namespace names. */
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Helm's limit on release names (it derives object names and labels from them). */
export const HELM_RELEASE_NAME_MAX = 53;
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A label key: an optional DNS-subdomain prefix and `/`, then a name of up to 63 characters. */
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label value: empty, or up to 63 letters, digits, '-', '_', '.', alphanumeric at both ends. */
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
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

/** Checks a Helm release name: what Helm accepts, which names the chart's objects. */
export function assertHelmReleaseName(component: string, value: string): void {
  if (
    typeof value !== "string" ||
    value.length > HELM_RELEASE_NAME_MAX ||
    !RELEASE_NAME.test(value)
  ) {
    throw new HybridAiConfigError(
      component,
      "name",
      value,
      `a Helm release name: lowercase letters, digits and '-', at most ${HELM_RELEASE_NAME_MAX} characters`,
    );
  }
}

/** Checks a non-empty map of pod labels (a label selector's `matchLabels`) and returns it. */
export function assertPodLabels(
  component: string,
  field: string,
  labels: unknown,
): Record<string, string> {
  if (
    labels === null ||
    typeof labels !== "object" ||
    Array.isArray(labels) ||
    Object.keys(labels).length === 0
  ) {
    throw new HybridAiConfigError(component, field, labels, "a non-empty map of pod labels");
  }
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_KEY.test(key) || typeof value !== "string" || !LABEL_VALUE.test(value)) {
      throw new HybridAiConfigError(
        component,
        `${field}.${key}`,
        value,
        "a Kubernetes label (key: [prefix/]name; value: letters, digits, '-', '_', '.', at most 63 characters)",
      );
    }
  }
  return labels as Record<string, string>;
}
