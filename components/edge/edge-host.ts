import { Command } from "@pulumi/command/remote";
import * as pulumi from "@pulumi/pulumi";
import type { EdgeHostArgs } from "./edge-host-args";
import { k3sConfig, planEdgeHost } from "./edge-host-plan";
import {
  k3sInstallScript,
  k3sUninstallScript,
  kubeconfigForHost,
  nvidiaToolkitScript,
  READ_KUBECONFIG_SCRIPT,
} from "./edge-host-scripts";

/**
 * k3s on a host reached over SSH (`@pulumi/command`): the pinned binary checked against its
 * SHA-256 before it is installed, a systemd unit and `config.yaml` written by us (not k3s'
 * curl-to-sh installer), the join token passed on standard input into a root-only file, node
 * labels, optionally where k3s' `local-path` volumes live, and on NVIDIA hosts the NVIDIA container
 * toolkit (before k3s starts, so k3s registers the `nvidia` runtime) as the default runtime. A
 * server also reads back its kubeconfig, pointed at the host, for `EdgeFleet` sites and agents.
 * Every argument is validated by {@link planEdgeHost} before anything registers.
 */
export class EdgeHost extends pulumi.ComponentResource {
  /** Kubernetes node name. */
  readonly nodeName: pulumi.Output<string>;
  /** k3s version installed. */
  readonly k3sVersion: pulumi.Output<string>;
  /** Servers: `https://<host>:6443`, for agents to join. Agents: the server they joined. */
  readonly serverUrl: pulumi.Output<string>;
  /** Servers: the admin kubeconfig pointed at the host (secret). Agents: empty. */
  readonly kubeconfig: pulumi.Output<string>;

  /**
   * @param name component name; also the node name unless `args.nodeName` is set
   * @param args see {@link EdgeHostArgs}
   * @param opts component resource options
   */
  constructor(name: string, args: EdgeHostArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const plan = planEdgeHost(name, args);
    super("hybridai:index:EdgeHost", name, {}, opts);
    const connection = pulumi.secret(args.connection);
    // The host name is not secret, though the connection (with its key) is.
    const host = pulumi.unsecret(pulumi.output(args.connection).apply((c) => c.host));
    const toolkit =
      plan.accelerator && plan.nvidiaToolkitVersion
        ? [
            new Command(
              `${name}-nvidia-toolkit`,
              {
                connection,
                create: nvidiaToolkitScript(plan.nvidiaToolkitVersion),
                update: nvidiaToolkitScript(plan.nvidiaToolkitVersion),
              },
              { parent: this },
            ),
          ]
        : [];
    const serverUrl =
      plan.role === "server"
        ? pulumi.interpolate`https://${host}:6443`
        : pulumi.output(args.serverUrl as pulumi.Input<string>);
    const script = pulumi.all([host, args.serverUrl]).apply(([address, url]) =>
      k3sInstallScript({
        role: plan.role,
        arch: plan.arch,
        serviceName: plan.serviceName,
        nodeName: plan.nodeName,
        binary: plan.binary,
        labels: plan.labels,
        config: JSON.stringify(
          k3sConfig(plan, { host: address, ...(url !== undefined ? { serverUrl: url } : {}) }),
          null,
          2,
        ),
      }),
    );
    const k3s = new Command(
      `${name}-k3s`,
      {
        connection,
        create: script,
        update: script,
        delete: k3sUninstallScript(plan.serviceName),
        stdin: pulumi.secret(args.token),
        addPreviousOutputInEnv: false,
      },
      { parent: this, dependsOn: toolkit },
    );
    this.nodeName = pulumi.output(plan.nodeName);
    this.k3sVersion = pulumi.output(plan.binary.version);
    if (plan.role === "server") {
      const read = new Command(
        `${name}-kubeconfig`,
        {
          connection,
          create: READ_KUBECONFIG_SCRIPT,
          update: READ_KUBECONFIG_SCRIPT,
          triggers: [k3s.stdout],
          logging: "stderr",
        },
        { parent: this, dependsOn: [k3s], additionalSecretOutputs: ["stdout"] },
      );
      this.kubeconfig = pulumi.secret(
        pulumi
          .all([read.stdout, host])
          .apply(([yaml, address]) => kubeconfigForHost(yaml, address)),
      );
      this.serverUrl = pulumi.all([serverUrl, k3s.stdout]).apply(([url]) => url);
    } else {
      this.kubeconfig = pulumi.secret(pulumi.output(""));
      this.serverUrl = serverUrl;
    }
    this.registerOutputs({
      nodeName: this.nodeName,
      k3sVersion: this.k3sVersion,
      serverUrl: this.serverUrl,
      kubeconfig: this.kubeconfig,
    });
  }
}
