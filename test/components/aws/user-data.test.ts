import { aws } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const { nodeUserData } = aws;

const spec = {
  clusterName: "prod",
  endpoint: "https://ABC.gr7.us-west-2.eks.amazonaws.com",
  certificateAuthorityData: "Q0VSVA==",
  serviceCidr: "172.20.0.0/16",
  labels: { "hybridai.dev/accelerator": "nvidia-l4", team: "search" },
  taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" as const }],
};

function parts(userData: string): { type: string; body: string }[] {
  const boundary = /boundary="([^"]+)"/.exec(userData)?.[1];
  expect(boundary).toBeDefined();
  const chunks = userData.split(`--${boundary}`).slice(1, -1);
  return chunks.map((chunk) => {
    const [head, ...body] = chunk.trim().split("\n\n");
    return { type: head.replace("Content-Type: ", ""), body: body.join("\n\n") };
  });
}

describe("nodeUserData (self-managed AL2023 nodes)", () => {
  it("is a MIME multi-part document with a NodeConfig and a boot script", () => {
    const [config, script] = parts(nodeUserData(spec));
    expect(config.type).toBe("application/node.eks.aws");
    expect(script.type).toMatch(/^text\/x-shellscript/);
    const nodeConfig = parse(config.body);
    expect(nodeConfig).toEqual({
      apiVersion: "node.eks.aws/v1alpha1",
      kind: "NodeConfig",
      spec: {
        cluster: {
          name: "prod",
          apiServerEndpoint: spec.endpoint,
          certificateAuthority: "Q0VSVA==",
          cidr: "172.20.0.0/16",
        },
        kubelet: { flags: ["--register-with-taints=nvidia.com/gpu=present:NoSchedule"] },
      },
    });
  });

  it("labels the node spot or on-demand from IMDSv2, with every other label, in a nodeadm drop-in", () => {
    const script = parts(nodeUserData(spec))[1].body;
    expect(script.startsWith("#!/bin/bash\nset -euo pipefail")).toBe(true);
    expect(script).toContain('-X PUT "$IMDS/api/token"');
    expect(script).toContain("meta-data/instance-life-cycle");
    const dropIn = /cat > (\S+) <<EOF\n([\s\S]*?)\nEOF/.exec(script);
    expect(dropIn?.[1]).toBe("/etc/eks/nodeadm.d/50-hybridai-labels.yaml");
    const config = parse(dropIn?.[2].replace(/\$\{CAPACITY\}/, "spot") ?? "");
    expect(config.spec.kubelet.flags).toEqual([
      "--node-labels=hybridai.dev/accelerator=nvidia-l4,team=search,hybridai.dev/capacity-type=spot",
    ]);
  });
});
