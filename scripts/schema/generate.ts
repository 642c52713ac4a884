import { readFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import {
  Analyzer,
  type ComponentDefinition,
  type Dependency,
  type TypeDefinition,
} from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema, type PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";
import { PACKAGE_NAME, type PublicComponent, publicComponents } from "../../plugin/catalog";
import { type DeclaredComponent, readSourceDeclarations } from "./sources";

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The Go import path of the generated Go SDK (`pulumi package add` in a Go program). */
export const GO_IMPORT_BASE_PATH = "github.com/hybridai/hybridai/sdk/go/hybridai";

/** Where the analyzer reads its compiler settings (`tsconfig.json` there). */
const ANALYZER_DIR = path.join(__dirname);

/** What one analyzer run found. */
interface AnalyzerRun {
  components: Record<string, ComponentDefinition>;
  typeDefinitions: Record<string, TypeDefinition>;
  dependencies: Dependency[];
}

/**
 * Runs Pulumi's schema analyzer (`@pulumi/pulumi/provider/experimental`) from `entry` (a
 * library index, relative to the repository root) for the named classes. It throws on the
 * first argument or output type it cannot represent, naming the component and property.
 */
function analyze(entry: string, classNames: string[]): AnalyzerRun {
  const main = path.relative(ANALYZER_DIR, path.join(REPO_ROOT, entry)).replace(/\.ts$/, ".js");
  return new Analyzer(ANALYZER_DIR, PACKAGE_NAME, { main }, new Set(classNames)).analyze();
}

/**
 * Groups the components into analyzer runs: the analyzer finds classes by name from an entry
 * file, so classes whose names repeat across namespaces (`aws.ModelStore`, `gcp.ModelStore`)
 * are analyzed from their own namespace's index, every other one in a single run from the
 * library's index.
 */
function analyzerRuns(
  components: PublicComponent[],
): { entry: string; members: PublicComponent[] }[] {
  const count = new Map<string, number>();
  for (const c of components) count.set(c.className, (count.get(c.className) ?? 0) + 1);
  const runs = new Map<string, PublicComponent[]>();
  for (const c of components) {
    const entry =
      count.get(c.className) === 1 ? "components/index.ts" : `components/${c.namespace}/index.ts`;
    runs.set(entry, [...(runs.get(entry) ?? []), c]);
  }
  return [...runs].map(([entry, members]) => ({ entry, members }));
}

/** Checks each class's `super(...)` token against the token the package serves it under. */
function checkTokens(components: PublicComponent[], declared: DeclaredComponent[]): void {
  for (const c of components) {
    const matches = declared.filter(
      (d) => d.className === c.className && d.file.startsWith(`components/${c.namespace}/`),
    );
    if (matches.length !== 1 || matches[0]?.token !== c.token) {
      throw new Error(
        `schema: ${c.namespace}.${c.className} must be declared once in components/${c.namespace}/ ` +
          `with super("${c.token}", …); found ${JSON.stringify(matches)}`,
      );
    }
  }
}

/**
 * Refuses type names declared in more than one source file: the analyzer keys types by name
 * only, so a second `VpcSpec` would silently take the first one's shape.
 */
function checkTypeNames(typeNames: string[]): void {
  const declared = readSourceDeclarations(REPO_ROOT, path.join(REPO_ROOT, "components")).typeNames;
  const ambiguous = typeNames
    .map((name) => [name, declared.get(name) ?? []] as const)
    .filter(([, files]) => files.length > 1);
  if (ambiguous.length > 0) {
    throw new Error(
      `schema: these types are declared more than once, so the schema cannot tell them apart: ${ambiguous
        .map(([name, files]) => `${name} (${files.join(", ")})`)
        .join("; ")}. Rename one, or declare it once and import it.`,
    );
  }
}

/** A definition without its descriptions: what two runs must agree on. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "description")
      .map(([key, inner]) => [key, shapeOf(inner)]),
  );
}

/**
 * Adds a run's type definitions, refusing a name that two runs define differently. A run that
 * reaches a type only through another file may miss its TSDoc: the documented definition wins.
 */
function mergeTypes(
  into: Record<string, TypeDefinition>,
  from: Record<string, TypeDefinition>,
): void {
  for (const [name, definition] of Object.entries(from)) {
    const existing = into[name];
    if (existing && !isDeepStrictEqual(shapeOf(existing), shapeOf(definition))) {
      throw new Error(`schema: type ${name} has two different shapes in different analyzer runs`);
    }
    const documented = (type: TypeDefinition) => JSON.stringify(type).split('"description"').length;
    if (!existing || documented(definition) > documented(existing)) into[name] = definition;
  }
}

/**
 * Rewrites the analyzer's references to a package's provider (`…/schema.json#/resources/kubernetes`,
 * which no schema defines) to the schema's provider reference, `…/schema.json#/provider`.
 */
function fixProviderRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fixProviderRefs);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      key === "$ref" && typeof v === "string"
        ? v.replace(/^(\/[^/]+\/v[^/]+\/schema\.json)#\/resources\/([^:%/]+)$/, "$1#/provider")
        : fixProviderRefs(v),
    ]),
  );
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The package schema of every public component, generated from the TypeScript sources by
 * Pulumi's analyzer: resources under their type tokens (`hybridai:index:AwsEksCluster`), the
 * argument and output types, enums for the string-literal types, and the `@pulumi/*` packages
 * whose resources they reference. Throws when the analyzer rejects a type, a component's token
 * differs from the one it registers, or two types share a name.
 */
export function generatePackageSchema(): PackageSpec {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    version: string;
    description: string;
  };
  const components = publicComponents();
  const sources = readSourceDeclarations(REPO_ROOT, path.join(REPO_ROOT, "components"));
  checkTokens(components, sources.components);
  const definitions: Record<string, ComponentDefinition> = {};
  const types: Record<string, TypeDefinition> = {};
  const dependencies: Dependency[] = [];
  for (const run of analyzerRuns(components)) {
    const result = analyze(
      run.entry,
      run.members.map((c) => c.className),
    );
    for (const c of run.members) {
      const definition = result.components[c.className] as ComponentDefinition;
      const name = c.token.slice(`${PACKAGE_NAME}:index:`.length);
      definitions[name] = { ...definition, name };
    }
    mergeTypes(types, result.typeDefinitions);
    for (const d of result.dependencies) {
      if (!dependencies.some((e) => e.name === d.name && e.version === d.version)) {
        dependencies.push(d);
      }
    }
  }
  checkTypeNames(Object.keys(types));
  const spec = generateSchema(
    PACKAGE_NAME,
    pkg.version,
    pkg.description,
    sortedByKey(definitions),
    sortedByKey(types),
    [...dependencies].sort((a, b) => a.name.localeCompare(b.name)),
  );
  // Go SDKs import the package from this repository's path rather than codegen's default,
  // github.com/pulumi/pulumi-hybridai, which does not exist.
  spec.language = {
    ...spec.language,
    go: { ...spec.language?.go, importBasePath: GO_IMPORT_BASE_PATH },
  };
  // The analyzer collects a type's TSDoc only from the files it walked before it found every
  // component, so whether a type keeps its description would depend on import order: the
  // sources' own TSDoc fills what it missed.
  for (const [name, definition] of Object.entries(types)) {
    const type = spec.types[`${PACKAGE_NAME}:index:${name}`];
    const description = definition.description ?? sources.typeDocs.get(name);
    if (type && description) type.description = description;
  }
  return fixProviderRefs(spec) as PackageSpec;
}
