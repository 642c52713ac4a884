import { type PackResourcePolicy, settingsOf } from "../../../shared/src/policy";
import {
  at,
  booleanAt,
  listAt,
  numberAt,
  objectAt,
  stringAt,
  stringsAt,
} from "../../../shared/src/props";
import { type Container, type WorkloadPod, workloadPod } from "./workloads";

/** Volume types the restricted profile allows. */
const RESTRICTED_VOLUME_TYPES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
];
const ALLOWED_SECCOMP = ["RuntimeDefault", "Localhost"];

/** Pod-level violations: host namespaces, volumes. */
function podProblems(pod: WorkloadPod): string[] {
  const problems: string[] = [];
  for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (booleanAt(pod.spec, field) === true) problems.push(`${field}: true`);
  }
  for (const volume of listAt(pod.spec, "volumes")) {
    const kinds = Object.keys(volume as object).filter((k) => k !== "name");
    const disallowed = kinds.filter((k) => !RESTRICTED_VOLUME_TYPES.includes(k));
    if (disallowed.length > 0) {
      problems.push(`volume ${stringAt(volume, "name") ?? "?"} uses ${disallowed.join(", ")}`);
    }
  }
  return problems;
}

/** A container's violations, with the pod-level security context as its defaults. */
function containerProblems(container: Container, pod: WorkloadPod): string[] {
  const context = objectAt(container.spec, "securityContext");
  const podContext = objectAt(pod.spec, "securityContext");
  const problems: string[] = [];
  if (booleanAt(context, "privileged") === true) problems.push("privileged");
  if (booleanAt(context, "allowPrivilegeEscalation") !== false) {
    problems.push("allowPrivilegeEscalation is not false");
  }
  const runAsNonRoot = booleanAt(context, "runAsNonRoot") ?? booleanAt(podContext, "runAsNonRoot");
  if (runAsNonRoot !== true) problems.push("runAsNonRoot is not true");
  const runAsUser = numberAt(context, "runAsUser") ?? numberAt(podContext, "runAsUser");
  if (runAsUser === 0) problems.push("runAsUser is 0 (root)");
  const seccomp =
    stringAt(context, "seccompProfile.type") ?? stringAt(podContext, "seccompProfile.type");
  if (!seccomp || !ALLOWED_SECCOMP.includes(seccomp)) {
    problems.push(`seccompProfile.type is ${seccomp ?? "unset"} (RuntimeDefault or Localhost)`);
  }
  if (!stringsAt(context, "capabilities.drop").includes("ALL")) {
    problems.push("capabilities.drop does not include ALL");
  }
  const added = stringsAt(context, "capabilities.add").filter((c) => c !== "NET_BIND_SERVICE");
  if (added.length > 0) problems.push(`adds capabilities ${added.join(", ")}`);
  const hostPorts = listAt(container.spec, "ports")
    .map((p) => numberAt(p, "hostPort"))
    .filter((p) => p !== undefined && p !== 0);
  if (hostPorts.length > 0) problems.push(`hostPort ${hostPorts.join(", ")}`);
  if (at(context, "procMount") !== undefined && stringAt(context, "procMount") !== "Default") {
    problems.push(`procMount ${stringAt(context, "procMount")}`);
  }
  return problems;
}

/** Kubernetes workloads meet the restricted Pod Security Standard. */
export const kubernetesPodSecurityRestricted: PackResourcePolicy = {
  name: "kubernetes-pod-security-restricted",
  description:
    "Kubernetes workloads meet the restricted Pod Security Standard: not privileged, no host " +
    "namespaces or hostPath, non-root, no privilege escalation, all capabilities dropped, a " +
    "RuntimeDefault or Localhost seccomp profile.",
  remediationSteps:
    "Give every container securityContext { privileged: false, allowPrivilegeEscalation: false, " +
    'runAsNonRoot: true, runAsUser: <non-zero>, capabilities: { drop: ["ALL"] }, seccompProfile: ' +
    '{ type: "RuntimeDefault" } } and use only configMap, secret, emptyDir, projected, PVC, CSI ' +
    "or ephemeral volumes. System agents that need more belong in an exempt namespace.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      exemptNamespaces: {
        type: "array",
        items: { type: "string" },
        default: ["kube-system"],
        description: "Namespaces whose workloads are not checked (node agents, CNI, drivers).",
      },
    },
  },
  validateResource: (args, report) => {
    const pod = workloadPod(args);
    const { exemptNamespaces } = settingsOf<{ exemptNamespaces: string[] }>(
      args,
      kubernetesPodSecurityRestricted.configSchema,
    );
    if (exemptNamespaces.includes(pod.namespace)) return;
    const problems = [
      ...podProblems(pod).map((p) => `pod: ${p}`),
      ...pod.containers.flatMap((c) =>
        containerProblems(c, pod).map(
          (p) => `${c.list === "containers" ? "" : `${c.list} `}${c.name}: ${p}`,
        ),
      ),
    ];
    if (problems.length > 0) {
      report(`${pod.label} is not restricted: ${problems.join("; ")}.`);
    }
  },
};
