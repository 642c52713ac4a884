import { createHash } from "node:crypto";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { authorizeCall, checkModelAllowed } from "../../serving-runtime/src/access-rules";
import { BearerToken } from "../../serving-runtime/src/auth";
import { ClientRegistry } from "../../serving-runtime/src/limits/client-registry";
import { InferenceError } from "../../serving-runtime/src/protocol/errors";

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
  it("lets everything through when no token is configured, and open calls always", () => {
    expect(outcome(() => authorizeCall("inference", undefined, {}))).toBe("allowed");
    expect(outcome(() => authorizeCall("repository", undefined, {}))).toBe("allowed");
    const tokens = { authToken: new BearerToken("secret") };
    expect(outcome(() => authorizeCall("open", undefined, tokens))).toBe("allowed");
  });

  it("checks the inference token, and refuses repository calls without a repository token", () => {
    const tokens = { authToken: new BearerToken("secret") };
    expect(outcome(() => authorizeCall("inference", "Bearer secret", tokens))).toBe("allowed");
    expect(outcome(() => authorizeCall("inference", "Bearer other", tokens))).toBe(
      "UNAUTHENTICATED: this endpoint needs 'Authorization: Bearer <token>'",
    );
    expect(outcome(() => authorizeCall("repository", "Bearer secret", tokens))).toBe(
      "FORBIDDEN: model load/unload is disabled while --auth-token-file or --tokens-file is set without --repository-auth-token-file",
    );
  });

  it("checks the repository token on repository calls only", () => {
    const tokens = {
      authToken: new BearerToken("secret"),
      repositoryToken: new BearerToken("admin"),
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
      /^FORBIDDEN: model load\/unload is disabled/,
    );
  });

  it("keeps a client to the models its entry lists", () => {
    const web = authorizeCall("inference", "Bearer web-1", { clients: clients() });
    expect(outcome(() => checkModelAllowed(web, "ranker"))).toBe("allowed");
    expect(outcome(() => checkModelAllowed(web, "scorer"))).toBe(
      "FORBIDDEN: client 'web' may not use model 'scorer'",
    );
    expect(outcome(() => checkModelAllowed(undefined, "scorer"))).toBe("allowed");
  });
});
