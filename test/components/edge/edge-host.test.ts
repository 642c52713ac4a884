import * as pulumi from "@pulumi/pulumi";
import { edge } from "pulumi-hybridai";
import { awaitOutput, installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { SECRET_MARK, SECRET_SIG } from "./secret-envelope";

const COMMAND = "command:remote:Command";
const K3S_YAML =
  "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: Q0E=\n    server: https://127.0.0.1:6443\n  name: default\n";

const mocks = installMocks({
  outputs: ({ type, name }) =>
    type === COMMAND
      ? { stdout: name.endsWith("-kubeconfig") ? K3S_YAML : "k3s running", stderr: "" }
      : undefined,
});

const token = pulumi.secret("cluster-join-token");
const server = new edge.EdgeHost("store-a", {
  connection: { host: "store-a.lan", user: "ubuntu", privateKey: pulumi.secret("KEY") },
  token,
  labels: { "hybridai.dev/site": "store-a" },
});
const agent = new edge.EdgeHost("store-a-gpu", {
  connection: { host: "10.0.0.7", user: "ubuntu", privateKey: pulumi.secret("KEY") },
  role: "agent",
  serverUrl: server.serverUrl,
  token,
  accelerator: "nvidia-l4",
});

describe("EdgeHost under mocks", async () => {
  await settle();
  const kubeconfig = await awaitOutput(server.kubeconfig);
  const serverUrl = await awaitOutput(server.serverUrl);

  it("runs the toolkit, k3s and kubeconfig commands each host needs, over its SSH connection", () => {
    expect(
      mocks
        .ofType(COMMAND)
        .map((c) => c.name)
        .sort(),
    ).toEqual([
      "store-a-gpu-k3s",
      "store-a-gpu-nvidia-toolkit",
      "store-a-k3s",
      "store-a-kubeconfig",
    ]);
    const k3s = mocks.one(COMMAND, "store-a-k3s");
    expect(k3s.inputs.connection[SECRET_SIG]).toBe(SECRET_MARK);
    expect(k3s.inputs.connection.value).toMatchObject({ host: "store-a.lan", user: "ubuntu" });
  });

  it("passes the join token on standard input, as a secret, never in the script", () => {
    for (const name of ["store-a-k3s", "store-a-gpu-k3s"]) {
      const k3s = mocks.one(COMMAND, name);
      expect(k3s.inputs.stdin).toEqual({ [SECRET_SIG]: SECRET_MARK, value: "cluster-join-token" });
      expect(JSON.stringify(k3s.inputs.create)).not.toContain("cluster-join-token");
      expect(k3s.inputs.update).toEqual(k3s.inputs.create);
    }
  });

  it("installs the NVIDIA toolkit before k3s, and k3s with nvidia as default runtime", () => {
    const toolkit = mocks.one(COMMAND, "store-a-gpu-nvidia-toolkit");
    const k3s = mocks.one(COMMAND, "store-a-gpu-k3s");
    expect(k3s.dependencies).toContain(toolkit.urn);
    expect(k3s.inputs.create).toContain('"default-runtime": "nvidia"');
    expect(k3s.inputs.create).toContain("'hybridai.dev/accelerator=nvidia-l4'");
    expect(toolkit.inputs.create).toContain("nvidia-container-toolkit=1.17.8-1");
  });

  it("joins the agent to the server's URL once the server is installed", () => {
    const agentK3s = mocks.one(COMMAND, "store-a-gpu-k3s");
    expect(agentK3s.inputs.create).toContain('"server": "https://store-a.lan:6443"');
    expect(agentK3s.inputs.create).toContain("ExecStart=/usr/local/bin/k3s agent");
    expect(agentK3s.dependencies).toContain(mocks.one(COMMAND, "store-a-k3s").urn);
    expect(serverUrl).toBe("https://store-a.lan:6443");
  });

  it("uninstalls k3s on delete", () => {
    expect(mocks.one(COMMAND, "store-a-k3s").inputs.delete).toContain(
      "systemctl disable --now k3s",
    );
    expect(mocks.one(COMMAND, "store-a-gpu-k3s").inputs.delete).toContain(
      "systemctl disable --now k3s-agent",
    );
  });

  it("reads the server's kubeconfig back, secret, pointed at the host", () => {
    const read = mocks.one(COMMAND, "store-a-kubeconfig");
    expect(read.options.additionalSecretOutputs).toContain("stdout");
    expect(read.dependencies).toContain(mocks.one(COMMAND, "store-a-k3s").urn);
    expect(kubeconfig).toContain("server: https://store-a.lan:6443");
    expect(kubeconfig).not.toContain("127.0.0.1");
    expect(pulumi.isSecret(server.kubeconfig)).toBeTruthy();
  });

  it("reports the node name and k3s version", async () => {
    expect(await awaitOutput(agent.nodeName)).toBe("store-a-gpu");
    expect(await awaitOutput(agent.k3sVersion)).toBe("v1.35.0+k3s1");
  });
});
