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

/**
 * `options` whose `dependsOn` also holds the resources `waitFor` stands for (see
 * {@link dependsOnAll}) and `after`: the one way a component adds what a child waits for to
 * what it already waits for. `options.dependsOn` may be a resource, a list, or an output of one.
 */
export function withDependsOn(
  options: pulumi.CustomResourceOptions,
  waitFor: pulumi.Input<Dependency[]> | undefined,
  ...after: pulumi.Resource[]
): pulumi.CustomResourceOptions {
  return {
    ...options,
    dependsOn: pulumi
      .all([pulumi.output(options.dependsOn ?? []), pulumi.output(dependsOnAll(waitFor))])
      .apply(([before, extra]) => [
        ...(Array.isArray(before) ? before : [before]),
        ...extra,
        ...after,
      ]),
  };
}

/** Options of a component's child, waiting for the resources given. */
export type ChildOptions = (...after: pulumi.Resource[]) => pulumi.CustomResourceOptions;

/**
 * The options of every child of `parent`: parented to it, on `provider` when given, and waiting
 * for the component's own `dependsOn` (`opts`), for `waitFor` and for the resources each call
 * names.
 */
export function childOptions(
  parent: pulumi.Resource,
  opts: pulumi.ComponentResourceOptions,
  provider: pulumi.ProviderResource | undefined,
  waitFor: pulumi.Input<Dependency[]> | undefined,
): ChildOptions {
  return (...after) =>
    withDependsOn(
      { parent, ...(provider ? { provider } : {}), dependsOn: opts.dependsOn },
      waitFor,
      ...after,
    );
}
