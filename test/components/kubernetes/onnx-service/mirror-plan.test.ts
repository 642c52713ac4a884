import { kubernetes } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  type PropertyMap,
  settle,
  validateKubernetesObject,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { configErrorOf } from "../../helpers/config-error";

const mocks = installMocks();
const { planOnnxService } = kubernetes;
type Args = Parameters<typeof planOnnxService>[1];

const model = { uri: "s3://models-bucket/models/ranker" };
const gateway = { name: "inference", namespace: "gateways" };

function plan(args: Partial<Args>) {
  return planOnnxService("ranker", { namespace: "serving", model, ...args });
}

/** The rule of a planned HTTPRoute (these routes have exactly one). */
function ruleOf(route: PropertyMap | undefined): PropertyMap {
  expect(route, "route").toBeDefined();
  expect(validateKubernetesObject(route as PropertyMap).status).toBe("validated");
  const rules = (route as PropertyMap).spec.rules;
  expect(rules).toHaveLength(1);
  return rules[0];
}

const mirrorTo = (name: string, namespace: string, port: number) => ({
  type: "RequestMirror",
  requestMirror: { backendRef: { group: "", kind: "Service", name, namespace, port } },
});

describe("mirror planning (pure)", () => {
  it("routes every request to the service and a copy to the mirror on its own route", () => {
    const p = plan({
      mirror: { service: "ranker-candidate", gateway, hostnames: ["ranker.example.com"] },
    });
    const route = p.mirror?.route as PropertyMap;
    const rule = ruleOf(route);
    expect(route.metadata).toMatchObject({ name: "ranker", namespace: "serving" });
    expect(route.spec.hostnames).toEqual(["ranker.example.com"]);
    expect(route.spec.parentRefs[0]).toMatchObject({ name: "inference", namespace: "gateways" });
    expect(rule.backendRefs).toEqual([
      { group: "", kind: "Service", name: "ranker", port: 8000, weight: 100 },
    ]);
    expect(rule.filters).toEqual([mirrorTo("ranker-candidate", "serving", 8000)]);
    expect(p.mirror?.referenceGrant).toBeUndefined();
  });

  it("grants the route access to a Service in another namespace", () => {
    const p = plan({
      port: 9000,
      mirror: { service: "candidate", namespace: "shadow", port: 8080, gateway },
    });
    expect(ruleOf(p.mirror?.route).filters).toEqual([mirrorTo("candidate", "shadow", 8080)]);
    const grant = p.mirror?.referenceGrant as PropertyMap;
    expect(validateKubernetesObject(grant)).toMatchObject({
      kind: "ReferenceGrant",
      namespace: "shadow",
      status: "validated",
    });
    expect(grant.apiVersion).toBe("gateway.networking.k8s.io/v1beta1");
    expect(grant.metadata.name).toBe("serving-ranker-mirror");
    expect(grant.spec).toEqual({
      from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "serving" }],
      to: [{ group: "", kind: "Service", name: "candidate" }],
    });
  });

  it("puts the filter on the canary's weighted route instead of a second route", () => {
    const p = plan({
      canary: { uri: "s3://models-bucket/models/ranker-v2", weight: 10, gateway },
      mirror: { service: "ranker-candidate" },
    });
    expect(p.mirror).toBeUndefined();
    const rule = ruleOf(p.canary?.route);
    expect(rule.filters).toEqual([mirrorTo("ranker-candidate", "serving", 8000)]);
    expect(rule.backendRefs.map((b: PropertyMap) => [b.name, b.weight])).toEqual([
      ["ranker", 90],
      ["ranker-canary", 10],
    ]);
  });

  it("puts the filter on the rollout's route, which Argo Rollouts reweights", () => {
    const p = plan({
      serviceMonitor: {},
      rollout: { gateway },
      mirror: { service: "candidate", namespace: "shadow" },
    });
    expect(ruleOf(p.rollout?.route).filters).toEqual([mirrorTo("candidate", "shadow", 8000)]);
    expect(p.mirror?.route).toBeUndefined();
    expect(p.mirror?.referenceGrant).toBeDefined();
  });

  const cases: [string, Partial<Args>, string, RegExp][] = [
    [
      "no Gateway to carry it",
      { mirror: { service: "candidate" } },
      "mirror.gateway.name",
      /Gateway/,
    ],
    [
      "a Gateway besides the canary's",
      {
        canary: { uri: "s3://b/v2", weight: 5, gateway },
        mirror: { service: "candidate", gateway },
      },
      "mirror.gateway",
      /joins the canary's HTTPRoute/,
    ],
    [
      "host names besides the rollout's",
      { serviceMonitor: {}, rollout: { gateway }, mirror: { service: "c", hostnames: ["a.b"] } },
      "mirror.hostnames",
      /joins the rollout's HTTPRoute/,
    ],
    ["itself", { mirror: { service: "ranker", gateway } }, "mirror.service", /other than ranker/],
    [
      "a bad Service name",
      { mirror: { service: "Candidate", gateway } },
      "mirror.service",
      /lowercase/,
    ],
    [
      "a bad namespace",
      { mirror: { service: "c", namespace: "Shadow", gateway } },
      "mirror.namespace",
      /namespace/,
    ],
    [
      "a port out of range",
      { mirror: { service: "c", port: 70000, gateway } },
      "mirror.port",
      /65535/,
    ],
  ];
  it.each(cases)("refuses a mirror to %s", (_label, args, field, allowed) => {
    const error = configErrorOf(() => plan(args));
    expect(error.component).toBe("OnnxService");
    expect(error.field).toBe(field);
    expect(error.message).toMatch(allowed);
  });

  it("accepts a mirror to a same-named Service in another namespace", () => {
    expect(() =>
      plan({ mirror: { service: "ranker", namespace: "shadow", gateway } }),
    ).not.toThrow();
  });
});

describe("OnnxService with a mirror", () => {
  it("creates the route after the Service and the grant in the target's namespace", async () => {
    const service = new kubernetes.OnnxService("ranker", {
      namespace: "serving",
      model,
      mirror: { service: "candidate", namespace: "shadow", gateway },
    });
    await settle();
    const urn = await awaitOutput(service.urn);
    const children = mocks.resources.filter((r) => r.parent === urn);
    const validated = validateKubernetesObjects(children).filter((v) => v.status === "validated");
    expect(validated.map((v) => `${v.kind} ${v.namespace}/${v.name}`).sort()).toEqual([
      "Deployment serving/ranker",
      "HTTPRoute serving/ranker",
      "HorizontalPodAutoscaler serving/ranker",
      "NetworkPolicy serving/ranker",
      "PodDisruptionBudget serving/ranker",
      "ReferenceGrant shadow/serving-ranker-mirror",
      "Service serving/ranker",
      "ServiceAccount serving/ranker",
    ]);
    const route = mocks.one("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "ranker");
    expect(route.dependencies).toContain(mocks.one("kubernetes:core/v1:Service", "ranker").urn);
  });
});
