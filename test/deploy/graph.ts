import type { RecordedResource } from "pulumi-hybridai/testing";

/** The URN part of a provider reference (`<urn>::<id>`). */
export function providerUrn(reference: string): string {
  return reference.slice(0, reference.lastIndexOf("::"));
}

/**
 * The order the Pulumi engine would create a program's resources in, from what the program
 * registered: a resource waits for its `dependsOn` and input dependencies (a component stands
 * for every resource below it) and for its provider. Parents are not edges: a child does not
 * wait for what its parent component depends on.
 */
export class DependencyGraph {
  private readonly byUrn = new Map<string, RecordedResource>();
  private readonly childrenOf = new Map<string, RecordedResource[]>();
  private readonly upstreamCache = new Map<string, Set<string>>();

  /** @param records every resource one program run registered. */
  constructor(readonly records: readonly RecordedResource[]) {
    for (const record of records) {
      this.byUrn.set(record.urn, record);
      if (record.parent) {
        const siblings = this.childrenOf.get(record.parent) ?? [];
        siblings.push(record);
        this.childrenOf.set(record.parent, siblings);
      }
    }
  }

  /** The record with this URN. */
  get(urn: string): RecordedResource | undefined {
    return this.byUrn.get(urn);
  }

  /** Direct children of the resource with this URN. */
  children(urn: string): RecordedResource[] {
    return this.childrenOf.get(urn) ?? [];
  }

  /** Every resource below the one with this URN. */
  descendants(urn: string): RecordedResource[] {
    return this.children(urn).flatMap((child) => [child, ...this.descendants(child.urn)]);
  }

  /** What a resource waits for directly, components replaced by the resources below them. */
  private edges(record: RecordedResource): string[] {
    const direct = [
      ...record.dependencies,
      ...Object.values(record.propertyDependencies).flat(),
      ...(record.provider ? [providerUrn(record.provider)] : []),
    ];
    return direct.flatMap((urn) => {
      const target = this.byUrn.get(urn);
      return target && !target.custom ? this.descendants(urn).map((d) => d.urn) : [urn];
    });
  }

  /** Every URN the resource with this URN waits for, directly or not. */
  upstream(urn: string): Set<string> {
    const cached = this.upstreamCache.get(urn);
    if (cached) return cached;
    const seen = new Set<string>();
    const pending = [urn];
    while (pending.length > 0) {
      const next = this.byUrn.get(pending.pop() as string);
      if (!next) continue;
      for (const edge of this.edges(next)) {
        if (!seen.has(edge)) {
          seen.add(edge);
          pending.push(edge);
        }
      }
    }
    this.upstreamCache.set(urn, seen);
    return seen;
  }

  /** Whether the resource `from` waits for the resource `to`. */
  waitsFor(from: string, to: string): boolean {
    return this.upstream(from).has(to);
  }
}
