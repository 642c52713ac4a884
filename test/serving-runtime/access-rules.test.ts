import { createHash } from "node:crypto";
import {
  authorizeCall,
  checkModelAllowed,
  visibleTo,
} from "@hybridai/serving-runtime/src/access-rules";
import { BearerToken } from "@hybridai/serving-runtime/src/auth";
import { ClientRegistry } from "@hybridai/serving-runtime/src/limits/client-registry";
import { InferenceError } from "@hybridai/serving-runtime/src/protocol/errors";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";

const sha = (token: string) => createHash("sha256").update(token).digest("hex");
const clients = () =>
  new ClientRegistry(
    [{ name: "web", token_sha256: sha("web-1"), models: ["ranker"] }],
    new Registry(),
  );

/** The kind and message a call is refused with, or "allowed" (with the client's name). */
function outcome(run: () => unknown): string {
  try {
    const client = run() as { name: string } | undefined;
    return client ? `allowed as ${client.name}` : "allowed";
  } catch (error) {
    if (!(error instanceof InferenceError)) throw error;
    return `${error.kind}: ${error.message}`;
  }
}

describe("authorizeCall (the rules HTTP and gRPC share)", () => {
  it("lets inference through when no token is configured, and open calls always", () => {
    expect(outcome(() => authorizeCall("inference", undefined, {}))).toBe("allowed");
    const tokens = { authToken: new BearerToken("secret") };
    expect(outcome(() => authorizeCall("open", undefined, tokens))).toBe("allowed");
  });

  it("refuses load/unload unless --model-control-mode is explicit, naming the flag", () => {
    const admin = { repositoryToken: new BearerToken("admin") };
    expect(outcome(() => authorizeCall("repository", "Bearer admin", admin))).toMatch(
      /^FORBIDDEN: model load\/unload is off \(--model-control-mode none, the default\)/,
    );
    expect(
      outcome(() =>
        authorizeCall("repository", "Bearer admin", { ...admin, modelControlMode: "poll" }),
      ),
    ).toMatch(/^FORBIDDEN: model load\/unload is off \(--model-control-mode poll\)/);
    expect(
      outcome(() => authorizeCall("repository", undefined, { modelControlMode: "explicit" })),
    ).toBe(
      "FORBIDDEN: model load/unload needs --repository-auth-token-file (--model-control-mode explicit)",
    );
  });

  it("checks the inference token on inference calls", () => {
    const tokens = { authToken: new BearerToken("secret") };
    expect(outcome(() => authorizeCall("inference", "Bearer secret", tokens))).toBe("allowed");
    expect(outcome(() => authorizeCall("inference", "Bearer other", tokens))).toBe(
      "UNAUTHENTICATED: this endpoint needs 'Authorization: Bearer <token>'",
    );
  });

  it("checks the repository token on repository calls only", () => {
    const tokens = {
      authToken: new BearerToken("secret"),
      repositoryToken: new BearerToken("admin"),
      modelControlMode: "explicit" as const,
    };
    expect(outcome(() => authorizeCall("repository", "Bearer admin", tokens))).toBe("allowed");
    expect(outcome(() => authorizeCall("repository", "Bearer secret", tokens))).toBe(
      "UNAUTHENTICATED: model load/unload needs 'Authorization: Bearer <repository token>'",
    );
    expect(outcome(() => authorizeCall("inference", "Bearer admin", tokens))).toBe(
      "UNAUTHENTICATED: this endpoint needs 'Authorization: Bearer <token>'",
    );
  });

  it("identifies the tokens file's clients, which replace the single token", () => {
    const tokens = { clients: clients() };
    expect(outcome(() => authorizeCall("inference", "Bearer web-1", tokens))).toBe(
      "allowed as web",
    );
    expect(outcome(() => authorizeCall("inference", undefined, tokens))).toBe(
      "UNAUTHENTICATED: this endpoint needs 'Authorization: Bearer <token>'",
    );
    expect(outcome(() => authorizeCall("repository", "Bearer web-1", tokens))).toMatch(
      /^FORBIDDEN: model load\/unload is off/,
    );
  });

  it("keeps a client to the models its entry lists, with one 403 for forbidden and unknown models", () => {
    const web = authorizeCall("inference", "Bearer web-1", { clients: clients() });
    expect(outcome(() => checkModelAllowed(web, "ranker"))).toBe("allowed");
    const forbidden = outcome(() => checkModelAllowed(web, "scorer"));
    expect(forbidden).toBe(
      "FORBIDDEN: client 'web' may not use model 'scorer'; its tokens-file entry lists 'ranker'",
    );
    expect(outcome(() => checkModelAllowed(web, "no-such-model"))).toBe(
      forbidden.replace("scorer", "no-such-model"),
    );
    expect(outcome(() => checkModelAllowed(undefined, "scorer"))).toBe("allowed");
  });

  it("filters listings to the models a client may see", () => {
    const web = authorizeCall("inference", "Bearer web-1", { clients: clients() });
    const rows = [{ name: "ranker" }, { name: "scorer" }];
    expect(visibleTo(web, rows, (row) => row.name)).toEqual([{ name: "ranker" }]);
    expect(visibleTo(undefined, rows, (row) => row.name)).toEqual(rows);
  });
});
