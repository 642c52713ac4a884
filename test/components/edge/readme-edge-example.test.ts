import { readFileSync } from "node:fs";
import {
  awaitOutput,
  installMocks,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { readmeEdgeExample } from "./readme-edge-example";
import { revealedRecords } from "./secret-envelope";

const mocks = installMocks({
  outputs: ({ type, name }) =>
    type === "command:remote:Command" && name.endsWith("-kubeconfig")
      ? { stdout: "clusters:\n- cluster:\n    server: https://127.0.0.1:6443\n" }
      : undefined,
});
mocks.setConfig({
  "project:sshKey": "KEY",
  "project:k3sToken": "join-token",
  "project:cloudToken": "cloud-token",
  "project:paris": "paris-kubeconfig",
  "project:lyon": "lyon-kubeconfig",
});

it("the edge docs' program runs: a k3s host, then the fleet in two rings on it and two more sites", async () => {
  const { sites } = readmeEdgeExample();
  await settle();
  const status = await awaitOutput(sites);
  expect(Object.keys(status)).toEqual(["berlin", "paris", "lyon"]);
  expect(status.berlin).toMatchObject({ ring: 0, arch: "arm64", modelRevision: "2026-05-01" });
  const berlinProvider = mocks.one("pulumi:providers:kubernetes", "ranker-berlin");
  expect(berlinProvider.dependencies).toContain(
    mocks.one("command:remote:Command", "berlin-kubeconfig").urn,
  );
  expect(JSON.stringify(berlinProvider.inputs.kubeconfig)).toContain("https://10.20.0.5:6443");
  expect(
    validateKubernetesObjects(revealedRecords(mocks.resources)).filter(
      (o) => o.kind === "StatefulSet" && o.status === "validated",
    ),
  ).toHaveLength(3);
});

it("docs/edge.md shows this program verbatim", () => {
  const page = readFileSync("docs/edge.md", "utf8");
  const program = readFileSync("test/components/edge/readme-edge-example.ts", "utf8");
  const body = program.slice(program.indexOf("  const config"), program.indexOf("\n  return"));
  expect(body.split("\n").length).toBeLessThanOrEqual(20);
  expect(page).toContain(body.replace(/^ {2}/gm, ""));
});
