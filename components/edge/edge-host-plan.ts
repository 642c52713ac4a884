import { ACCELERATOR_MODELS, ACCELERATOR_TYPES, type AcceleratorType } from "../accelerators";
import { HybridAiConfigError } from "../errors";
import { LABELS } from "../kubernetes/labels";
import { assertOneOf } from "../validate";
import type { EdgeArch } from "./edge-fleet-args";
import { NVIDIA_RUNTIME_CLASS } from "./edge-fleet-plan";
import type { EdgeHostArgs, EdgeHostRole } from "./edge-host-args";
import { DEFAULT_K3S_RELEASE, DEFAULT_NVIDIA_TOOLKIT_VERSION, k3sBinaryUrl } from "./k3s-release";
import { assertArchAccelerator, EDGE_ARCHES } from "./sites";

/** The component name in errors. */
export const EDGE_HOST = "EdgeHost";

const ROLES: readonly EdgeHostRole[] = ["server", "agent"];
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const K3S_VERSION = /^v\d+\.\d+\.\d+\+k3s\d+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const APT_VERSION = /^[0-9][0-9A-Za-z.+~-]*$/;

/** An {@link EdgeHostArgs} checked, with defaults applied. */
export interface EdgeHostPlan {
  /** `server` or `agent`. */
  role: EdgeHostRole;
  /** Declared architecture. */
  arch: EdgeArch;
  /** Node name. */
  nodeName: string;
  /** systemd unit: `k3s` or `k3s-agent`. */
  serviceName: string;
  /** The pinned binary. */
  binary: { version: string; url: string; sha256: string };
  /** The GPU, on NVIDIA hosts. */
  accelerator?: AcceleratorType;
  /** NVIDIA container toolkit version, on NVIDIA hosts. */
  nvidiaToolkitVersion?: string;
  /** Servers: the `local-path` StorageClass's node directory, when not k3s' default. */
  localStoragePath?: string;
  /** Node labels (with `hybridai.dev/accelerator` on NVIDIA hosts). */
  labels: Record<string, string>;
}

function assertLabels(labels: Record<string, string>): void {
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (
      !LABEL_NAME.test(name) ||
      (prefix !== undefined && (prefix.length > 253 || !NODE_NAME.test(prefix)))
    ) {
      throw new HybridAiConfigError(
        EDGE_HOST,
        "labels",
        key,
        "label keys like `hybridai.dev/site` or `zone`: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_', '.'",
      );
    }
    if (typeof value !== "string" || !LABEL_VALUE.test(value)) {
      throw new HybridAiConfigError(
        EDGE_HOST,
        `labels.${key}`,
        value,
        "a label value: at most 63 letters, digits, '-', '_', '.', alphanumeric at both ends",
      );
    }
  }
}

/** A server's `localStoragePath`: an absolute directory below the root. */
function assertLocalStoragePath(role: EdgeHostRole, path: unknown): void {
  if (role !== "server") {
    throw new HybridAiConfigError(
      EDGE_HOST,
      "localStoragePath",
      path,
      "nothing on an agent: the server's setting applies to every node of the cluster",
    );
  }
  if (
    typeof path !== "string" ||
    !/^\/[^\s'"\\]*[^/\s'"\\]$/.test(path) ||
    path.split("/").includes("..")
  ) {
    throw new HybridAiConfigError(
      EDGE_HOST,
      "localStoragePath",
      path,
      "an absolute directory below the root, without '..', spaces or quotes, e.g. /data/k3s-storage",
    );
  }
}

/**
 * Validates {@link EdgeHostArgs}. Throws {@link HybridAiConfigError} for an unknown role or
 * architecture, an agent without `serverUrl` or a server with one, a bad node name or labels, a
 * non-NVIDIA accelerator or an accelerator on arm64, a k3s version without a checksum for the
 * architecture, a malformed checksum or toolkit version, or a `localStoragePath` on an agent or
 * not absolute.
 */
export function planEdgeHost(componentName: string, args: EdgeHostArgs): EdgeHostPlan {
  const role = args.role ?? "server";
  assertOneOf(EDGE_HOST, "role", role, ROLES);
  const arch = args.arch ?? "amd64";
  assertOneOf(EDGE_HOST, "arch", arch, EDGE_ARCHES);
  if (args.token === undefined || args.token === null || args.token === "") {
    throw new HybridAiConfigError(
      EDGE_HOST,
      "token",
      undefined,
      "the cluster's join token, a secret (e.g. `openssl rand -hex 32`, kept with `pulumi config set --secret`)",
    );
  }
  if (role === "agent" && args.serverUrl === undefined) {
    throw new HybridAiConfigError(
      EDGE_HOST,
      "serverUrl",
      undefined,
      "the URL of the server an agent joins, e.g. the server host's `serverUrl` output",
    );
  }
  if (role === "server" && args.serverUrl !== undefined) {
    throw new HybridAiConfigError(
      EDGE_HOST,
      "serverUrl",
      args.serverUrl,
      "nothing for a server (it is the cluster); set role: agent to join this host to a server",
    );
  }
  const nodeName = args.nodeName ?? componentName;
  if (typeof nodeName !== "string" || nodeName.length > 63 || !NODE_NAME.test(nodeName)) {
    throw new HybridAiConfigError(
      EDGE_HOST,
      "nodeName",
      nodeName,
      "lowercase letters, digits, '-' and '.', alphanumeric at both ends, at most 63 characters",
    );
  }
  const accelerator = args.accelerator;
  if (accelerator !== undefined) {
    const gpus = ACCELERATOR_TYPES.filter((t) => ACCELERATOR_MODELS[t].vendor === "nvidia");
    assertOneOf(EDGE_HOST, "accelerator", accelerator, gpus);
  }
  assertArchAccelerator(EDGE_HOST, "accelerator", arch, accelerator);
  const release = args.k3s ?? DEFAULT_K3S_RELEASE;
  if (typeof release.version !== "string" || !K3S_VERSION.test(release.version)) {
    throw new HybridAiConfigError(
      EDGE_HOST,
      "k3s.version",
      release.version,
      "a k3s release tag such as v1.35.0+k3s1",
    );
  }
  const sha256 = release.sha256?.[arch];
  if (typeof sha256 !== "string" || !SHA256.test(sha256)) {
    throw new HybridAiConfigError(
      EDGE_HOST,
      `k3s.sha256.${arch}`,
      sha256,
      `the 64 lowercase hex digits of the SHA-256 of ${k3sBinaryUrl(release.version, arch)} (from the release's sha256sum-${arch}.txt)`,
    );
  }
  const toolkit = args.nvidiaToolkitVersion ?? DEFAULT_NVIDIA_TOOLKIT_VERSION;
  if (accelerator !== undefined && !APT_VERSION.test(toolkit)) {
    throw new HybridAiConfigError(
      EDGE_HOST,
      "nvidiaToolkitVersion",
      toolkit,
      "an apt package version such as 1.17.8-1",
    );
  }
  const { localStoragePath } = args;
  if (localStoragePath !== undefined) assertLocalStoragePath(role, localStoragePath);
  const labels = {
    ...args.labels,
    ...(accelerator ? { [LABELS.accelerator]: accelerator } : {}),
  };
  assertLabels(labels);
  return {
    role,
    arch,
    nodeName,
    serviceName: role === "server" ? "k3s" : "k3s-agent",
    binary: { version: release.version, url: k3sBinaryUrl(release.version, arch), sha256 },
    ...(accelerator ? { accelerator, nvidiaToolkitVersion: toolkit } : {}),
    ...(localStoragePath !== undefined ? { localStoragePath } : {}),
    labels,
  };
}

/**
 * `/etc/rancher/k3s/config.yaml` of the host (as JSON, which YAML reads): node name, token file,
 * registration labels, the server URL (agents) or the host as an extra TLS name (servers), the
 * kubeconfig readable by root only and the `local-path` storage directory when set (servers), and
 * `nvidia` as the default container runtime on NVIDIA hosts.
 */
export function k3sConfig(
  plan: EdgeHostPlan,
  where: { host: string; serverUrl?: string },
): Record<string, unknown> {
  return {
    "node-name": plan.nodeName,
    "token-file": "/etc/rancher/k3s/token",
    ...(Object.keys(plan.labels).length > 0
      ? { "node-label": Object.entries(plan.labels).map(([k, v]) => `${k}=${v}`) }
      : {}),
    ...(plan.role === "agent"
      ? { server: where.serverUrl }
      : {
          "tls-san": [where.host],
          "write-kubeconfig-mode": "0600",
          ...(plan.localStoragePath !== undefined
            ? { "default-local-storage-path": plan.localStoragePath }
            : {}),
        }),
    ...(plan.accelerator ? { "default-runtime": NVIDIA_RUNTIME_CLASS } : {}),
  };
}
