import { readFileSync } from "node:fs";
import { kubernetes } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import { sarifFailureReport } from "../../policies/check/src/report/sarif";

const versionOf = (file: string) =>
  (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;

/** The default of `ARG VERSION` in the runtime stage: the image's `org.opencontainers.image.version` label. */
function dockerfileVersion(): string | undefined {
  const dockerfile = readFileSync("serving-runtime/Dockerfile", "utf8");
  return /^ARG VERSION=(\S+)$/m.exec(dockerfile)?.[1];
}

describe("one version for the library, the serving runtime and its image", () => {
  const version = versionOf("package.json");

  it("is a semver version", () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  });

  it("is the serving runtime package's version and its image's version label", () => {
    expect(versionOf("serving-runtime/package.json")).toBe(version);
    expect(readFileSync("serving-runtime/Dockerfile", "utf8")).toContain(
      `org.opencontainers.image.version="\${VERSION}"`,
    );
    expect(dockerfileVersion()).toBe(version);
  });

  it("tags the image OnnxService and EdgeFleet run by default", () => {
    expect(kubernetes.DEFAULT_RUNTIME_IMAGE).toBe(
      `ghcr.io/hybridai/hybridai-serving-runtime:${version}`,
    );
  });

  it("is the version of the multi-language package schema", () => {
    expect(versionOf("schema.json")).toBe(version);
  });

  it("is the tool version hybridai check writes into SARIF, also when the check fails", () => {
    const failed = JSON.parse(
      sarifFailureReport({ message: "m", component: null, field: null, projectDir: "." }),
    );
    expect(failed.runs[0].tool.driver).toMatchObject({ name: "hybridai check", version });
  });
});
