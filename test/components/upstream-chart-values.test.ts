import { aws, kubernetes } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import { ADDON_VALUES_ORACLES, chartOracle, unknownValueKeys } from "../deploy/checks/chart-values";
import { NVIDIA_DEVICE_PLUGIN_CHART_VALUES } from "../fixtures/upstream/nvidia-device-plugin";

const {
  CLUSTER_AUTOSCALER_CHART,
  CLUSTER_AUTOSCALER_IMAGE_TAGS,
  clusterAutoscalerValues,
  EKS_ADDON_VERSIONS,
  LOAD_BALANCER_CONTROLLER_CHART,
  loadBalancerControllerValues,
  planEksAddons,
  TERMINATION_HANDLER_CHART,
  terminationHandlerValues,
} = aws;
const {
  ARGO_ROLLOUTS_CHART,
  NVIDIA_DEVICE_PLUGIN_CHART,
  OTEL_COLLECTOR_CHART,
  planArgoRollouts,
  planNvidiaDevicePlugin,
  planOpenTelemetryCollector,
} = kubernetes;

const ROLE = "arn:aws:iam::111122223333:role/addon";

/** Every chart hybridai installs, pinned, with each variant of the values it generates. */
const RELEASES: [string, { chart: string; version: string }, Record<string, unknown>[]][] = [
  [
    "NVIDIA device plugin",
    NVIDIA_DEVICE_PLUGIN_CHART,
    [
      planNvidiaDevicePlugin("nvidia").values,
      planNvidiaDevicePlugin("mig", { accelerators: ["nvidia-a100-80gb"], migStrategy: "mixed" })
        .values,
      planNvidiaDevicePlugin("shared", { accelerators: ["nvidia-l4"], timeSlicingReplicas: 4 })
        .values,
    ] as Record<string, unknown>[],
  ],
  [
    "AWS Load Balancer Controller",
    LOAD_BALANCER_CONTROLLER_CHART,
    [
      loadBalancerControllerValues({
        clusterName: "prod",
        region: "us-west-2",
        vpcId: "vpc-0abc",
        roleArn: ROLE,
        systemNodeGroupName: "prod-system",
      }),
    ],
  ],
  [
    "cluster-autoscaler",
    CLUSTER_AUTOSCALER_CHART,
    Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS).flatMap((version) => [
      clusterAutoscalerValues({ clusterName: "prod", version, region: "us-west-2", roleArn: ROLE }),
      clusterAutoscalerValues({
        clusterName: "prod",
        version,
        region: "us-west-2",
        roleArn: ROLE,
        systemNodeGroupName: "prod-system",
      }),
    ]),
  ],
  [
    "aws-node-termination-handler",
    TERMINATION_HANDLER_CHART,
    [undefined, "prod-system"].map((systemNodeGroupName) =>
      terminationHandlerValues({
        releaseName: "fleet-nth",
        queueUrl: "https://sqs.us-west-2.amazonaws.com/111122223333/fleet",
        region: "us-west-2",
        roleArn: ROLE,
        managedTag: "hybridai.dev/fleet/l4",
        ...(systemNodeGroupName ? { systemNodeGroupName } : {}),
      }),
    ),
  ],
  [
    "Argo Rollouts",
    ARGO_ROLLOUTS_CHART,
    [planArgoRollouts("argo-rollouts").release.values as Record<string, unknown>],
  ],
  [
    "OpenTelemetry Collector",
    OTEL_COLLECTOR_CHART,
    [
      planOpenTelemetryCollector("otel").release.values,
      planOpenTelemetryCollector("otel", {
        replicas: 1,
        exporter: {
          type: "otlp",
          endpoint: "tempo.observability.svc:4317",
          insecure: true,
          headersSecret: { name: "tempo-auth", headers: { authorization: "token" } },
        },
        allowFrom: [{ namespace: "serving", podLabels: { app: "ranker" } }],
        resources: { cpu: "200m", memory: "512Mi", memoryLimit: "1Gi" },
      }).release.values,
      planOpenTelemetryCollector("otel", {
        exporter: { type: "otlphttp", endpoint: "https://otlp.example.com" },
      }).release.values,
    ] as Record<string, unknown>[],
  ],
];

describe("Helm values against each chart's values.yaml at the pinned version", () => {
  it.each(RELEASES)(
    "%s: the pinned chart version has an oracle and every key we set exists in it",
    (_, pin, variants) => {
      const oracle = chartOracle(pin.chart, pin.version);
      expect(oracle, `${pin.chart} ${pin.version}`).toBeDefined();
      for (const values of variants) {
        expect(Object.keys(values).length).toBeGreaterThan(3);
        expect(unknownValueKeys(values, oracle as NonNullable<typeof oracle>)).toEqual([]);
      }
    },
  );

  it("catches a key the chart does not have, at any depth, and accepts anything under a free-form key", () => {
    const values = planNvidiaDevicePlugin("nvidia").values as Record<string, unknown>;
    expect(
      unknownValueKeys(
        { ...values, migStrategyy: "none", config: { ...(values.config as object), maps: {} } },
        NVIDIA_DEVICE_PLUGIN_CHART_VALUES,
      ),
    ).toEqual(["config.maps", "migStrategyy"]);
    expect(
      unknownValueKeys(
        { config: { map: { anything: "goes" } }, affinity: { podAffinity: {} } },
        NVIDIA_DEVICE_PLUGIN_CHART_VALUES,
      ),
    ).toEqual([]);
  });
});

describe("EKS add-on configuration against the add-on's chart values at the pinned version", () => {
  it.each(Object.keys(EKS_ADDON_VERSIONS))(
    "Kubernetes %s: every configured add-on's keys exist in its chart",
    (version) => {
      const configured = planEksAddons(version, { metricsServer: true }).filter(
        (a) => a.configurationValues !== undefined,
      );
      expect(configured.map((a) => a.addonName)).toEqual(["vpc-cni"]);
      for (const addon of configured) {
        const oracle = ADDON_VALUES_ORACLES[addon.addonName];
        expect(oracle, addon.addonName).toBeDefined();
        expect(unknownValueKeys(JSON.parse(addon.configurationValues as string), oracle)).toEqual(
          [],
        );
        expect(addon.addonVersion.startsWith(`v${oracle.version}-eksbuild.`)).toBe(true);
      }
    },
  );
});
