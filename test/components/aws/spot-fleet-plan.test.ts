import { aws, HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

const { acceleratedAmiParameter, planSpotFleet } = aws;
type SpotFleetSpec = aws.SpotFleetSpec;

const base: SpotFleetSpec = {
  name: "l4",
  clusterName: "prod",
  kubernetesVersion: "1.33",
  accelerator: { type: "nvidia-l4" },
  capacity: { min: 1, max: 8, spot: { onDemandBase: 1, onDemandPercentAboveBase: 25 } },
};

const plan = (override: Partial<SpotFleetSpec> = {}) => planSpotFleet({ ...base, ...override });

describe("planSpotFleet distribution", () => {
  it("passes onDemandBase and onDemandPercentAboveBase to the mixed-instances policy verbatim", () => {
    expect(plan().instancesDistribution).toEqual({
      onDemandBaseCapacity: 1,
      onDemandPercentageAboveBaseCapacity: 25,
      onDemandAllocationStrategy: "prioritized",
      spotAllocationStrategy: "price-capacity-optimized",
    });
    expect(plan().scaling).toEqual({ minSize: 1, maxSize: 8, desiredCapacity: 1 });
  });

  it("reports the split EC2 Auto Scaling will keep: base first, percentage above rounded up to on-demand", () => {
    // max 8: base 1, then 25 % of 7 = 1.75 → 2 on-demand; 5 spot.
    expect(plan().split).toEqual({
      onDemand: { min: 1, max: 3, desired: 1 },
      spot: { min: 0, max: 5, desired: 0 },
    });
  });

  it("base 0 and no percentage (spot omitted): every node spot", () => {
    const p = plan({ capacity: { min: 0, max: 4 } });
    expect(p.instancesDistribution).toMatchObject({
      onDemandBaseCapacity: 0,
      onDemandPercentageAboveBaseCapacity: 0,
    });
    expect(p.split).toEqual({
      onDemand: { min: 0, max: 0, desired: 0 },
      spot: { min: 0, max: 4, desired: 0 },
    });
  });

  it("100 % on-demand: no spot at any size", () => {
    const p = plan({
      capacity: { min: 2, max: 6, spot: { onDemandBase: 0, onDemandPercentAboveBase: 100 } },
    });
    expect(p.split.spot).toEqual({ min: 0, max: 0, desired: 0 });
    expect(p.split.onDemand).toEqual({ min: 2, max: 6, desired: 2 });
  });

  it("max below the base: the group is all on-demand and the base is still passed as given", () => {
    const p = plan({ capacity: { min: 1, max: 3, spot: { onDemandBase: 5 } } });
    expect(p.instancesDistribution.onDemandBaseCapacity).toBe(5);
    expect(p.split).toEqual({
      onDemand: { min: 1, max: 3, desired: 1 },
      spot: { min: 0, max: 0, desired: 0 },
    });
  });

  it("diversifies over several instance types, cheapest first", () => {
    expect(plan().instanceTypes).toEqual(["g6.xlarge", "g6.2xlarge", "g6.4xlarge"]);
    expect(plan({ instanceTypes: ["g6.2xlarge", "g6.xlarge"] }).instanceTypes).toEqual([
      "g6.xlarge",
      "g6.2xlarge",
    ]);
  });
});

describe("planSpotFleet nodes and tags", () => {
  it("picks the AL2023 NVIDIA or Neuron AMI from SSM for the cluster's version", () => {
    expect(plan().amiVariant).toBe("nvidia");
    expect(plan({ accelerator: { type: "aws-inferentia2" } }).amiVariant).toBe("neuron");
    expect(acceleratedAmiParameter("1.33", "nvidia")).toBe(
      "/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/nvidia/recommended/image_id",
    );
    expect(acceleratedAmiParameter("1.31", "neuron")).toBe(
      "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/neuron/recommended/image_id",
    );
  });

  it("checks a Kubernetes version known up front, and plans the same without one", () => {
    expect(() => plan({ kubernetesVersion: "v1.33" })).toThrow(
      'AwsSpotFleet: kubernetesVersion = "v1.33" is not valid. Allowed: a Kubernetes minor version such as 1.33.',
    );
    const { kubernetesVersion: _, ...withoutVersion } = base;
    expect(planSpotFleet(withoutVersion)).toEqual(plan());
  });

  it("tags the group for cluster-autoscaler discovery and scale-from-zero templates", () => {
    const tags = Object.fromEntries(
      plan().tags.map((t) => [t.key, [t.value, t.propagateAtLaunch]]),
    );
    expect(tags).toMatchObject({
      "k8s.io/cluster-autoscaler/enabled": ["true", false],
      "k8s.io/cluster-autoscaler/prod": ["owned", false],
      "kubernetes.io/cluster/prod": ["owned", true],
      "k8s.io/cluster-autoscaler/node-template/label/hybridai.dev/accelerator": [
        "nvidia-l4",
        false,
      ],
      "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": ["present:NoSchedule", false],
      "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": ["1", false],
      "aws-node-termination-handler/hybridai-fleet-prod-l4": ["true", true],
    });
    expect(plan().autoScalingGroupName).toBe("hybridai-fleet-prod-l4");
    expect(plan().managedTag).toBe("aws-node-termination-handler/hybridai-fleet-prod-l4");
  });

  it("holds terminating instances for the drain with a lifecycle hook", () => {
    expect(plan().lifecycleHook).toEqual({
      name: "drain-before-terminate",
      lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      defaultResult: "CONTINUE",
      heartbeatTimeout: 300,
    });
  });
});

describe("planSpotFleet rejects bad specs before anything exists", () => {
  it.each([
    [{ capacity: { min: 2, max: 1 } }, "capacity.min"],
    [{ capacity: { min: 0, max: 0 } }, "capacity.max"],
    [{ capacity: { min: 0, max: 2, spot: { onDemandBase: -1 } } }, "capacity.spot.onDemandBase"],
    [
      { capacity: { min: 0, max: 2, spot: { onDemandPercentAboveBase: 12.5 } } },
      "capacity.spot.onDemandPercentAboveBase",
    ],
    [{ accelerator: { type: "tpu-v6e" } }, "accelerator.type"],
    [{ instanceTypes: [] }, "instanceTypes"],
    [{ labels: { "bad key!": "x" } }, "labels"],
    [{ labels: { team: "$(reboot)" } }, "labels.team"],
    [{ drainTimeoutSeconds: 60 }, "drainTimeoutSeconds"],
    [{ name: "a-very-long-fleet-name-that-is-over-forty-chars" }, "name"],
  ] as const)("%j → %s", (override, field) => {
    let error: unknown;
    try {
      plan(override as Partial<SpotFleetSpec>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HybridAiConfigError);
    expect((error as HybridAiConfigError).component).toBe("AwsSpotFleet");
    expect((error as HybridAiConfigError).field).toBe(field);
    expect((error as Error).message).toContain("Allowed:");
  });
});
