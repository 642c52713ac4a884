/**
 * What component tests ask of the mocks' records: the resources a component registered
 * directly, and the single one of a type among them.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  awaitOutput,
  type MockRecorder,
  type RecordedResource,
  settle,
} from "pulumi-hybridai/testing";
import { expect } from "vitest";

/** The resources `component` registered as its direct children, once registration settled. */
export async function childrenOf(
  mocks: MockRecorder,
  component: pulumi.ComponentResource,
): Promise<RecordedResource[]> {
  await settle();
  const urn = await awaitOutput(component.urn);
  return mocks.resources.filter((r) => r.parent === urn);
}

/** The single record of `type` (and `name`, when given) among `records`; fails the test otherwise. */
export function one(records: RecordedResource[], type: string, name?: string): RecordedResource {
  const found = records.filter((r) => r.type === type && (name === undefined || r.name === name));
  expect(found, `${type} ${name ?? ""}`).toHaveLength(1);
  return found[0] as RecordedResource;
}
