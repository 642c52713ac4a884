import type { BearerToken } from "./auth";
import type { ApiClient, ClientRegistry } from "./limits/client-registry";
import type { ModelControlMode } from "./options";
import { InferenceError } from "./protocol/errors";

/**
 * Who may call an endpoint or RPC: `open` (health, metrics), `inference` (inference, metadata,
 * index: the inference token when one is set, or any client of the tokens file — only for the
 * models its entry allows) or `repository` (load/unload: only with `--model-control-mode
 * explicit`, and only for the holder of the repository token).
 */
export type Access = "open" | "inference" | "repository";

/** The tokens calls are checked against, and whether model control is on. */
export interface CallTokens {
  /** Token for inference and metadata, when set. */
  authToken?: BearerToken;
  /** Token for repository load/unload, when set. */
  repositoryToken?: BearerToken;
  /** Named clients of `--tokens-file`; replaces `authToken` when set. */
  clients?: ClientRegistry;
  /** `--model-control-mode`: load/unload are refused unless `explicit`. Default `none`. */
  modelControlMode?: ModelControlMode;
}

/** Why load/unload are refused in each mode that does not allow them. */
const MODEL_CONTROL_OFF: Record<Exclude<ModelControlMode, "explicit">, string> = {
  none:
    "model load/unload is off (--model-control-mode none, the default): the server serves the " +
    "models its repository held at start; restart it with --model-control-mode explicit and " +
    "--repository-auth-token-file to load and unload models through this API",
  poll:
    "model load/unload is off (--model-control-mode poll): the server follows its model " +
    "repository by itself; add, change or remove the model's files there instead",
};

/**
 * Checks a load/unload call: refused (FORBIDDEN, naming the flag) unless model control is
 * `explicit`; then the repository token must be presented (UNAUTHENTICATED otherwise).
 */
function authorizeModelControl(header: string | undefined, tokens: CallTokens): void {
  const mode = tokens.modelControlMode ?? "none";
  if (mode !== "explicit") throw new InferenceError("FORBIDDEN", MODEL_CONTROL_OFF[mode]);
  if (!tokens.repositoryToken) {
    throw new InferenceError(
      "FORBIDDEN",
      "model load/unload needs --repository-auth-token-file (--model-control-mode explicit)",
    );
  }
  if (!tokens.repositoryToken.accepts(header)) {
    throw new InferenceError(
      "UNAUTHENTICATED",
      "model load/unload needs 'Authorization: Bearer <repository token>'",
    );
  }
}

/**
 * Checks a request's `Authorization` header (HTTP) or metadata (gRPC), `Bearer <token>`, the one
 * way for both protocols: `open` calls pass; `inference` calls need the inference token
 * when one is set, or the token of a client of the tokens file; `repository` calls need
 * `--model-control-mode explicit` and the repository token. Throws UNAUTHENTICATED or FORBIDDEN.
 *
 * @param access who may make the call
 * @param header the `Authorization` value, when sent
 * @param tokens the configured tokens and model control mode
 * @returns the tokens file's client making an `inference` call, when a tokens file is set
 */
export function authorizeCall(
  access: Access,
  header: string | undefined,
  tokens: CallTokens,
): ApiClient | undefined {
  if (access === "open") return undefined;
  if (access === "repository") {
    authorizeModelControl(header, tokens);
    return undefined;
  }
  const { authToken, clients } = tokens;
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
 * passes. A model that does not exist is refused the same way, with the same message, so a
 * restricted client cannot learn which models exist: call this before looking the model up.
 *
 * @param client the caller, when a tokens file is set
 * @param model the model the call names
 */
export function checkModelAllowed(client: ApiClient | undefined, model: string): void {
  if (client && !client.allows(model)) throw client.forbidden(model);
}

/**
 * The entries of a listing (statistics, repository index) the caller may see: every entry for
 * an unrestricted caller, those of the models its tokens-file entry lists otherwise.
 *
 * @param client the caller, when a tokens file is set
 * @param entries the listing
 * @param modelOf the model an entry is about
 */
export function visibleTo<T>(
  client: ApiClient | undefined,
  entries: readonly T[],
  modelOf: (entry: T) => string,
): T[] {
  return client ? entries.filter((entry) => client.allows(modelOf(entry))) : [...entries];
}
