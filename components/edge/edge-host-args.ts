import type { types } from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import type { AcceleratorType } from "../accelerators";
import type { EdgeArch } from "./edge-fleet-args";
import type { K3sRelease } from "./k3s-release";

/** What a host runs, by name. */
export const EdgeHostRole = {
  /** The k3s server: the control plane, which also runs pods. */
  Server: "server",
  /** A k3s agent joining a server. */
  Agent: "agent",
} as const;

/** What a host runs: the k3s server (control plane, also runs pods) or an agent joining one. */
export type EdgeHostRole = (typeof EdgeHostRole)[keyof typeof EdgeHostRole];

/**
 * Arguments of {@link EdgeHost}: one Linux host reachable over SSH from where `pulumi up` runs
 * (systemd, `curl`, `sha256sum`; apt for NVIDIA hosts), on which k3s is installed.
 */
export interface EdgeHostArgs {
  /**
   * SSH connection (`@pulumi/command` remote connection): `host`, `user`, `privateKey` (a
   * secret) and optionally `port`, `hostKey`, `proxy`. The user is root or may run `sudo -n`.
   */
  connection: pulumi.Input<types.input.remote.ConnectionArgs>;
  /** `server` (default) or `agent`. */
  role?: EdgeHostRole;
  /** The host's CPU architecture; the install checks it against `uname -m`. Default `amd64`. */
  arch?: EdgeArch;
  /**
   * The cluster's join token (a secret, e.g. `openssl rand -hex 32` kept with `pulumi config set
   * --secret`): the server is created with it, agents join with it. Written to a root-only file
   * on the host (passed over SSH standard input, never on a command line).
   */
  token: pulumi.Input<string>;
  /** Agents: the server's URL, e.g. the server host's `serverUrl` output. */
  serverUrl?: pulumi.Input<string>;
  /** Kubernetes node name. Default: the component name. */
  nodeName?: string;
  /**
   * Node labels, e.g. `{ "hybridai.dev/site": "store-a" }`: set at registration and re-applied
   * (overwriting) on every update. Labels removed here stay on the node until removed by hand.
   */
  labels?: Record<string, string>;
  /**
   * The host's NVIDIA GPU: installs the NVIDIA container toolkit (apt; the driver must already be
   * installed) before k3s, makes `nvidia` the node's default container runtime (so NVIDIA's device
   * plugin sees the GPUs), and labels the node `hybridai.dev/accelerator`. amd64 only. Default: none.
   */
  accelerator?: AcceleratorType;
  /** The k3s release and its checksums. Default {@link DEFAULT_K3S_RELEASE}. */
  k3s?: K3sRelease;
  /** NVIDIA container toolkit package version. Default {@link DEFAULT_NVIDIA_TOOLKIT_VERSION}. */
  nvidiaToolkitVersion?: string;
  /**
   * Servers: the node directory under which k3s' `local-path` StorageClass creates volumes
   * (k3s' `default-local-storage-path`, for every node of the cluster), e.g. a data disk rather
   * than the boot medium: `EdgeFleet`'s model cache claims live there. Default: k3s' own,
   * `/var/lib/rancher/k3s/storage`.
   */
  localStoragePath?: string;
}
