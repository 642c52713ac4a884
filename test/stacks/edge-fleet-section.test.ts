import { HybridAiConfigError } from "pulumi-hybridai";
import { installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { runStack } from "../../stacks/program";
import { STACK_SECTIONS } from "../../stacks/sections";
import type { EdgeStackConfig } from "../../stacks/sections/edge";
import { SECRET_MARK, SECRET_SIG } from "../components/edge/secret-envelope";
import { loadStackConfig } from "./stack-file";

const mocks = installMocks();

/** The shipped edge-fleet section, changed by `edit`, as raw stack config. */
function edgeConfig(edit: (edge: EdgeStackConfig) => void): Record<string, string> {
  const edge = structuredClone(loadStackConfig("edge-fleet")["hybridai:edge"]) as EdgeStackConfig;
  edit(edge);
  return { "hybridai:edge": JSON.stringify(edge) };
}

function errorOf(raw: Record<string, string>): HybridAiConfigError {
  try {
    runStack(raw, STACK_SECTIONS);
  } catch (error) {
    expect(error).toBeInstanceOf(HybridAiConfigError);
    return error as HybridAiConfigError;
  }
  throw new Error("expected the stack to be refused");
}

describe("hybridai:edge stack section", () => {
  it("lists schema problems by key path before anything is created", () => {
    const error = errorOf(
      edgeConfig((edge) => {
        edge.sites[1].arch = "riscv64" as "arm64";
        edge.model.revision = undefined as unknown as string;
        (edge.cloudFallback as { on: string[] }).on = ["slow"];
      }),
    );
    expect(error.message).toBe(
      [
        "stack config: 3 problems:",
        "  hybridai:edge.model.revision is missing. Expected: a string.",
        '  hybridai:edge.cloudFallback.on[0] = "slow" is not valid. Allowed: timeout, error, overload.',
        '  hybridai:edge.sites[1].arch = "riscv64" is not valid. Allowed: amd64, arm64.',
      ].join("\n"),
    );
    expect(mocks.resources).toEqual([]);
  });

  it("refuses rings with a gap, an arm64 GPU site and a repeated site, naming the field", () => {
    const gap = edgeConfig((edge) => {
      edge.sites[1].ring = 2;
      edge.sites[2].ring = 2;
    });
    expect(errorOf(gap).message).toContain("no site is in ring 1");
    expect(
      errorOf(
        edgeConfig((edge) => {
          edge.sites[2].arch = "arm64";
        }),
      ).field,
    ).toBe("sites[2].accelerator");
    expect(errorOf(edgeConfig((edge) => (edge.sites[2].name = "store-paris"))).field).toBe(
      "sites[2].name",
    );
    expect(mocks.resources).toEqual([]);
  });

  it("refuses a file:/// mirror unless hostPathSources admits it, and the old cache.hostPath key", () => {
    const fileMirror = (edge: EdgeStackConfig) => {
      edge.model.mirrors = ["file:///srv/models/ranker"];
    };
    const refused = errorOf(edgeConfig(fileMirror));
    expect(refused.field).toBe("model.mirrors[0]");
    expect(refused.message).toContain("hostPathSources: true");
    expect(() =>
      runStack(
        edgeConfig((edge) => {
          fileMirror(edge);
          edge.hostPathSources = true;
        }),
        STACK_SECTIONS,
      ),
    ).not.toThrow();
    const oldKey = errorOf(
      edgeConfig((edge) => {
        (edge.cache as Record<string, unknown>).hostPath = "/var/lib/hybridai/model-cache";
      }),
    );
    expect(oldKey.message).toContain("hybridai:edge.cache.hostPath");
  });

  it("keeps a token set with `pulumi config set --secret` secret, in a Secret per site", async () => {
    runStack(
      edgeConfig((edge) => {
        if (edge.cloudFallback) edge.cloudFallback.tokenSecret = "cloud-bearer-token";
      }),
      STACK_SECTIONS,
    );
    await settle();
    const secrets = mocks.ofType("kubernetes:core/v1:Secret");
    expect(secrets.map((s) => s.name).sort()).toEqual([
      "ranker-clinic-lyon-cloud-fallback",
      "ranker-store-berlin-cloud-fallback",
      "ranker-store-paris-cloud-fallback",
    ]);
    for (const secret of secrets) {
      expect(secret.inputs.stringData).toEqual({
        [SECRET_SIG]: SECRET_MARK,
        value: { token: "cloud-bearer-token" },
      });
    }
  });
});
