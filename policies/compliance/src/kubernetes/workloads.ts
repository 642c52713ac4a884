import type { ResourceValidationArgs } from "@pulumi/policy";
import { listAt, objectAt, type Props, stringAt } from "../../../shared/src/props";

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATH: Readonly<Record<string, string>> = {
  "kubernetes:core/v1:Pod": "spec",
  "kubernetes:core/v1:ReplicationController": "spec.template.spec",
  "kubernetes:apps/v1:Deployment": "spec.template.spec",
  "kubernetes:apps/v1:StatefulSet": "spec.template.spec",
  "kubernetes:apps/v1:DaemonSet": "spec.template.spec",
  "kubernetes:apps/v1:ReplicaSet": "spec.template.spec",
  "kubernetes:batch/v1:Job": "spec.template.spec",
  "kubernetes:batch/v1:CronJob": "spec.jobTemplate.spec.template.spec",
};

/** The Kubernetes workload types whose pods the Kubernetes policies check. */
export const WORKLOAD_TYPES = Object.keys(POD_SPEC_PATH);

/** A container of a pod spec, with the list it came from. */
export interface Container {
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  list: string;
  /** The container's name. */
  name: string;
  /** Its raw spec. */
  spec: Props;
}

/** A workload's pod: its namespace, pod spec and every container. */
export interface WorkloadPod {
  /** `metadata.namespace`, `default` when unset. */
  namespace: string;
  /** `<Kind> <namespace>/<name>`. */
  label: string;
  /** The pod spec. */
  spec: Props;
  /** Containers, init containers and ephemeral containers. */
  containers: Container[];
}

/**
 * The pod of a workload resource, or — for any other type — a call to `notApplicable`, as
 * `validateResourceOfType` does.
 */
export function workloadPod(args: ResourceValidationArgs): WorkloadPod {
  const path = POD_SPEC_PATH[args.type];
  if (!path) {
    args.notApplicable(`applies to ${WORKLOAD_TYPES.join(", ")}`);
  }
  const props = args.props as Props;
  const spec = objectAt(props, path);
  const namespace = stringAt(props, "metadata.namespace") ?? "default";
  const name = stringAt(props, "metadata.name") ?? args.name;
  const containers = ["containers", "initContainers", "ephemeralContainers"].flatMap((list) =>
    listAt(spec, list).map((c, i) => ({
      list,
      name: stringAt(c, "name") ?? `${list}[${i}]`,
      spec: c as Props,
    })),
  );
  return {
    namespace,
    label: `${args.type.split(":").pop()} ${namespace}/${name}`,
    spec,
    containers,
  };
}
