import { randomUUID } from "node:crypto";

/** The header (HTTP) and metadata key (gRPC) that carries a request's id. */
export const REQUEST_ID = "x-request-id";

/**
 * Makes the request ids of one server (HTTP and gRPC each make their own): the id the client
 * sent, when it sent a non-empty one, else `<prefix>-<n>` — a random 8-character prefix per
 * server, so ids from two replicas do not collide in a shared log, and a counter.
 *
 * @returns the id of a request, given what the client sent (`x-request-id`, or undefined)
 */
export function requestIds(): (given: unknown) => string {
  const prefix = randomUUID().slice(0, 8);
  let next = 0;
  return (given) => (typeof given === "string" && given !== "" ? given : `${prefix}-${++next}`);
}
