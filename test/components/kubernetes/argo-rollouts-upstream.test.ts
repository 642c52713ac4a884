import { kubernetes } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import {
  ARGO_ROLLOUTS_CHART_VALUES,
  ARGO_ROLLOUTS_CONTROLLER_RULES,
  GATEWAY_API_PLUGIN_RBAC,
} from "../../fixtures/upstream/argo-rollouts";
import type { RbacNeed, RbacRule } from "../../fixtures/upstream/types";

const { ARGO_ROLLOUTS_CHART, GATEWAY_API_PLUGIN, planArgoRollouts, planOnnxService } = kubernetes;

/** Whether a rule allows a need (resource names honoured: a named rule never allows create). */
function allows(rule: RbacRule, need: RbacNeed): boolean {
  const names = rule.resourceNames ?? [];
  return (
    rule.apiGroups.includes(need.apiGroup) &&
    rule.resources.includes(need.resource) &&
    (rule.verbs.includes(need.verb) || rule.verbs.includes("*")) &&
    (names.length === 0 || (need.resourceName !== undefined && names.includes(need.resourceName)))
  );
}

/** The plugin configs (by key) of every Rollout an OnnxService with a rollout plans. */
function pluginConfigKeys(): string[] {
  const plan = planOnnxService("ranker", {
    namespace: "serving",
    model: { uri: "s3://models/ranker" },
    serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
    rollout: { gateway: { name: "inference", namespace: "gateways" } },
  });
  const rollout = plan.rollout?.rollout as unknown as {
    spec: { strategy: { canary: { trafficRouting: { plugins: Record<string, object> } } } };
  };
  const config = rollout.spec.strategy.canary.trafficRouting.plugins[GATEWAY_API_PLUGIN.name];
  return Object.keys(config).filter((key) => key in GATEWAY_API_PLUGIN_RBAC.needsByConfigKey);
}

/** What the plugin needs for the routes our Rollouts name that neither role grants. */
function missing(ours: readonly RbacRule[]): string[] {
  const rules = [...ARGO_ROLLOUTS_CONTROLLER_RULES.rules, ...ours];
  return pluginConfigKeys()
    .flatMap(
      (key) =>
        GATEWAY_API_PLUGIN_RBAC.needsByConfigKey[
          key as keyof typeof GATEWAY_API_PLUGIN_RBAC.needsByConfigKey
        ],
    )
    .filter((need) => !rules.some((rule) => allows(rule, need)))
    .map(
      (n) =>
        `${n.verb} ${n.apiGroup || "core"}/${n.resource}${n.resourceName ? ` ${n.resourceName}` : ""}`,
    );
}

const ours = planArgoRollouts("argo-rollouts").pluginRole.rules as RbacRule[];

describe("ArgoRollouts' RBAC against the Gateway API plugin's calls at the pinned version", () => {
  it("pins the chart and plugin versions the oracle was read at", () => {
    expect(ARGO_ROLLOUTS_CHART.version).toBe(ARGO_ROLLOUTS_CONTROLLER_RULES.version);
    expect(ARGO_ROLLOUTS_CHART.version).toBe(ARGO_ROLLOUTS_CHART_VALUES.version);
    expect(GATEWAY_API_PLUGIN.version).toBe(GATEWAY_API_PLUGIN_RBAC.version);
    expect(GATEWAY_API_PLUGIN.stateConfigMap).toBe(GATEWAY_API_PLUGIN_RBAC.stateConfigMap);
  });

  it("our Rollouts name an HTTPRoute, so the plugin keeps route state in its ConfigMap", () => {
    expect(pluginConfigKeys()).toEqual(["httpRoute"]);
    expect(GATEWAY_API_PLUGIN_RBAC.needsByConfigKey.httpRoute.map((n) => n.resource)).toContain(
      "configmaps",
    );
  });

  it("the chart's ClusterRole and ours together grant every call the plugin makes for those routes", () => {
    expect(missing(ours)).toEqual([]);
  });

  it("fails when any verb the plugin needs is taken out of our role", () => {
    const needed = ours.flatMap((rule, r) => rule.verbs.map((verb) => ({ r, verb })));
    const noticed = needed.filter(({ r, verb }) => {
      const cut = ours.map((rule, i) =>
        i === r ? { ...rule, verbs: rule.verbs.filter((v) => v !== verb) } : rule,
      );
      return missing(cut).length > 0;
    });
    // Every verb of ours is one the plugin calls and the chart's role does not grant.
    expect(needed).toHaveLength(4);
    expect(needed.filter((n) => !noticed.includes(n))).toEqual([]);
    expect(missing(ours.filter((rule) => !rule.resources.includes("configmaps")))).toEqual([
      "create core/configmaps",
      "update core/configmaps argo-gatewayapi-configmap",
    ]);
  });
});
