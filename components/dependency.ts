import * as pulumi from "@pulumi/pulumi";

/**
 * Something a component waits for. From TypeScript, pass the resource itself (every Pulumi
 * resource has a `urn`). From other languages, pass `{ urn: resource.urn }`: the URN output
 * carries the dependency across the language boundary. One interface rather than
 * `pulumi.Resource`, so the multi-language schema can describe it.
 */
export interface Dependency {
  /** The resource's URN; what counts is the dependency on the resource its output carries. */
  urn: pulumi.Input<string>;
}

/**
 * `dependsOn` for `also` and a list of {@link Dependency}: resources as they are; `{ urn }`
 * objects (from other languages) through the resources their URN outputs depend on.
 */
export function dependsOnAll(
  dependencies: pulumi.Input<Dependency[]> | undefined,
  ...also: pulumi.Resource[]
): pulumi.Input<pulumi.Resource[]> {
  if (dependencies === undefined) {
    return also;
  }
  if (Array.isArray(dependencies) && dependencies.every((d) => pulumi.Resource.isInstance(d))) {
    return [...also, ...dependencies];
  }
  // Unwrapping the list keeps the resources of every URN output in the result's own resources,
  // which `dependsOn` waits for along with the resources among the values.
  return pulumi
    .output(dependencies)
    .apply((list) => [
      ...also,
      ...(list as unknown[]).filter((d) => pulumi.Resource.isInstance(d)),
    ]);
}
