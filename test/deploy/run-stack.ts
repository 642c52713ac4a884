import * as pulumi from "@pulumi/pulumi";
import { type MockRecorder, type RecordedResource, settle } from "pulumi-hybridai/testing";
import { runStack } from "../../stacks/program";
import { STACK_SECTIONS } from "../../stacks/sections";
import type { StackVariant } from "./stack-files";

/** What one stack variant registered under the mocks. */
export interface StackRun {
  /** The variant that ran. */
  variant: StackVariant;
  /** Every resource it registered, in registration order. */
  records: RecordedResource[];
}

/** `stack (variant)`, for messages. */
export function runLabel(run: StackRun): string {
  return `${run.variant.stack} (${run.variant.variant})`;
}

/**
 * Runs the stacks' own program (`stacks/program.ts` with every section) on a variant's config
 * under the installed mocks, the way `pulumi up` would run `stacks/index.ts`, and returns what
 * it registered.
 */
export async function runVariant(mocks: MockRecorder, variant: StackVariant): Promise<StackRun> {
  await settle();
  mocks.reset();
  pulumi.runtime.setAllConfig(variant.raw);
  runStack(variant.raw, STACK_SECTIONS);
  await settle();
  return { variant, records: [...mocks.resources] };
}
