// `npm run pack:release [-- --pack-destination DIR] [--no-build]`: builds dist/ and packs the
// release tarball from a staging folder holding exactly package.json `files` and the release
// manifest (scripts/release/manifest.mjs), so the tarball installs without running any script
// of ours. Prints the tarball's path.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { releaseManifest } from "./manifest.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const { values } = parseArgs({
  options: {
    "pack-destination": { type: "string", default: root },
    "no-build": { type: "boolean", default: false },
  },
});
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
if (!values["no-build"]) {
  execFileSync(npm, ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
}
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const stage = mkdtempSync(path.join(tmpdir(), "pulumi-hybridai-release-"));
try {
  for (const entry of [...manifest.files, "README.md", "LICENSE"]) {
    const source = path.join(root, entry);
    if (existsSync(source)) cpSync(source, path.join(stage, entry), { recursive: true });
  }
  writeFileSync(
    path.join(stage, "package.json"),
    `${JSON.stringify(releaseManifest(manifest), null, 2)}\n`,
  );
  const destination = path.resolve(values["pack-destination"]);
  const packed = JSON.parse(
    execFileSync(npm, ["pack", stage, "--json", "--pack-destination", destination], {
      cwd: stage,
      encoding: "utf8",
    }),
  );
  process.stdout.write(`${path.join(destination, packed[0].filename)}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
