import path from "node:path";

/** One `packages` entry of a package-lock.json (v3). */
export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

/** A package-lock.json (v3). */
export interface Lockfile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/** The consumer project's manifest fields the lockfile repeats. */
export interface ConsumerManifest {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/** The packed library, as the consumer's lockfile records it. */
export interface PackedLibrary {
  /** The `file:` spec the consumer's package.json uses, e.g. `file:../pulumi-hybridai-0.1.0.tgz`. */
  spec: string;
  /** The tarball's `sha512-…` integrity. */
  integrity: string;
  /** The packed package.json. */
  manifest: LockEntry & { name: string; version: string };
}

/**
 * Where Node would find `name` from the package at `from` in a lockfile's tree: the nearest
 * `node_modules/<name>` at or above it.
 */
function resolveIn(
  packages: Record<string, LockEntry>,
  from: string,
  name: string,
): string | undefined {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf("/node_modules/")))) {
    const location = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[location]) return location;
    if (!dir) return undefined;
  }
}

/** An entry as the consumer's lockfile keeps it: the repository's flags dropped, platform-optional kept. */
function consumerEntry(entry: LockEntry): LockEntry {
  const { dev: _dev, peer: _peer, devOptional, optional, ...rest } = entry;
  return optional || devOptional ? { ...rest, optional: true } : rest;
}

/**
 * A lockfile for a consumer project, taken from this repository's own: the packed library at its
 * tarball, and every other package the consumer needs (the library's dependencies, the consumer's
 * own) at exactly the version and place this repository installed, with the same integrity. `npm
 * ci` then installs it from npm's cache without asking the registry, the same tree every run.
 * Throws when a package the consumer needs is not in this repository's tree.
 *
 * @param repository this repository's package-lock.json
 * @param consumer the consumer's package.json fields
 * @param library the packed library
 */
export function consumerLockfile(
  repository: Lockfile,
  consumer: ConsumerManifest,
  library: PackedLibrary,
): Lockfile {
  const source = repository.packages;
  const libraryLocation = `node_modules/${library.manifest.name}`;
  const { name: _name, ...libraryFields } = library.manifest;
  const packages: Record<string, LockEntry> = {
    "": {
      name: consumer.name,
      version: consumer.version,
      dependencies: consumer.dependencies,
      devDependencies: consumer.devDependencies,
    },
    [libraryLocation]: {
      ...libraryFields,
      resolved: library.spec,
      integrity: library.integrity,
    },
  };
  const queue: [string, LockEntry][] = [
    ["", packages[""]],
    [libraryLocation, packages[libraryLocation]],
  ];
  while (queue.length > 0) {
    const [from, entry] = queue.shift() as [string, LockEntry];
    const required = {
      ...entry.dependencies,
      ...(from === "" ? entry.devDependencies : {}),
      ...Object.fromEntries(
        Object.entries(entry.peerDependencies ?? {}).filter(
          ([name]) => !entry.peerDependenciesMeta?.[name]?.optional,
        ),
      ),
    };
    const optional = entry.optionalDependencies ?? {};
    for (const name of [...Object.keys(required), ...Object.keys(optional)]) {
      if (name === library.manifest.name) continue;
      const location = resolveIn(source, from, name);
      if (!location) {
        if (name in optional) continue;
        throw new Error(
          `consumerLockfile: ${name} (needed by ${from || "the consumer"}) is not in this repository's package-lock.json`,
        );
      }
      if (packages[location]) continue;
      const found = source[location];
      if (found.link) {
        throw new Error(`consumerLockfile: ${name} resolves to a workspace link (${location})`);
      }
      packages[location] = consumerEntry(found);
      queue.push([location, found]);
    }
  }
  return {
    name: consumer.name,
    version: consumer.version,
    lockfileVersion: 3,
    requires: true,
    packages: Object.fromEntries(
      Object.entries(packages).sort(([a], [b]) =>
        a === "" ? -1 : b === "" ? 1 : a.localeCompare(b),
      ),
    ),
  };
}

/** The `file:` spec of a tarball as seen from a project folder. */
export function fileSpec(projectDir: string, tarball: string): string {
  return `file:${path.relative(projectDir, tarball).split(path.sep).join("/")}`;
}
