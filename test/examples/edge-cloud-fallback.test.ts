import { installMocks, validateKubernetesObjects } from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { mandatoryViolations, runExample } from "./run-example";

installMocks();

it("rolls the model out to three sites in two rings, each forwarding timeouts and overload to the cloud", async () => {
  // `cloudToken` is a secret the sample stack file cannot hold: set it as `pulumi config set --secret` would.
  const run = await runExample("edge-cloud-fallback", {
    "edge-cloud-fallback:cloudToken": "cloud-token",
  });
  const { mocks, outputs } = run;

  expect(outputs.sites).toEqual({
    berlin: expect.objectContaining({
      ring: 0,
      region: "eu",
      arch: "arm64",
      modelRevision: "2026-05-01",
    }),
    paris: expect.objectContaining({ ring: 1, arch: "amd64" }),
    lyon: expect.objectContaining({
      ring: 1,
      arch: "amd64",
      image: expect.stringMatching(/-cuda$/),
    }),
  });

  // One Kubernetes provider per site, from that site's kubeconfig (kept secret).
  for (const site of ["berlin", "paris", "lyon"]) {
    const provider = mocks.one("pulumi:providers:kubernetes", `ranker-${site}`);
    expect(JSON.stringify(provider.inputs.kubeconfig)).toContain(
      `/etc/hybridai/sites/${site}.yaml`,
    );
  }

  // Ring 1 waits for ring 0's StatefulSet; ring 0 waits for nothing of the fleet.
  const berlin = mocks.one("kubernetes:apps/v1:StatefulSet", "ranker-berlin");
  for (const site of ["paris", "lyon"]) {
    expect(mocks.one("kubernetes:apps/v1:StatefulSet", `ranker-${site}`).dependencies).toContain(
      berlin.urn,
    );
  }
  const statefulSets = mocks.ofType("kubernetes:apps/v1:StatefulSet");
  expect(statefulSets).toHaveLength(3);
  expect(berlin.dependencies.filter((d) => statefulSets.some((s) => s.urn === d))).toEqual([]);

  // Every site: the token in its own Secret, mounted read-only, and a fallback block that
  // forwards timeouts and overload (not errors) after 2 s to the cloud URL.
  expect(
    mocks
      .ofType("kubernetes:core/v1:Secret")
      .map((s) => s.name)
      .sort(),
  ).toEqual([
    "ranker-berlin-cloud-fallback",
    "ranker-lyon-cloud-fallback",
    "ranker-paris-cloud-fallback",
  ]);
  for (const statefulSet of statefulSets) {
    const pod = statefulSet.inputs.spec.template.spec;
    const configInit = pod.initContainers.find((c: { name: string }) => c.name === "model-config");
    const overlay = JSON.parse(configInit.args[0]);
    expect(overlay).toEqual({
      fallback: {
        url: "https://ranker.acme.example",
        token_file: "/var/run/hybridai/fallback/token",
        timeout_ms: 2000,
        on: ["timeout", "overload"],
      },
    });
    const serve = pod.containers.find((c: { name: string }) => c.name === "serve");
    expect(serve.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: "cloud-fallback-token", mountPath: "/var/run/hybridai/fallback", readOnly: true },
      ]),
    );
  }

  // The GPU site gets NVIDIA's device plugin and uses k3s' own nvidia RuntimeClass; the others
  // get neither.
  expect(mocks.ofType("kubernetes:node.k8s.io/v1:RuntimeClass")).toEqual([]);
  expect(mocks.ofType("kubernetes:helm.sh/v3:Release").map((r) => r.name)).toEqual([
    "ranker-lyon-nvidia",
  ]);

  const objects = validateKubernetesObjects(mocks.resources);
  expect(objects.filter((o) => o.kind === "StatefulSet" && o.status === "validated")).toHaveLength(
    3,
  );
  expect(objects.filter((o) => o.status === "validated").length).toBeGreaterThan(15);

  // The repository's compliance and cost packs pass it, as `npm run check -- --program` would.
  expect(await mandatoryViolations(run)).toEqual([]);
});
