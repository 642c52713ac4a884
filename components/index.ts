export type {
  AcceleratorSpec,
  AcceleratorType,
  CapacitySpec,
  CapacityType,
  Cloud,
  SpotSpec,
} from "./accelerators";
export * as accelerators from "./accelerators";
export {
  estimateHourlyCost,
  estimateMonthlyCost,
  resolveAccelerator,
  splitSpotCapacity,
  tpuSlice,
  validateCapacity,
} from "./accelerators";
export * as aws from "./aws";
export { type Dependency, dependsOnAll } from "./dependency";
export * as edge from "./edge";
export { type ConfigProblem, HybridAiConfigError } from "./errors";
export * as failover from "./failover";
export * as gcp from "./gcp";
export * as kubernetes from "./kubernetes";
export { type CloudNameSpec, cloudName } from "./names";
