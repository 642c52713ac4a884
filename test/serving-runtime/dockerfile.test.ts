import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const DOCKERFILE = readFileSync(path.join(ROOT, "serving-runtime/Dockerfile"), "utf8");

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions with comments dropped and `\` continuations joined. */
function instructionsOf(text: string): Instruction[] {
  const logical = text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ");
  return logical
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

const instructions = instructionsOf(DOCKERFILE);
const of = (keyword: string) => instructions.filter((i) => i.keyword === keyword);
/** Instructions of the final stage: everything after the last FROM. */
const finalStage = instructions.slice(instructions.map((i) => i.keyword).lastIndexOf("FROM") + 1);

describe("serving-runtime/Dockerfile", () => {
  it("builds from the slim Node 20 image, with a CUDA base selected by VARIANT", () => {
    const froms = of("FROM").map((i) => i.args);
    expect(froms).toContain("--platform=$BUILDPLATFORM node:20-bookworm-slim AS build");
    expect(froms).toContain("node:20-bookworm-slim AS runtime-cpu");
    expect(froms).toContain(`\${CUDA_BASE} AS runtime-cuda`);
    expect(froms.at(-1)).toBe(`runtime-\${VARIANT}`);
    expect(of("ARG").map((i) => i.args)).toEqual(
      expect.arrayContaining([
        "VARIANT=cpu",
        expect.stringMatching(/^CUDA_BASE=nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-/),
      ]),
    );
  });

  it("pins every base image to a tag, never latest", () => {
    const images = [
      ...of("FROM").map((i) => i.args.split(" ").filter((word) => !word.startsWith("--"))[0]),
      ...of("ARG")
        .filter((i) => i.args.startsWith("CUDA_BASE="))
        .map((i) => i.args.split("=")[1]),
    ].filter((image) => !image.startsWith("$") && !/^(build|deps|runtime-)/.test(image));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toMatch(/^[\w./-]+:(?!latest$)[\w.-]+$/);
  });

  it("installs production dependencies only, with ORT's CUDA binaries for the cuda variant", () => {
    const runs = of("RUN").map((i) => i.args);
    expect(runs).toContainEqual(
      expect.stringMatching(/npm ci --workspace serving-runtime --omit=dev /),
    );
    expect(runs).toContainEqual(
      expect.stringContaining('ONNXRUNTIME_NODE_INSTALL=cuda12 node "$ORT_DIR/script/install"'),
    );
    expect(of("COPY").filter((i) => i.args.includes(".npmrc"))).toHaveLength(2);
    // Outside the image, npm never runs onnxruntime-node's CUDA download (package.json allowScripts).
    const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(manifest.allowScripts["onnxruntime-node"]).toBe(false);
  });

  describe("multi-arch: linux/amd64 and linux/arm64", () => {
    const depsRun = of("RUN").find((i) => i.args.includes("npm ci --workspace serving-runtime"));
    /** The `&&`-joined steps of the deps stage's RUN, as the shell runs them. */
    const steps = (depsRun?.args ?? "").split(" && ").map((step) => step.trim());
    const step = (fragment: string) => {
      const found = steps.find((s) => s.includes(fragment));
      expect(found, fragment).toBeDefined();
      return found as string;
    };
    /** Runs the given steps of the Dockerfile's own RUN in sh with the build args as variables. */
    const sh = (script: string[], env: Record<string, string>) =>
      execFileSync("sh", ["-c", script.join(" && ")], {
        env: { PATH: process.env.PATH, ...env },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });

    it("compiles once on the build platform and installs dependencies per target", () => {
      const build = of("FROM").find((i) => i.args.endsWith("AS build"));
      expect(build?.args.startsWith("--platform=$BUILDPLATFORM ")).toBe(true);
      const deps = of("FROM").find((i) => i.args.endsWith("AS deps"));
      expect(deps?.args).toBe("node:20-bookworm-slim AS deps");
      expect(of("ARG").map((i) => i.args)).toContain("TARGETARCH");
      expect(steps.length).toBeGreaterThan(4);
      // The whole RUN is valid POSIX shell (dash is /bin/sh in the Debian base).
      expect(() => execFileSync("sh", ["-n", "-c", depsRun?.args ?? "exit 1"])).not.toThrow();
    });

    it("refuses the cuda variant for arm64 and builds it for amd64", () => {
      const guard = [step('ARCH="${TARGETARCH:-'), step('case "$VARIANT-$ARCH" in')];
      const ok = [...guard, "echo ok"];
      expect(sh(ok, { TARGETARCH: "amd64", VARIANT: "cuda" }).trim()).toBe("ok");
      expect(sh(ok, { TARGETARCH: "arm64", VARIANT: "cpu" }).trim()).toBe("ok");
      expect(() => sh(ok, { TARGETARCH: "arm64", VARIANT: "cuda" })).toThrow(
        /VARIANT=cuda is linux\/amd64 only .*got: arm64/,
      );
    });

    it("keeps only the target's onnxruntime binaries", () => {
      const prune = [step('ARCH="${TARGETARCH:-'), step('rm -rf "$ORT_DIR/bin/napi-v6/linux/x64"')];
      for (const [target, kept] of [
        ["arm64", "arm64"],
        ["amd64", "x64"],
      ]) {
        const ortDir = mkdtempSync(path.join(tmpdir(), "ort-"));
        for (const arch of ["x64", "arm64"]) {
          mkdirSync(path.join(ortDir, "bin/napi-v6/linux", arch), { recursive: true });
        }
        sh(prune, { TARGETARCH: target, ORT_DIR: ortDir });
        expect(readdirSync(path.join(ortDir, "bin/napi-v6/linux"))).toEqual([kept]);
      }
    });

    it("relies on onnxruntime-node shipping CPU binaries for both, and CUDA for x64 only", () => {
      const ort = path.dirname(require.resolve("onnxruntime-node/package.json"));
      for (const arch of ["x64", "arm64"]) {
        expect(existsSync(path.join(ort, "bin/napi-v6/linux", arch)), arch).toBe(true);
      }
      const metadata = require(path.join(ort, "script/install-metadata.js")) as {
        requirements: Record<string, string[]>;
      };
      expect(metadata.requirements["linux/x64"]).toContain("cuda12");
      expect(metadata.requirements["linux/arm64"]).toEqual([]);
    });
  });

  it("runs as a numeric non-root user and has no HEALTHCHECK", () => {
    const users = finalStage.filter((i) => i.keyword === "USER").map((i) => i.args);
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0].split(":").map(Number);
    expect(Number.isInteger(uid) && uid > 0).toBe(true);
    expect(Number.isInteger(gid) && gid > 0).toBe(true);
    expect(of("HEALTHCHECK")).toEqual([]);
    expect(of("VOLUME")).toEqual([]);
  });

  it("carries the OCI labels", () => {
    const labels = of("LABEL")
      .map((i) => i.args)
      .join(" ");
    for (const key of [
      "title",
      "description",
      "source",
      "licenses",
      "version",
      "revision",
      "created",
    ]) {
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
    }
  });

  it("starts the CLI in exec form and serves /models by default", () => {
    expect(of("ENTRYPOINT").map((i) => i.args)).toEqual(['["node", "dist/cli.js"]']);
    const cmd = JSON.parse(of("CMD")[0].args) as string[];
    expect(cmd.slice(0, 2)).toEqual(["--model-repository", "/models"]);
    expect(
      finalStage.find((i) => i.keyword === "WORKDIR" && i.args === "/app/serving-runtime"),
    ).toBeDefined();
  });

  it("ships the gRPC .proto files next to dist and exposes HTTP 8000 and gRPC 8001", () => {
    const copies = finalStage.filter((i) => i.keyword === "COPY").map((i) => i.args);
    expect(copies).toContain("serving-runtime/proto /app/serving-runtime/proto");
    expect(existsSync(path.join(ROOT, "serving-runtime/proto/grpc_service.proto"))).toBe(true);
    expect(existsSync(path.join(ROOT, "serving-runtime/proto/model_config.proto"))).toBe(true);
    expect(finalStage.filter((i) => i.keyword === "EXPOSE").map((i) => i.args)).toEqual([
      "8000 8001",
    ]);
    const manifest = JSON.parse(
      readFileSync(path.join(ROOT, "serving-runtime/package.json"), "utf8"),
    ) as { files: string[] };
    expect(manifest.files).toEqual(expect.arrayContaining(["dist", "proto"]));
    const cmd = JSON.parse(of("CMD")[0].args) as string[];
    expect(cmd.slice(cmd.indexOf("--grpc-port"), cmd.indexOf("--grpc-port") + 2)).toEqual([
      "--grpc-port",
      "8001",
    ]);
  });

  it("copies only paths that exist in the build context (the repository root)", () => {
    const sources = of("COPY")
      .filter((i) => !i.args.startsWith("--from"))
      .flatMap((i) => i.args.split(" ").slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      if (/[*?[]/.test(source)) {
        // A wildcard may match nothing (BuildKit allows it): only the other workspaces use one.
        expect(source).toBe("policie[s]");
      } else {
        expect(existsSync(path.join(ROOT, source)), source).toBe(true);
      }
    }
  });

  it("keeps dependencies and build output out of the context", () => {
    const ignore = readFileSync(path.join(ROOT, "serving-runtime/Dockerfile.dockerignore"), "utf8")
      .split("\n")
      .map((line) => line.trim());
    expect(ignore).toEqual(expect.arrayContaining(["**/node_modules", "**/dist", ".git"]));
  });
});
