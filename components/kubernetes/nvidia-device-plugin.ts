import { Release } from "@pulumi/kubernetes/helm/v3";
import * as pulumi from "@pulumi/pulumi";
import type { NvidiaDevicePluginArgs } from "./nvidia-device-plugin-args";
import { planNvidiaDevicePlugin } from "./nvidia-device-plugin-plan";

/**
 * NVIDIA's device plugin as a pinned Helm release, running only on hybridai GPU nodes, with
 * optional time-slicing and MIG. Needed on EKS nodes from the accelerated AL2023 AMIs and on
 * k3s; not on GKE (it installs its own on GPU node pools) nor Bottlerocket NVIDIA variants
 * (they ship one).
 */
export class NvidiaDevicePlugin extends pulumi.ComponentResource {
  /** Helm release name. */
  readonly releaseName: pulumi.Output<string>;
  /** Namespace of the release. */
  readonly namespace: pulumi.Output<string>;

  /**
   * @param name component name; also the Helm release name
   * @param args see {@link NvidiaDevicePluginArgs}
   * @param opts component resource options
   */
  constructor(
    name: string,
    args: NvidiaDevicePluginArgs = {},
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    const release = planNvidiaDevicePlugin(name, args);
    super("hybridai:index:NvidiaDevicePlugin", name, {}, opts);
    const created = new Release(name, release, {
      parent: this,
      ...(args.provider ? { provider: args.provider } : {}),
    });
    this.releaseName = created.name;
    this.namespace = pulumi.output(release.namespace as string);
    this.registerOutputs({ releaseName: this.releaseName, namespace: this.namespace });
  }
}
