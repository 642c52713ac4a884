import { Namespace } from "@pulumi/kubernetes/core/v1";
import { Provider } from "@pulumi/kubernetes/provider";
import type * as pulumi from "@pulumi/pulumi";
import { kubernetes } from "pulumi-hybridai";
import { awaitOutput, installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";

const mocks = installMocks();

/**
 * Other languages cannot pass a resource object where a component waits for something: they pass
 * `{ urn: resource.urn }`, and the engine hands the provider an output that depends on the resource.
 * This builds that shape in-process: an output of the URN whose resources are the resource's.
 */
function fromAnotherLanguage(resource: pulumi.Resource): { urn: pulumi.Output<string> } {
  return { urn: resource.urn.apply((urn) => urn) };
}

describe("waiting for resources given as { urn } (what other languages pass)", () => {
  it("makes every object of an OnnxService depend on them, as a resource passed directly does", async () => {
    const provider = new Provider("cluster", { kubeconfig: "{}" });
    const direct = new Namespace("direct", { metadata: { name: "direct" } }, { provider });
    const remote = new Namespace("remote", { metadata: { name: "remote" } }, { provider });
    const service = (name: string, waitFor: kubernetes.ServingCapacity["waitFor"]) =>
      new kubernetes.OnnxService(name, {
        provider,
        model: { uri: "s3://models/ranker" },
        capacity: { waitFor },
      });
    const a = service("a", [direct]);
    const b = service("b", [fromAnotherLanguage(remote)]);
    await settle();
    const [directUrn, remoteUrn, aUrn, bUrn] = await Promise.all(
      [direct.urn, remote.urn, a.urn, b.urn].map((u) => awaitOutput(u)),
    );
    const childrenOf = (urn: string) => mocks.resources.filter((r) => r.parent === urn);
    const aChildren = childrenOf(aUrn as string);
    const bChildren = childrenOf(bUrn as string);
    expect(aChildren.length).toBeGreaterThan(3);
    expect(bChildren.map((r) => r.type)).toEqual(aChildren.map((r) => r.type));
    for (const child of aChildren) expect(child.dependencies).toContain(directUrn);
    for (const child of bChildren) {
      expect(child.dependencies).toContain(remoteUrn);
      expect(child.dependencies).not.toContain(directUrn);
    }
  });
});
