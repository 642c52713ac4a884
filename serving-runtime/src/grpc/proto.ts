import path from "node:path";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { loadSync, type Options, type PackageDefinition } from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";

/**
 * The directory holding `grpc_service.proto` and `model_config.proto` (`serving-runtime/proto`,
 * next to `src` and `dist`; the image copies it to the same place).
 */
export const PROTO_DIRECTORY = path.resolve(__dirname, "..", "..", "proto");

/** Fully qualified name of the inference service, as Triton's clients call it. */
export const INFERENCE_SERVICE = "inference.GRPCInferenceService";

/**
 * How messages become JavaScript objects: field names as in the .proto files (`model_name`),
 * 64-bit integers as decimal strings (exact beyond 2^53), enums by name, `bytes` as Buffers
 * viewing the received message (no copy), absent repeated and map fields as empty arrays and
 * objects, and a oneof's chosen field named in the oneof's own property.
 */
export const LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  arrays: true,
  objects: true,
  oneofs: true,
  includeDirs: [PROTO_DIRECTORY],
};

let inference: PackageDefinition | undefined;

/**
 * The inference protocol's package definition, loaded from the .proto files at the first call
 * (protobuf.js builds the codecs once; messages are then encoded and decoded without reflection).
 */
export function inferenceProtocol(): PackageDefinition {
  inference ??= loadSync("grpc_service.proto", LOADER_OPTIONS);
  return inference;
}

/** The `inference.GRPCInferenceService` definition. */
export function inferenceServiceDefinition(): ServiceDefinition {
  return inferenceProtocol()[INFERENCE_SERVICE] as ServiceDefinition;
}

/** Every service this server offers, for server reflection: inference and health. */
export function reflectedProtocols(): PackageDefinition {
  return { ...inferenceProtocol(), ...loadSync(healthProtoPath, LOADER_OPTIONS) };
}
