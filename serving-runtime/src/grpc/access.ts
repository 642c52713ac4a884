import type { Metadata } from "@grpc/grpc-js";
import type { BearerToken } from "../auth";
import type { Access } from "../http/access";
import type { ApiClient, ClientRegistry } from "../limits/client-registry";
import { InferenceError } from "../protocol/errors";

/** The tokens calls are checked against. */
export interface CallTokens {
  /** Token for inference and metadata, when set. */
  authToken?: BearerToken;
  /** Token for repository load/unload, when set. */
  repositoryToken?: BearerToken;
  /** Named clients of `--tokens-file`; replaces `authToken` when set. */
  clients?: ClientRegistry;
}

/**
 * Checks a call's `authorization` metadata (`Bearer <token>`) as the HTTP side checks the
 * header, with the same messages: `open` calls pass; `inference` calls need the inference token
 * when one is set, or the token of a client of the tokens file; `repository` calls need the
 * repository token, and are refused when only an inference token or tokens file is set. Throws
 * UNAUTHENTICATED or FORBIDDEN.
 *
 * @param access who may make the call
 * @param metadata the call's metadata
 * @param tokens the configured tokens
 * @returns the tokens file's client making an `inference` call, when a tokens file is set
 */
export function checkAccess(
  access: Access,
  metadata: Metadata,
  tokens: CallTokens,
): ApiClient | undefined {
  const { authToken, repositoryToken, clients } = tokens;
  if (access === "open" || (!authToken && !repositoryToken && !clients)) return undefined;
  const value = metadata.get("authorization")[0];
  const header = typeof value === "string" ? value : undefined;
  if (access === "repository") {
    if (!repositoryToken) {
      throw new InferenceError(
        "FORBIDDEN",
        "model load/unload is disabled while --auth-token-file or --tokens-file is set without --repository-auth-token-file",
      );
    }
    if (!repositoryToken.accepts(header)) {
      throw new InferenceError(
        "UNAUTHENTICATED",
        "model load/unload needs 'Authorization: Bearer <repository token>'",
      );
    }
    return undefined;
  }
  if (clients) {
    const client = clients.identify(header);
    if (!client) {
      throw new InferenceError(
        "UNAUTHENTICATED",
        "this endpoint needs 'Authorization: Bearer <token>'",
      );
    }
    return client;
  }
  if (authToken && !authToken.accepts(header)) {
    throw new InferenceError(
      "UNAUTHENTICATED",
      "this endpoint needs 'Authorization: Bearer <token>'",
    );
  }
  return undefined;
}

/**
 * Refuses a tokens-file client a model its entry does not list (FORBIDDEN, as HTTP's metadata
 * routes); anyone else passes.
 *
 * @param client the caller, when a tokens file is set
 * @param model the model the call names
 */
export function checkModelAllowed(client: ApiClient | undefined, model: string): void {
  if (client && !client.allows(model)) {
    throw new InferenceError("FORBIDDEN", `client '${client.name}' may not use model '${model}'`);
  }
}
