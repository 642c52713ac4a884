import type { IncomingHttpHeaders } from "node:http";
import type { FastifyRequest } from "fastify";
import { INFERENCE_HEADER_CONTENT_LENGTH } from "../protocol/binary-codec";
import { InferenceError, invalidArgument } from "../protocol/errors";

const EMPTY = Buffer.alloc(0);

/** The raw request body (every content type is read as bytes). */
export function bodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : EMPTY;
}

/**
 * The `Inference-Header-Content-Length` of a binary-extension request, after checking the
 * content type: JSON bodies must be `application/json` (or untyped), binary ones may be any type
 * as Triton's clients send them. Throws 415 otherwise.
 */
export function binaryHeaderLength(headers: IncomingHttpHeaders): string | undefined {
  const header = headers[INFERENCE_HEADER_CONTENT_LENGTH];
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined) return value;
  const type = headers["content-type"];
  if (type === undefined || /^application\/json\b/i.test(type)) return undefined;
  throw new InferenceError(
    "UNSUPPORTED_MEDIA_TYPE",
    `unsupported content type '${type}'; send application/json, or the binary tensor ` +
      "extension with an Inference-Header-Content-Length header",
  );
}

/** Parses the optional `{version}` path segment; versions are positive integers. */
export function versionParam(version: string | undefined): string | undefined {
  if (version === undefined) return undefined;
  if (!/^\d+$/.test(version)) {
    throw invalidArgument(`invalid model version '${version}'; versions are numbers, e.g. 1`);
  }
  return String(Number(version));
}

/** Parses a JSON body that may be empty (repository endpoints); throws 400 when malformed. */
export function optionalJsonBody(request: FastifyRequest): Record<string, unknown> {
  const body = bodyOf(request);
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw invalidArgument(`malformed JSON in request body: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidArgument("the request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}
