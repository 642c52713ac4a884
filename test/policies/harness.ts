import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  checkResourcePolicy,
  checkStackPolicy,
  type PolicyResourceInput,
  type PolicyRunOptions,
  type PropertyMap,
} from "pulumi-hybridai/testing";
import { expect } from "vitest";

/** One raw resource as the engine hands it to `validateResource`. */
export interface RawResource {
  type: string;
  props: PropertyMap;
  name?: string;
}

/** Messages a resource policy reports for one raw resource (throws when it declares itself not applicable). */
export async function violationsOf(
  policy: ResourceValidationPolicy,
  resource: RawResource,
  options: PolicyRunOptions = {},
): Promise<string[]> {
  const report = await checkResourcePolicy(policy, { name: "subject", ...resource }, options);
  if (report.notApplicable.length > 0) {
    throw new Error(
      `${policy.name} is not applicable to ${resource.type}: ${report.notApplicable}`,
    );
  }
  return report.violations.map((v) => v.message);
}

/** Reasons a resource policy gave for not applying to a resource. */
export async function notApplicableReasons(
  policy: ResourceValidationPolicy,
  resource: RawResource,
): Promise<string[]> {
  return (await checkResourcePolicy(policy, { name: "subject", ...resource })).notApplicable;
}

/** `[message, urn]` pairs a stack policy reports over hand-written resources. */
export async function stackViolationsOf(
  policy: StackValidationPolicy,
  resources: PolicyResourceInput[],
  options: PolicyRunOptions = {},
): Promise<{ message: string; urn?: string }[]> {
  const report = await checkStackPolicy(policy, resources, options);
  return report.violations.map((v) => ({ message: v.message, ...(v.urn ? { urn: v.urn } : {}) }));
}

/** The URN the harness gives a hand-written resource in stack `stack`, project `project`. */
export function urnOf(type: string, name: string, stack = "stack"): string {
  return `urn:pulumi:${stack}::project::${type}::${name}`;
}

/** Asserts a monthly figure (rounded to cents) is `hourlyUsd` × 730 hours. */
export function expectMonthlyUsd(actual: number, hourlyUsd: number): void {
  expect(Math.abs(actual - hourlyUsd * 730)).toBeLessThanOrEqual(0.005 + 1e-9);
}
