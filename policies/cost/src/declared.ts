import { booleanAt, listAt, numberAt, stringAt, stringsAt } from "../../shared/src/props";
import type { DeclaredMachine } from "./machines";

/** EKS managed node groups default to t3.medium when neither instanceTypes nor a launch template says. */
export const EKS_DEFAULT_INSTANCE_TYPE = "t3.medium";
/** GKE node pools (and a cluster's default pool) default to e2-medium. */
export const GKE_DEFAULT_MACHINE_TYPE = "e2-medium";

function attachedGpus(props: unknown, path: string): number {
  return listAt(props, path).reduce<number>((sum, g) => sum + (numberAt(g, "count") ?? 1), 0);
}

function aws(names: string[]): DeclaredMachine[] {
  return names.map((name) => ({ cloud: "aws", name, attachedGpus: 0 }));
}

/** How each type declares its machine types, read from its own properties only. */
const DECLARATIONS: Readonly<Record<string, (props: unknown) => DeclaredMachine[]>> = {
  "aws:eks/nodeGroup:NodeGroup": (props) => aws(stringsAt(props, "instanceTypes")),
  "aws:ec2/launchTemplate:LaunchTemplate": (props) => aws(stringsAt(props, "instanceType")),
  "aws:ec2/instance:Instance": (props) => aws(stringsAt(props, "instanceType")),
  "aws:autoscaling/group:Group": (props) =>
    aws(
      listAt(props, "mixedInstancesPolicy.launchTemplate.overrides")
        .map((o) => stringAt(o, "instanceType"))
        .filter((n): n is string => n !== undefined),
    ),
  "gcp:container/nodePool:NodePool": (props) => [
    {
      cloud: "gcp",
      name: stringAt(props, "nodeConfig.machineType") ?? GKE_DEFAULT_MACHINE_TYPE,
      attachedGpus: attachedGpus(props, "nodeConfig.guestAccelerators"),
    },
  ],
  "gcp:container/cluster:Cluster": (props) =>
    booleanAt(props, "removeDefaultNodePool") === true
      ? []
      : [
          {
            cloud: "gcp",
            name: stringAt(props, "nodeConfig.machineType") ?? GKE_DEFAULT_MACHINE_TYPE,
            attachedGpus: attachedGpus(props, "nodeConfig.guestAccelerators"),
          },
        ],
  "gcp:compute/instance:Instance": (props) => {
    const name = stringAt(props, "machineType");
    return name
      ? [
          {
            cloud: "gcp",
            name: name.split("/").pop() ?? name,
            attachedGpus: attachedGpus(props, "guestAccelerators"),
          },
        ]
      : [];
  },
};

/** The resource types that declare machine types. */
export const MACHINE_DECLARING_TYPES = Object.keys(DECLARATIONS);

/** The machine types a resource declares itself; `undefined` for types that declare none. */
export function declaredMachines(type: string, props: unknown): DeclaredMachine[] | undefined {
  return DECLARATIONS[type]?.(props);
}
