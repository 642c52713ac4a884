import * as pulumi from "@pulumi/pulumi";
import * as library from "../components";

/** The Pulumi package name other languages use: type tokens are `hybridai:index:<Name>`. */
export const PACKAGE_NAME = "hybridai";

/** A component class as the package constructs it: `new (name, args, opts)`. */
export type ComponentClass = new (
  name: string,
  // biome-ignore lint/suspicious/noExplicitAny: each class takes its own args; the schema types them.
  args: any,
  opts?: pulumi.ComponentResourceOptions,
) => pulumi.ComponentResource;

/** One component of the public API, as `pulumi-hybridai` exports it. */
export interface PublicComponent {
  /** The namespace it is exported in (`aws`, `gcp`, `kubernetes`, `edge`, `failover`). */
  namespace: string;
  /** Its class (and export) name, e.g. `EksCluster`. */
  className: string;
  /** The type token it registers, e.g. `hybridai:index:AwsEksCluster`. */
  token: string;
  /** The class. */
  component: ComponentClass;
}

/** Type-token prefixes of the cloud namespaces, whose class names repeat across clouds. */
const TOKEN_PREFIXES: Readonly<Record<string, string>> = { aws: "Aws", gcp: "Gcp" };

/**
 * The type token of a class exported in `namespace`: `hybridai:index:` then the cloud prefix
 * (`Aws`, `Gcp`) and the class name. Schema generation checks it against each class's own
 * `super(...)` token.
 */
export function componentToken(namespace: string, className: string): string {
  return `${PACKAGE_NAME}:index:${TOKEN_PREFIXES[namespace] ?? ""}${className}`;
}

function isComponentClass(value: unknown): value is ComponentClass {
  return typeof value === "function" && value.prototype instanceof pulumi.ComponentResource;
}

/**
 * Every `ComponentResource` class `pulumi-hybridai` exports, at the top level or one namespace
 * deep (`aws.EksCluster`), in export order.
 */
export function publicComponents(exports: object = library): PublicComponent[] {
  const found: PublicComponent[] = [];
  const add = (namespace: string, value: unknown) => {
    if (isComponentClass(value)) {
      const className = value.name;
      found.push({
        namespace,
        className,
        token: componentToken(namespace, className),
        component: value,
      });
    }
  };
  for (const [key, value] of Object.entries(exports)) {
    if (isComponentClass(value)) {
      add("", value);
    } else if (value !== null && typeof value === "object") {
      for (const member of Object.values(value)) {
        add(key, member);
      }
    }
  }
  return found;
}
