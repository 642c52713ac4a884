import type { MockRecorder, RecordedResource } from "pulumi-hybridai/testing";
import { expect } from "vitest";

/**
 * Helpers to compare what the same components register in two scopes of one program (one on a
 * created cluster, one on a looked-up one). Each scope is a component of its own type, because
 * URNs name parent types, not parent names.
 */
export interface ScopeComparison {
  /** The component of this type and name in the first scope, then in the second. */
  inBothScopes(type: string, name: string): [RecordedResource, RecordedResource];
  /** Every resource registered below `parent`, keyed by type and logical name. */
  descendants(parent: RecordedResource): Map<string, RecordedResource>;
}

/** Compares scopes whose component types are `first` and `second` (e.g. `test:index:OnCreated`). */
export function compareScopes(mocks: MockRecorder, first: string, second: string): ScopeComparison {
  const inScope = (scope: string, type: string, name: string) =>
    mocks.ofType(type).filter((r) => r.name === name && r.urn.includes(`${scope}$${type}`));
  return {
    inBothScopes(type, name) {
      const a = inScope(first, type, name);
      const b = inScope(second, type, name);
      expect(a).toHaveLength(1);
      expect(b).toHaveLength(1);
      return [a[0], b[0]];
    },
    descendants(parent) {
      const found = new Map<string, RecordedResource>();
      const visit = (urn: string) => {
        for (const child of mocks.resources.filter((r) => r.parent === urn)) {
          found.set(`${child.type} ${child.name}`, child);
          visit(child.urn);
        }
      };
      visit(parent.urn);
      return found;
    },
  };
}

/**
 * A resource's inputs as JSON with a cluster's own attributes (endpoint, identities, subnets …)
 * replaced by their names, and base64 user data decoded first, so two programs that differ only
 * in the cluster compare equal.
 */
export function normalizedInputs(
  record: RecordedResource,
  attributes: Record<string, string>,
): string {
  const inputs = { ...record.inputs };
  if (typeof inputs.userData === "string") {
    inputs.userData = Buffer.from(inputs.userData, "base64").toString("utf8");
  }
  let text = JSON.stringify(inputs);
  const byLength = Object.entries(attributes).sort(([, a], [, b]) => b.length - a.length);
  expect(byLength.every(([, value]) => value.length > 0)).toBe(true);
  for (const [name, value] of byLength) {
    text = text.split(value).join(`<${name}>`);
  }
  return text;
}
