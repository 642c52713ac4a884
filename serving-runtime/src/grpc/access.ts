import type { Metadata } from "@grpc/grpc-js";
import { type Access, authorizeCall, type CallTokens } from "../access-rules";
import type { ApiClient } from "../limits/client-registry";

/**
 * Checks a call's `authorization` metadata (`Bearer <token>`) by the rules HTTP checks its
 * header with ({@link authorizeCall}), with the same messages.
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
  const value = metadata.get("authorization")[0];
  return authorizeCall(access, typeof value === "string" ? value : undefined, tokens);
}
