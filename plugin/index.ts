/**
 * The entry point Pulumi runs for `pulumi package add <this repository>` and for programs in
 * other languages that use the package (`PulumiPlugin.yaml`, runtime nodejs: the language host
 * loads the package's `main`, this file compiled). It serves the committed `schema.json` and
 * constructs the components; nothing here is part of the library's API.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { main } from "@pulumi/pulumi/provider";
import { HybridAiProvider, type PackageSchema } from "./provider";

/** `schema.json` at the package root: `../schema.json` from the sources, `../../` from `dist/plugin`. */
function readSchema(): PackageSchema {
  const candidates = [
    path.join(__dirname, "..", "schema.json"),
    path.join(__dirname, "..", "..", "schema.json"),
  ];
  for (const file of candidates) {
    try {
      return JSON.parse(readFileSync(file, "utf8")) as PackageSchema;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  throw new Error(`hybridai provider: no schema.json at ${candidates.join(" or ")}`);
}

main(new HybridAiProvider(readSchema()), process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
