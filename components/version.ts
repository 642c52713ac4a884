import { readFileSync } from "node:fs";
import path from "node:path";

/** The npm package whose version this is. */
const PACKAGE_NAME = "pulumi-hybridai";

/**
 * The version of `pulumi-hybridai`, read from its own package.json: the nearest one named
 * `pulumi-hybridai` above this file, in the sources (`components/`), the build (`dist/components/`)
 * and an installed package alike. The one place the library's version lives.
 */
export const PACKAGE_VERSION: string = ownVersion(__dirname);

function ownVersion(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === PACKAGE_NAME && manifest.version) return manifest.version;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`${PACKAGE_NAME}: no package.json of ${PACKAGE_NAME} above ${start}`);
    }
  }
}
