import type { Metadata } from "@grpc/grpc-js";
import type { BearerToken } from "../auth";
import type { Access } from "../http/access";
import { InferenceError } from "../protocol/errors";

/** The tokens calls are checked against. */
export interface CallTokens {
  /** Token for inference and metadata, when set. */
  authToken?: BearerToken;
  /** Token for repository load/unload, when set. */
  repositoryToken?: BearerToken;
}

/**
 * Checks a call's `authorization` metadata (`Bearer <token>`) as the HTTP side checks the
 * header, with the same messages: `open` calls pass; `inference` calls need the inference token
 * when one is set; `repository` calls need the repository token, and are refused when only the
 * inference token is set. Throws UNAUTHENTICATED or FORBIDDEN.
 *
 * @param access who may make the call
 * @param metadata the call's metadata
 * @param tokens the configured tokens
 */
export function checkAccess(access: Access, metadata: Metadata, tokens: CallTokens): void {
  const { authToken, repositoryToken } = tokens;
  if (access === "open" || (!authToken && !repositoryToken)) return;
  const value = metadata.get("authorization")[0];
  const header = typeof value === "string" ? value : undefined;
  if (access === "repository") {
    if (!repositoryToken) {
      throw new InferenceError(
        "FORBIDDEN",
        "model load/unload is disabled while --auth-token-file is set without --repository-auth-token-file",
      );
    }
    if (!repositoryToken.accepts(header)) {
      throw new InferenceError(
        "UNAUTHENTICATED",
        "model load/unload needs 'Authorization: Bearer <repository token>'",
      );
    }
    return;
  }
  if (authToken && !authToken.accepts(header)) {
    throw new InferenceError(
      "UNAUTHENTICATED",
      "this endpoint needs 'Authorization: Bearer <token>'",
    );
  }
}
