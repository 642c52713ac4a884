import { describe, expect, it } from "vitest";
import * as kubernetes from "../../components/kubernetes";

/** Every Kubernetes component and the pure plan function users preview it with. */
const COMPONENTS = {
  ArgoRollouts: "planArgoRollouts",
  Keda: "planKeda",
  LlmService: "planLlmService",
  NvidiaDevicePlugin: "planNvidiaDevicePlugin",
  OnnxService: "planOnnxService",
  OpenTelemetryCollector: "planOpenTelemetryCollector",
} as const;

/** Sub-plans a component is built from: their output is part of the component's plan. */
const INTERNAL = [
  "admitLoadBalancer",
  "alertRuleGroups",
  "alertRules",
  "checkAlerts",
  "checkMirror",
  "dashboardModel",
  "dashboardPanels",
  "hostModelDirectory",
  "llmAccelerator",
  "llmAlertRules",
  "llmDashboardPanels",
  "llmRolloutChecks",
  "mirrorFilter",
  "modelSelector",
  "planAlertRules",
  "planCanaryRoute",
  "planDashboard",
  "planEngine",
  "planExposure",
  "planLlmAutoscaler",
  "planMirror",
  "planRollout",
  "planRolloutAnalysis",
  "planServiceAccount",
  "planServiceRoute",
  "planServingDeployment",
  "rolloutChecks",
  "spotNoticeOf",
  "startupBudget",
];

/** The node label and taint helpers of `labels.ts`, and the spot notice users size grace periods by. */
const HELPERS = [
  "acceleratorNodeLabels",
  "acceleratorTaint",
  "fromCloudTaintEffect",
  "spotNoticeSeconds",
  "toCloudTaintEffect",
  "tolerationFor",
];

const exported: Record<string, unknown> = { ...kubernetes };

describe("components/kubernetes exports", () => {
  it("exports every component with its plan function", () => {
    for (const [component, plan] of Object.entries(COMPONENTS)) {
      expect(typeof exported[component], component).toBe("function");
      expect(typeof exported[plan], plan).toBe("function");
    }
  });

  it("exports no function but the components, their plans and documented helpers", () => {
    const functions = Object.entries(exported)
      .filter(([, value]) => typeof value === "function")
      .map(([name]) => name)
      .sort();
    expect(functions.filter((name) => INTERNAL.includes(name))).toEqual([]);
    expect(functions).toEqual(
      [...Object.keys(COMPONENTS), ...Object.values(COMPONENTS), ...HELPERS].sort(),
    );
  });
});
