/**
 * Resource properties as providers and `@pulumi/policy` hand them over: untyped JSON-like data
 * that tests index freely (`props.vpcConfig.subnetIds`).
 */
// biome-ignore lint/suspicious/noExplicitAny: provider properties are untyped JSON, indexed freely by tests
export type PropertyMap = Record<string, any>;
