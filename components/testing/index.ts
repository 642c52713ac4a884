/**
 * Test helpers for Pulumi programs: a recorder over Pulumi's mocks runtime with plausible
 * outputs, Kubernetes schema validation, and a harness that runs `@pulumi/policy` policies the
 * way the engine does. `@pulumi/policy` is needed only for its types.
 */

export type { KubernetesSchemaFailure, ValidatedKubernetesObject } from "./kubernetes-schema";
export {
  KubernetesSchemaError,
  validateKubernetesObject,
  validateKubernetesObjects,
} from "./kubernetes-schema";
export {
  MOCK_AWS_ACCOUNT_ID,
  MOCK_AWS_REGION,
  MOCK_GCP_PROJECT,
  MOCK_GCP_REGION,
} from "./mock-outputs";
export type {
  MockOptions,
  MockRecorder,
  RecordedCall,
  RecordedResource,
  RecordedResourceOptions,
  SourceFrame,
} from "./mocks";
export { awaitOutput, installMocks, settle } from "./mocks";
export type {
  PolicyReport,
  PolicyResourceInput,
  PolicyRunOptions,
  PolicyViolation,
  ResourceToValidate,
  ResourceValidationInput,
} from "./policy-harness";
export {
  checkResourcePolicy,
  checkStackPolicy,
  policyResourcesFromRecords,
  resourceValidationArgs,
  runResourcePolicy,
  runStackPolicy,
  stackValidationArgs,
} from "./policy-harness";
export type { ProgramRun, RunProgramOptions } from "./program";
export { programEntry, runProgram } from "./program";
export type { PropertyMap } from "./property-map";
