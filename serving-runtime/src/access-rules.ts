import type { BearerToken } from "./auth";
import type { ApiClient, ClientRegistry } from "./limits/client-registry";
import { InferenceError } from "./protocol/errors";

/**
 * Who may call an endpoint or RPC: `open` (health, metrics), `inference` (inference, metadata,
 * index: the inference token when one is set, or any client of the tokens file — only for the
 * models its entry allows) or `repository` (load/unload: the repository token when one is set;
 * refused when only an inference token or tokens file is set, so that enabling auth never
 * leaves model control open).
 */
export type Access = "open" | "inference" | "repository";

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
 * Checks a request's `Authorization` header (HTTP) or metadata (gRPC), `Bearer <token>`, the one
 * way for both protocols: `open` calls pass; `inference` calls need the inference token
 * when one is set, or the token of a client of the tokens file; `repository` calls need the
 * repository token, and are refused when only an inference token or tokens file is set. Throws
 * UNAUTHENTICATED or FORBIDDEN.
 *
 * @param access who may make the call
 * @param header the `Authorization` value, when sent
 * @param tokens the configured tokens
 * @returns the tokens file's client making an `inference` call, when a tokens file is set
 */
export function authorizeCall(
  access: Access,
  header: string | undefined,
  tokens: CallTokens,
): ApiClient | undefined {
  const { authToken, repositoryToken, clients } = tokens;
  if (access === "open" || (!authToken && !repositoryToken && !clients)) return undefined;
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
 * Who made an authorized call, as the audit log records it: the tokens file's client name,
 * `auth-token-file` for the single token, undefined when the server is open.
 *
 * @param client the tokens file's client, when a tokens file is set
 * @param tokens the configured tokens
 */
export function callerName(client: ApiClient | undefined, tokens: CallTokens): string | undefined {
  return client?.name ?? (tokens.authToken ? "auth-token-file" : undefined);
}

/**
 * Refuses a tokens-file client a model its entry does not list (FORBIDDEN); anyone else
 * passes.
 *
 * @param client the caller, when a tokens file is set
 * @param model the model the call names
 */
export function checkModelAllowed(client: ApiClient | undefined, model: string): void {
  if (client && !client.allows(model)) {
    throw new InferenceError("FORBIDDEN", `client '${client.name}' may not use model '${model}'`);
  }
}
