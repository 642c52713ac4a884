import { aws } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import {
  KUBE_PROXY_SKEW,
  KUBEADM_COREDNS,
  METRICS_SERVER_CHART_VALUES,
  METRICS_SERVER_COMPATIBILITY,
  VPC_CNI_CHART_VALUES,
  VPC_CNI_RELEASE,
} from "../../fixtures/upstream/eks-addons";

const { EKS_ADDON_VERSIONS, planEksAddons } = aws;

/** `[major, minor, patch]` of `v1.2.3-eksbuild.4` or `1.2.3`. */
function semver(version: string): [number, number, number] {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) throw new Error(`not a version: ${version}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function compare(a: string, b: string): number {
  const [x, y] = [semver(a), semver(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** The minor of a Kubernetes version such as `1.33`. */
const minorOf = (kubernetes: string) => Number(kubernetes.split(".")[1]);

/**
 * What the upstream projects say against the add-on versions pinned for one Kubernetes version;
 * empty when every pin fits.
 */
function addonProblems(kubernetes: string, pins: (typeof EKS_ADDON_VERSIONS)[string]): string[] {
  const problems: string[] = [];
  const [, msMinor] = semver(pins["metrics-server"]);
  const oldest = METRICS_SERVER_COMPATIBILITY.oldestKubernetes[`0.${msMinor}`];
  if (!oldest || minorOf(kubernetes) < minorOf(oldest)) {
    problems.push(
      `${kubernetes}: metrics-server ${pins["metrics-server"]} supports Kubernetes ${oldest ?? "?"}+`,
    );
  }
  if (compare(pins["vpc-cni"], VPC_CNI_RELEASE.networkPolicySince) < 0) {
    problems.push(`${kubernetes}: vpc-cni ${pins["vpc-cni"]} cannot enforce NetworkPolicy`);
  }
  const kubeadm = KUBEADM_COREDNS.byKubernetes[kubernetes];
  if (kubeadm) {
    const [ours, theirs] = [semver(pins.coredns), semver(kubeadm)];
    if (ours[0] !== theirs[0] || ours[1] !== theirs[1] || ours[2] < theirs[2]) {
      problems.push(
        `${kubernetes}: coredns ${pins.coredns} is not on kubeadm's ${kubeadm} line at or above it`,
      );
    }
  }
  const [, proxyMinor] = semver(pins["kube-proxy"]);
  const skew = minorOf(kubernetes) - proxyMinor;
  if (skew < -KUBE_PROXY_SKEW.newer || skew > KUBE_PROXY_SKEW.older) {
    problems.push(
      `${kubernetes}: kube-proxy ${pins["kube-proxy"]} is outside the version skew policy`,
    );
  }
  return problems;
}

describe("EKS add-on versions per Kubernetes version, against the upstream projects", () => {
  const versions = Object.keys(EKS_ADDON_VERSIONS);

  it("pins every add-on for every Kubernetes version hybridai offers", () => {
    expect(versions.length).toBeGreaterThanOrEqual(4);
    for (const version of versions) {
      expect(planEksAddons(version, { metricsServer: true }).map((a) => a.addonName)).toEqual([
        "vpc-cni",
        "kube-proxy",
        "coredns",
        "metrics-server",
      ]);
    }
  });

  it.each(versions)(
    "Kubernetes %s: metrics-server, vpc-cni, coredns and kube-proxy fit what upstream states",
    (version) => {
      expect(addonProblems(version, EKS_ADDON_VERSIONS[version])).toEqual([]);
    },
  );

  it("kube-proxy matches the control plane's minor, and coredns never goes back as Kubernetes moves on", () => {
    for (const version of versions) {
      expect(semver(EKS_ADDON_VERSIONS[version]["kube-proxy"])[1]).toBe(minorOf(version));
    }
    for (const [older, newer] of versions.slice(1).map((v, i) => [versions[i], v])) {
      expect(
        compare(EKS_ADDON_VERSIONS[newer].coredns, EKS_ADDON_VERSIONS[older].coredns),
      ).toBeGreaterThanOrEqual(0);
    }
  });

  it("vpc-cni and metrics-server are the upstream releases whose charts the configuration oracles hold", () => {
    for (const version of versions) {
      expect(semver(EKS_ADDON_VERSIONS[version]["vpc-cni"])).toEqual(
        semver(VPC_CNI_RELEASE.version),
      );
      expect(semver(EKS_ADDON_VERSIONS[version]["vpc-cni"])).toEqual(
        semver(VPC_CNI_CHART_VALUES.version),
      );
      expect(semver(EKS_ADDON_VERSIONS[version]["metrics-server"])).toEqual([0, 8, 0]);
    }
    expect(METRICS_SERVER_CHART_VALUES.version).toBe("3.13.0");
  });

  it("reports a pin upstream rules out", () => {
    const pins = EKS_ADDON_VERSIONS["1.31"];
    expect(
      addonProblems("1.31", {
        ...pins,
        "metrics-server": "v0.6.4-eksbuild.1",
        "vpc-cni": "v1.13.4-eksbuild.1",
        coredns: "v1.10.1-eksbuild.18",
        "kube-proxy": "v1.32.0-eksbuild.2",
      }),
    ).toEqual([
      "1.31: vpc-cni v1.13.4-eksbuild.1 cannot enforce NetworkPolicy",
      "1.31: coredns v1.10.1-eksbuild.18 is not on kubeadm's v1.11.3 line at or above it",
      "1.31: kube-proxy v1.32.0-eksbuild.2 is outside the version skew policy",
    ]);
    expect(addonProblems("1.30", { ...pins, "kube-proxy": "v1.30.1-eksbuild.1" })).toEqual([
      "1.30: metrics-server v0.8.0-eksbuild.2 supports Kubernetes 1.31+",
    ]);
  });
});
