import { ARGO_ROLLOUTS_CHART_VALUES } from "../../fixtures/upstream/argo-rollouts";
import { LOAD_BALANCER_CONTROLLER_CHART_VALUES } from "../../fixtures/upstream/aws-load-balancer-controller";
import { TERMINATION_HANDLER_CHART_VALUES } from "../../fixtures/upstream/aws-node-termination-handler";
import { CLUSTER_AUTOSCALER_CHART_VALUES } from "../../fixtures/upstream/cluster-autoscaler";
import {
  METRICS_SERVER_CHART_VALUES,
  VPC_CNI_CHART_VALUES,
} from "../../fixtures/upstream/eks-addons";
import { NVIDIA_DEVICE_PLUGIN_CHART_VALUES } from "../../fixtures/upstream/nvidia-device-plugin";
import { OTEL_COLLECTOR_CHART_VALUES } from "../../fixtures/upstream/opentelemetry-collector";
import type { UpstreamChartValues } from "../../fixtures/upstream/types";
import type { ProgramRecords } from "./wait-budgets";

/** Every chart whose values hybridai sets, with the keys its `values.yaml` has at the pinned version. */
export const CHART_VALUES_ORACLES: readonly UpstreamChartValues[] = [
  NVIDIA_DEVICE_PLUGIN_CHART_VALUES,
  LOAD_BALANCER_CONTROLLER_CHART_VALUES,
  CLUSTER_AUTOSCALER_CHART_VALUES,
  TERMINATION_HANDLER_CHART_VALUES,
  ARGO_ROLLOUTS_CHART_VALUES,
  OTEL_COLLECTOR_CHART_VALUES,
];

/** The charts behind EKS add-ons whose configuration hybridai sets, by add-on name. */
export const ADDON_VALUES_ORACLES: Readonly<Record<string, UpstreamChartValues>> = {
  "vpc-cni": VPC_CNI_CHART_VALUES,
  "metrics-server": METRICS_SERVER_CHART_VALUES,
};

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The dotted key paths of `values` that the chart's `values.yaml` does not have: a key is known
 * when the oracle lists it, and anything below a free-form key is accepted. Empty when every key
 * exists.
 */
export function unknownValueKeys(values: unknown, oracle: UpstreamChartValues): string[] {
  const keys = new Set(oracle.keys);
  const freeForm = new Set(oracle.freeForm);
  const walk = (node: Record<string, unknown>, prefix: string): string[] =>
    Object.entries(node).flatMap(([key, value]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      if (freeForm.has(path)) return [];
      if (!keys.has(path)) return [path];
      return isMap(value) ? walk(value, path) : [];
    });
  return isMap(values) ? walk(values, "") : [];
}

/** The oracle for a chart reference (`name`, or an `oci://…/name` reference) at a version. */
export function chartOracle(chart: string, version: string): UpstreamChartValues | undefined {
  const name = chart.split("/").at(-1);
  return CHART_VALUES_ORACLES.find((o) => o.chart === name && o.version === version);
}

/**
 * Every Helm release and configured EKS add-on of a run whose values name a key the chart's
 * `values.yaml` at that version lacks (Helm ignores unknown keys silently: the setting never
 * takes effect), or whose chart and version have no oracle yet.
 */
export function chartValuesProblems(run: ProgramRecords): string[] {
  const { label } = run;
  const problems: string[] = [];
  for (const record of run.records) {
    if (record.type === "kubernetes:helm.sh/v3:Release") {
      const { chart, version, values } = record.inputs;
      const oracle = chartOracle(chart, version);
      if (!oracle) {
        problems.push(`${label}: ${record.name}: no values oracle for chart ${chart} ${version}`);
        continue;
      }
      for (const key of unknownValueKeys(values, oracle)) {
        problems.push(`${label}: ${record.name}: ${chart} ${version} has no value ${key}`);
      }
    }
    if (record.type === "aws:eks/addon:Addon" && record.inputs.configurationValues) {
      const oracle = ADDON_VALUES_ORACLES[record.inputs.addonName];
      if (!oracle) {
        problems.push(
          `${label}: add-on ${record.inputs.addonName} is configured but has no values oracle`,
        );
        continue;
      }
      for (const key of unknownValueKeys(JSON.parse(record.inputs.configurationValues), oracle)) {
        problems.push(
          `${label}: add-on ${record.inputs.addonName} has no configuration value ${key}`,
        );
      }
    }
  }
  return problems;
}
