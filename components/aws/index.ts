export {
  addonPlacement,
  IRSA_ANNOTATION,
  NODEGROUP_LABEL,
  SPOT_NODE_LABELS,
} from "./addon-placement";
export * from "./cidr";
export * from "./cluster-autoscaler";
export * from "./cluster-ref";
export * from "./eks-addons";
export * from "./eks-cluster";
export * from "./eks-cluster-args";
export * from "./eks-cluster-plan";
export * from "./existing-eks-cluster";
export * from "./existing-eks-cluster-args";
export * from "./existing-eks-cluster-plan";
export * from "./gpu-node-group";
export * from "./gpu-node-group-args";
export * from "./gpu-node-group-plan";
export * from "./gpu-nodes";
export * from "./helm-charts";
export * from "./iam-policies";
export * from "./kubeconfig";
export * from "./load-balancer-controller";
export * from "./model-store";
export * from "./model-store-args";
export * from "./model-store-plan";
export * from "./policy-document";
export * from "./spot-fleet";
export * from "./spot-fleet-args";
export * from "./spot-fleet-plan";
export * from "./termination-handler";
export * from "./user-data";
