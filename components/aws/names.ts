import { HybridAiConfigError } from "../errors";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks a Kubernetes namespace or service-account name (an RFC 1123 label: lowercase letters,
 * digits and `-`, at most 63 characters). Throws {@link HybridAiConfigError} otherwise.
 */
export function assertKubernetesName(component: string, field: string, value: unknown): string {
  if (typeof value !== "string" || value.length > 63 || !DNS_LABEL.test(value)) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      "a Kubernetes name: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
    );
  }
  return value;
}

/**
 * Checks a name that becomes part of AWS resource names (node groups, Auto Scaling groups,
 * queues, IAM roles): lowercase letters, digits and `-`, at most `max` characters.
 */
export function assertAwsName(
  component: string,
  field: string,
  value: unknown,
  max: number,
): string {
  if (typeof value !== "string" || value.length > max || !DNS_LABEL.test(value)) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      `lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${max} characters`,
    );
  }
  return value;
}

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Checks Kubernetes node labels (qualified-name keys, values of at most 63 letters, digits,
 * `-`, `_`, `.`). Throws {@link HybridAiConfigError} naming the first bad label.
 */
export function assertNodeLabels(
  component: string,
  labels: Record<string, string> | undefined,
): Record<string, string> {
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (key.length > 316 || (key.split("/").pop() ?? "").length > 63 || !LABEL_KEY.test(key)) {
      throw new HybridAiConfigError(
        component,
        "labels",
        key,
        "label keys like example.com/name (prefix optional, name at most 63 characters)",
      );
    }
    if (typeof value !== "string" || value.length > 63 || !LABEL_VALUE.test(value)) {
      throw new HybridAiConfigError(
        component,
        `labels.${key}`,
        value,
        "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
      );
    }
  }
  return labels ?? {};
}
