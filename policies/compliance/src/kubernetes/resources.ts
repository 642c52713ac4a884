import type { PackResourcePolicy } from "../../../shared/src/policy";
import { at } from "../../../shared/src/props";
import { workloadPod } from "./workloads";

/** Every container requests CPU and memory, so the scheduler and autoscaler can place it. */
export const kubernetesResourceRequests: PackResourcePolicy = {
  name: "kubernetes-resource-requests",
  description: "Every container and init container requests CPU and memory.",
  remediationSteps:
    "Set resources.requests.cpu and resources.requests.memory on each container (and a memory " +
    "limit); the cluster autoscaler and HPA need requests to work.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    const pod = workloadPod(args);
    const missing = pod.containers
      .filter((c) => c.list !== "ephemeralContainers")
      .flatMap((c) => {
        const absent = ["cpu", "memory"].filter(
          (r) => at(c.spec, `resources.requests.${r}`) === undefined,
        );
        return absent.length > 0 ? [`${c.name} (${absent.join(", ")})`] : [];
      });
    if (missing.length > 0) {
      report(`${pod.label} has containers without requests: ${missing.join(", ")}.`);
    }
  },
};
