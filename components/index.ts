export * as accelerators from "./accelerators";
export type {
  AcceleratorSpec,
  AcceleratorType,
  CapacitySpec,
  CapacityType,
  Cloud,
  SpotSpec,
} from "./accelerators";
export {
  estimateHourlyCost,
  estimateMonthlyCost,
  resolveAccelerator,
  splitSpotCapacity,
  tpuSlice,
  validateCapacity,
} from "./accelerators";
export { HybridAiConfigError } from "./errors";
